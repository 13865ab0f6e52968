package experiments

import (
	"strings"
	"testing"
)

// TestCaughtUpThenFurtherCommit: a run that stops once the workloads are
// done and every correct replica caught up must not stop when the replica
// that caught up commits a further height in the same event (a sync of
// two blocks), leaving the others one height behind. byzsim explore found
// this schedule: progress_after_gst failed with "stopped at height 19 of
// 20" in a run that ended as "caught up".
func TestCaughtUpThenFurtherCommit(t *testing.T) {
	reg := fullRegistry()
	plan, err := Load("testdata/caught_up_same_event.toml", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := Simulate(plan.Runs[0].Exp, plan.Runs[0].Seed, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := o.Failed(); len(f) > 0 {
		t.Fatalf("failed checks: %v", f)
	}
	if !strings.Contains(o.End, "caught up") {
		t.Errorf("ended %q, want the caught-up stop", o.End)
	}
}
