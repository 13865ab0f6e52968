package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummaryAndCompare runs a small sweep and checks that run prints
// summary.md, that byzsim summary prints the same table, and the answers
// and exit statuses of byzsim compare.
func TestSummaryAndCompare(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := byzsim(t, "run", "experiments/testdata/relay-sweep.toml", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("run: exit %d:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "relay-sweep")
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(stdout, "\n\n"+string(md)) {
		t.Errorf("run did not end with summary.md:\n%s", stdout)
	}
	if code, got, stderr := byzsim(t, "summary", dir); code != 0 || got != string(md) {
		t.Errorf("summary: exit %d, stderr %s; printed\n%s\nwant\n%s", code, stderr, got, md)
	}
	for _, want := range []string{"3 sweep points, 6 runs (6 passed", "| protocol.n | network.delay.max |", "| 2   | 7          | 20ms"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}

	csvPath := filepath.Join(t.TempDir(), "cmp.csv")
	code, stdout, stderr = byzsim(t, "compare", dir+":1", dir+":protocol.n=10", "--csv", csvPath)
	if code != 0 {
		t.Fatalf("compare: exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"A: " + dir + ": protocol.n=4, network.delay.max=10ms; 2 runs, 2 passed",
		"paired by seed", "paired t (2 seeds)", "Mann-Whitney U", "Kolmogorov-Smirnov", "latency_p50_ms"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("compare output lacks %q:\n%s", want, stdout)
		}
	}
	csv, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(csv), "\n"); lines != 1+16+2 {
		t.Errorf("compare CSV has %d lines, want a header, 16 metrics and 2 latency tests:\n%s", lines, csv)
	}
	// Larger n and delays: the latency rises well beyond 1%.
	code, _, stderr = byzsim(t, "compare", dir+":1", dir+":3", "--fail-if-worse", "latency_p50_ms=1", "--fail-if-worse", "messages=100000")
	if code != 1 || !strings.Contains(stderr, "REGRESSION latency_p50_ms: mean") || strings.Contains(stderr, "REGRESSION messages") {
		t.Errorf("gate: exit %d, want 1 and one regression line:\n%s", code, stderr)
	}
	// The other way round, latency improves: no regression.
	if code, _, stderr := byzsim(t, "compare", dir+":3", dir+":1", "--fail-if-worse", "latency_p50_ms=1"); code != 0 {
		t.Errorf("improvement gated: exit %d:\n%s", code, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", dir, dir + ":1"}, "has 3 sweep points"},
		{[]string{"compare", dir + ":1", dir + ":1"}, "the same sweep point"},
		{[]string{"compare", dir + ":4", dir + ":1"}, "there are points 1 to 3"},
		{[]string{"compare", dir + ":protocol.q=1", dir + ":1"}, "swept: protocol.n, network.delay.max"},
		{[]string{"compare", dir + ":1", dir + ":2", "--fail-if-worse", "speed=5"}, "allowed: requests_completed"},
		{[]string{"compare", dir + ":1", dir + ":2", "--fail-if-worse", "timeouts=-5"}, "percentage >= 0"},
		{[]string{"compare", dir + ":1", out}, "has no runs.csv"},
		{[]string{"summary", out}, "has no runs.csv"},
	} {
		code, _, stderr := byzsim(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", c.args, code, c.want, stderr)
		}
	}
}

// TestRunTimelinePlotKind draws a [[plot]] of kind run_timeline and checks
// that byzsim plot draws it again identically.
func TestRunTimelinePlotKind(t *testing.T) {
	base, err := os.ReadFile("experiments/testdata/relay-sweep.toml")
	if err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(t.TempDir(), "timeline.toml")
	text := string(base) + "\n[[plot]]\nkind = \"run_timeline\"\nwhere = { \"protocol.n\" = 7 }\nformats = [\"svg\"]\n"
	if err := os.WriteFile(exp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", exp, "-o", out, "-q"); code != 0 {
		t.Fatalf("run: exit %d:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "relay-sweep")
	svg := filepath.Join(dir, "plots", "run_timeline.svg")
	first, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	// Run 2 is the first of the point n = 7: its lanes are replica0 … replica6.
	for _, want := range []string{"Timeline of run 2", "replica6", "commit"} {
		if !strings.Contains(string(first), want) {
			t.Errorf("run_timeline.svg lacks %q", want)
		}
	}
	if strings.Contains(string(first), "replica7") {
		t.Error("run_timeline.svg has a lane for replica7 of a 7-replica run")
	}
	if err := os.Remove(svg); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := byzsim(t, "plot", dir); code != 0 {
		t.Fatalf("plot: exit %d:\n%s", code, stderr)
	}
	again, err := os.ReadFile(svg)
	if err != nil || string(again) != string(first) {
		t.Errorf("byzsim plot drew a different run_timeline.svg (err %v)", err)
	}
}

// TestReportCommand checks when report.html is written and that byzsim
// report re-makes it identically.
func TestReportCommand(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := byzsim(t, "run", "experiments/testdata/relay-sweep.toml", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("run: exit %d:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "relay-sweep")
	page := filepath.Join(dir, "report.html")
	if !strings.Contains(stdout, "report: "+page) {
		t.Errorf("run did not name the report:\n%s", stdout)
	}
	first, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h1>relay-sweep</h1>", "3 sweep points, 6 runs: 6 passed their checks, 0 failed",
		"Every run passed its checks.", "<h3>Run 0 (protocol.n=4, network.delay.max=10ms)", "Content-Security-Policy"} {
		if !strings.Contains(string(first), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Namespace names are not loaded; anything else with a URL would be.
	loads := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(string(first))
	for _, bad := range []string{"<script", "http://", "https://", "<link", "url("} {
		if strings.Contains(loads, bad) {
			t.Errorf("report.html has %q: it must load nothing", bad)
		}
	}
	if err := os.Remove(page); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := byzsim(t, "report", dir); code != 0 {
		t.Fatalf("report: exit %d:\n%s", code, stderr)
	}
	if again, err := os.ReadFile(page); err != nil || string(again) != string(first) {
		t.Errorf("byzsim report wrote a different page (err %v)", err)
	}
	if code, _, stderr := byzsim(t, "report", out); code != 2 || !strings.Contains(stderr, "has no runs.csv") {
		t.Errorf("report of a non-output directory: exit %d:\n%s", code, stderr)
	}

	// Turned off by the flag or by [output] report = false.
	noFlag := t.TempDir()
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay-sweep.toml", "-o", noFlag, "-q", "--no-report"); code != 0 {
		t.Fatalf("run --no-report: exit %d:\n%s", code, stderr)
	}
	base, err := os.ReadFile("experiments/testdata/relay-sweep.toml")
	if err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(t.TempDir(), "off.toml")
	if err := os.WriteFile(exp, append(base, "\n[output]\nreport = false\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	noKey := t.TempDir()
	if code, _, stderr := byzsim(t, "run", exp, "-o", noKey, "-q"); code != 0 {
		t.Fatalf("run with report = false: exit %d:\n%s", code, stderr)
	}
	for _, d := range []string{noFlag, noKey} {
		if _, err := os.Stat(filepath.Join(d, "relay-sweep", "report.html")); !os.IsNotExist(err) {
			t.Errorf("%s: report.html written although turned off (%v)", d, err)
		}
	}
}

// TestPrintSummaryCut: the summary printed at the end of a run stops after
// summaryRowsShown points and names summary.md.
func TestPrintSummaryCut(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("# x\n\nnote\n\n| # | runs |\n| --- | ---: |\n")
	for i := range 45 {
		fmt.Fprintf(&b, "| %d | 1 |\n", i+1)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printSummary(&out, dir, 40); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "| 40 | 1 |\n… 5 more sweep points in "+filepath.Join(dir, "summary.md")+"\n") || strings.Contains(got, "| 41 |") {
		t.Errorf("cut summary:\n%s", got)
	}
	out.Reset()
	if err := printSummary(&out, dir, 45); err != nil || out.String() != b.String() {
		t.Errorf("uncut summary differs (err %v):\n%s", err, out.String())
	}
}

// TestCompareExperiments compares two experiments: allowed, with a note,
// and the latency_ms gate.
func TestCompareExperiments(t *testing.T) {
	base, err := os.ReadFile("experiments/testdata/relay-sweep.toml")
	if err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(t.TempDir(), "other.toml")
	text := strings.Replace(string(base), `name = "relay-sweep"`, `name = "relay-other"`, 1)
	text = strings.Replace(text, `"network.delay.max" = ["10ms", "20ms", "40ms"]`, `"network.delay.max" = ["30ms", "60ms", "90ms"]`, 1)
	if err := os.WriteFile(exp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, e := range []string{"experiments/testdata/relay-sweep.toml", exp} {
		if code, _, stderr := byzsim(t, "run", e, "-o", out, "-q", "--no-report"); code != 0 {
			t.Fatalf("run %s: exit %d:\n%s", e, code, stderr)
		}
	}
	a, b := filepath.Join(out, "relay-sweep")+":1", filepath.Join(out, "relay-other")+":protocol.n=4"
	code, stdout, stderr := byzsim(t, "compare", a, b, "--fail-if-worse", "latency_ms=5")
	if !strings.Contains(stderr, "A and B are different experiments (relay-sweep, relay-other)") {
		t.Errorf("no note on different experiments:\n%s", stderr)
	}
	// Three times the link delay: the median request latency rises.
	if code != 1 || !strings.Contains(stderr, "REGRESSION latency_ms: median request latency") {
		t.Errorf("latency_ms gate: exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "network.delay.max=30ms") {
		t.Errorf("B's point not named:\n%s", stdout)
	}
}
