package experiments

import (
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/results"
)

// TestBFTListN100 runs the n = 100 benchmark experiment, cut to a few
// virtual seconds, through the run path: replica sets beyond 64 replicas
// must let view establishment settle and requests commit, safely.
func TestBFTListN100(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	plan, err := Load("bench/bftlist-n100.toml", reg, Options{Sets: []string{"output.plots=false", "duration=\"4s\"", "expect.min_committed=2"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Base.Protocol.N != 100 {
		t.Fatalf("n = %d, want 100", plan.Base.Protocol.N)
	}
	rep := executePassing(t, plan, t.TempDir())
	s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.RequestsCompleted == 0 {
		t.Error("no request completed at n = 100")
	}
}
