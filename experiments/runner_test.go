package experiments

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/sim"
)

// TestFirstCommitFailureStopsRuns: when experiment.toml and the first
// manifest cannot be put in place (here manifest.json is a directory, so
// renaming the manifest onto it fails), the runs stop at once instead of
// simulating to their end, nothing of them is written (not even the trace
// they write while they run), and Execute returns the error.
func TestFirstCommitFailureStopsRuns(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	// Four runs of about a second each: the commit fails within
	// milliseconds of the start.
	plan, err := Load("default.toml", reg, Options{Sets: []string{
		`duration="120s"`, "workload[0].count=6000", `workload[0].timeout="120s"`,
		"repetitions=4", "output.plots=false", "output.trace=true",
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	dir := filepath.Join(out, plan.Base.Name)
	if err := os.MkdirAll(filepath.Join(dir, ManifestFile, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	reached := map[string]sim.Time{}
	progress := func(r *Run, now sim.Time, _ uint64) {
		mu.Lock()
		defer mu.Unlock()
		reached[r.ID] = max(reached[r.ID], now)
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: out, Jobs: 2, OnProgress: progress})
	if err == nil || !strings.Contains(err.Error(), ManifestFile) {
		t.Fatalf("Execute returned %v, want the error of writing %s", err, ManifestFile)
	}
	if rep == nil {
		t.Fatal("no report of what ran")
	}
	if rep.Ran != 0 || rep.Complete || rep.Interrupted {
		t.Errorf("report: %d runs ran, complete %t, interrupted %t; want 0, false, false", rep.Ran, rep.Complete, rep.Interrupted)
	}
	for id, at := range reached {
		if at >= plan.Base.Duration.T()/2 {
			t.Errorf("run %s simulated to %v of %v after the commit failed", id, at, plan.Base.Duration.T())
		}
	}
	runs, err := os.ReadDir(filepath.Join(dir, RunsDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		t.Errorf("run directory %s written", r.Name())
	}
	temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
