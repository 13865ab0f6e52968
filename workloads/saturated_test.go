package workloads_test

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// TestSaturatedPreload checks the requests a saturated workload queues at
// every replica: no client node, one negative client id per client, ids
// 1 … count.
func TestSaturatedPreload(t *testing.T) {
	tr, err := workloads.NewTracker(workloads.Config{N: 4, F: 1}, []workloads.Spec{
		{Count: 3, Clients: 2, Payload: 8, Timeout: sim.Second, Params: &workloads.SaturatedParams{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Saturated() || tr.NumClients() != 0 {
		t.Fatalf("Saturated() = %v, NumClients() = %d; want true, 0", tr.Saturated(), tr.NumClients())
	}
	want := []protocols.RequestKey{{Client: -2, ID: 1}, {Client: -2, ID: 2}, {Client: -2, ID: 3},
		{Client: -3, ID: 1}, {Client: -3, ID: 2}, {Client: -3, ID: 3}}
	got := tr.Preload()
	if len(got) != len(want) {
		t.Fatalf("Preload() gave %d requests, want %d", len(got), len(want))
	}
	for i, q := range got {
		if q.Key() != want[i] || q.Payload != 8 || q.Op != protocols.OpAppend {
			t.Errorf("request %d = %v (payload %d), want key %v, payload 8, an append", i, q, q.Payload, want[i])
		}
	}
	if st := tr.Status()[0]; st.Total != 6 || st.Outstanding != 6 || st.Stalled {
		t.Errorf("status before any commit: %+v; want 6 outstanding of 6, not stalled", st)
	}
}

// TestSaturatedCommitted checks that requests complete when the n−f-th
// correct replica commits their entry, once per height, and that the
// workload is done with its last request.
func TestSaturatedCommitted(t *testing.T) {
	s := sim.Second
	tr, err := workloads.NewTracker(workloads.Config{N: 4, F: 1}, []workloads.Spec{
		{Name: "sat", Count: 10, Timeout: 100 * s, Params: &workloads.SaturatedParams{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var finished []sim.Time
	tr.OnFinished(func(at sim.Time) { finished = append(finished, at) })
	steps := []struct {
		at       sim.Time
		height   int64
		requests int
		want     int // requests completed by this commit
	}{
		{1 * s, 1, 4, 0},
		{2 * s, 1, 4, 0},
		{3 * s, 1, 4, 4}, // the third of n−f = 3
		{4 * s, 1, 4, 0}, // the fourth counts no more
		{5 * s, 2, 0, 0}, // an empty entry
		{5 * s, 2, 0, 0},
		{5 * s, 2, 0, 0},
		{6 * s, 3, 4, 0},
		{6 * s, 3, 4, 0},
		{7 * s, 3, 4, 4},
		{8 * s, 4, 4, 0},
		{8 * s, 4, 4, 0},
		{9 * s, 4, 4, 2}, // only 2 of 10 were left
	}
	for i, st := range steps {
		got := 0
		for _, d := range tr.Committed(st.at, st.height, st.requests) {
			if d.Workload != "sat" {
				t.Errorf("step %d: completion of workload %q", i, d.Workload)
			}
			got += d.Requests
		}
		if got != st.want {
			t.Errorf("step %d (height %d): %d requests completed, want %d", i, st.height, got, st.want)
		}
	}
	st := tr.Status()[0]
	if st.Completed != 10 || !st.Done || st.DoneAt != 9*s || st.Outstanding != 0 {
		t.Errorf("final status %+v; want 10 completed, done at 9s", st)
	}
	if len(finished) != 1 || finished[0] != 9*s {
		t.Errorf("OnFinished calls %v, want one at 9s", finished)
	}
}

// TestSaturatedTimeout: with replicas that commit nothing, a saturated
// workload times out at its deadline, with every request outstanding and
// no client node.
func TestSaturatedTimeout(t *testing.T) {
	out := setup{specs: []workloads.Spec{{Count: 5, Timeout: 7 * sim.Second, Params: &workloads.SaturatedParams{}}}}.run(t)
	st := out.tr.Status()[0]
	if !st.TimedOut || st.TimedOutAt != 7*sim.Second || st.Outstanding != 5 || st.Completed != 0 {
		t.Errorf("status %+v; want timed out at 7s with 5 outstanding", st)
	}
	if len(out.finished) != 1 || out.finished[0] != 7*sim.Second {
		t.Errorf("OnFinished calls %v, want one at 7s", out.finished)
	}
	if nodes := out.world.NumNodes(); nodes != 4 {
		t.Errorf("the world has %d nodes; a saturated workload adds no client to the 4 replicas", nodes)
	}
}
