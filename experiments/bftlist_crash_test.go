package experiments

import (
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/results"
)

// TestBFTListPrimaryCrash runs testdata/bftlist-primary-crash.toml (n = 6,
// f = 1, the primary crashes at 2 s) through the run path in twelve
// repetitions: every run must keep the correct replicas' lists
// prefix-consistent, complete every request and establish a new view.
// Before fix 14 of docs/bftlist.md, five of the twelve executed different
// requests at the same heights after a reset that no fault justified.
func TestBFTListPrimaryCrash(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	plan, err := Load("testdata/bftlist-primary-crash.toml", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Runs) != 12 {
		t.Fatalf("%d runs, want 12", len(plan.Runs))
	}
	rep := executePassing(t, plan, t.TempDir())
	for _, r := range plan.Runs {
		s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, r.ID, results.SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		if s.RequestsCompleted != 80 {
			t.Errorf("run %s: %d of 80 requests completed", r.ID, s.RequestsCompleted)
		}
		if s.ViewChanges == 0 {
			t.Errorf("run %s: no view change after the primary crashed", r.ID)
		}
	}
}
