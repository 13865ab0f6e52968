package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
)

// TestCalibrateWritesAnIncludableCostsTable runs byzsim calibrate briefly,
// includes its output in an experiment with [costs] file = "...", and
// checks that the experiment loads and every measured cost is positive. It
// asserts nothing about the measured values themselves.
func TestCalibrateWritesAnIncludableCostsTable(t *testing.T) {
	dir := t.TempDir()
	costs := filepath.Join(dir, "costs.toml")
	if code, _, errOut := byzsim(t, "calibrate", "-time", "1ms", "-o", costs); code != 0 {
		t.Fatalf("calibrate: exit %d: %s", code, errOut)
	}
	exp, err := os.ReadFile("experiments/testdata/relay.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(exp), "[protocol]", "[costs]\nfile = \"costs.toml\"\n\n[protocol]", 1)
	if strings.Count(text, "[costs]") != 1 {
		t.Fatalf("relay.toml already has a [costs] table; the test needs one without")
	}
	path := filepath.Join(dir, "exp.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := experiments.Load(path, registry(), experiments.Options{})
	if err != nil {
		t.Fatalf("an experiment including the calibrated costs does not load: %v", err)
	}
	c := plan.Base.Costs
	if c.File != "" {
		t.Errorf("the resolved experiment still names the file %q", c.File)
	}
	for name, d := range map[string]*experiments.Duration{"sign": c.Sign, "verify": c.Verify, "hash64": c.Hash64, "per_message": c.PerMessage} {
		if d == nil || d.T() <= 0 {
			t.Errorf("costs.%s = %v, want a positive measured value", name, d)
		}
	}
	if c.PerByte == nil {
		t.Errorf("costs.per_byte missing")
	}
	if code, out, _ := byzsim(t, "calibrate", "-time", "1ms"); code != 0 || !strings.Contains(out, "[costs]") {
		t.Errorf("calibrate to standard output: exit %d, output %q", code, out)
	}
}

// TestCostsFileErrors checks that a bad included costs table is reported
// with the included file's name and line.
func TestCostsFileErrors(t *testing.T) {
	dir := t.TempDir()
	exp, err := os.ReadFile("experiments/testdata/relay.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(exp), "[protocol]", "[costs]\nfile = \"costs.toml\"\nverify = \"7us\"\n\n[protocol]", 1)
	path := filepath.Join(dir, "exp.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	costs := filepath.Join(dir, "costs.toml")
	for _, tc := range []struct{ body, want string }{
		{"[costs]\nsign = \"1us\"\nverfy = \"2us\"\n", "costs.toml:3: costs.verfy: unknown key"},
		{"[costs]\nsign = \"fast\"\n", "costs.toml:2"},
		{"[costs]\nfile = \"other.toml\"\n", "cannot include another"},
		{"# nothing\n", "no [costs] table"},
	} {
		if err := os.WriteFile(costs, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := byzsim(t, "check", path)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("costs file %q: exit %d, stderr %q; want 2 and %q", tc.body, code, errOut, tc.want)
		}
	}
	os.Remove(costs)
	if code, _, errOut := byzsim(t, "check", path); code != 2 || !strings.Contains(errOut, "costs.file: cannot read") {
		t.Errorf("missing costs file: exit %d, stderr %q", code, errOut)
	}
	// The experiment's own keys override the included ones.
	if err := os.WriteFile(costs, []byte("[costs]\nsign = \"1us\"\nverify = \"2us\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := experiments.Load(path, registry(), experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Base.Costs; c.Sign.T() != 1000 || c.Verify.T() != 7000 {
		t.Errorf("sign %v, verify %v; want 1us from the file and 7us from the experiment", c.Sign.T(), c.Verify.T())
	}
}
