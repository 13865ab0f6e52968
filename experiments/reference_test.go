package experiments

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/results"
)

// TestDiemBFTReferenceScenarios runs every experiment in diembft/ (the
// DiemBFT reference's test configurations) through the same code path as
// `byzsim run`: each must pass its safety and liveness checks, and its fault
// rules must have acted, so the scenario really exercises the faults it is
// named after. (Not every rule of a reference scenario acts: an isolated
// replica may never send in the rounds its rules name.)
func TestDiemBFTReferenceScenarios(t *testing.T) {
	files, err := filepath.Glob("diembft/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 16 {
		t.Fatalf("%d reference scenarios, want 16", len(files))
	}
	reg := protocols.NewRegistry(prototest.Protocol(), diembft.Protocol())
	out := t.TempDir()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			plan, err := Load(file, reg, Options{Sets: []string{"output.plots=false"}})
			if err != nil {
				t.Fatal(err)
			}
			rep := executePassing(t, plan, out)
			s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if s.RequestsCompleted == 0 {
				t.Error("no request completed")
			}
			fired := uint64(0)
			for _, fc := range s.Faults {
				fired += fc.Fired
			}
			if len(s.Faults) > 0 && fired == 0 {
				t.Errorf("none of the %d fault rules acted: %+v", len(s.Faults), s.Faults)
			}
		})
	}
}

// TestBFTListExperiments runs every experiment in bftlist/ through the run
// path: each must pass its checks.
func TestBFTListExperiments(t *testing.T) {
	files, err := filepath.Glob("bftlist/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no BFTList experiments: %v", err)
	}
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			plan, err := Load(file, reg, Options{Sets: []string{"output.plots=false"}})
			if err != nil {
				t.Fatal(err)
			}
			executePassing(t, plan, t.TempDir())
		})
	}
}

// TestExpectCanFail checks that a wrong [expect] assertion fails the run
// and says why.
func TestExpectCanFail(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, tt := range []struct{ set, want string }{
		{"expect.round=3", "ends in round 0, want 3"},
		{"expect.min_committed=1000", "want at least 1000"},
	} {
		plan, err := Load("bftlist/fault_free.toml", reg, Options{Sets: []string{"output.plots=false", tt.set}})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) != 1 {
			t.Fatalf("%s: %d failed runs, want 1", tt.set, len(rep.Failures))
		}
		found := false
		for _, c := range rep.Failures[0].Checks {
			if c.Name == "expect" && !c.OK && strings.Contains(c.Detail, tt.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no failing expect check mentioning %q: %+v", tt.set, tt.want, rep.Failures[0].Checks)
		}
	}
}

// executePassing runs a plan into out and reports every failed check.
func executePassing(t *testing.T, plan *Plan, out string) *Report {
	t.Helper()
	rep, err := Execute(context.Background(), plan, RunOptions{Out: out, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		for _, c := range f.Checks {
			if !c.OK {
				t.Errorf("run %s: %s: %s", f.Run.ID, c.Name, c.Detail)
			}
		}
	}
	return rep
}
