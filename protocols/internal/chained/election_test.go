package chained

import (
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// The election makes its table of overridden leaders on first use: before
// it, and after every override is gone, round-robin decides.
func TestElectionOverrides(t *testing.T) {
	for _, c := range []struct {
		n   int
		rpl int64
	}{{4, 1}, {4, 2}, {7, 2}, {10, 3}, {1000, 2}} {
		e := NewElection(c.n, c.rpl, false, 5, 1, 9)
		rr := func(round int64) sim.NodeID { return sim.NodeID((round / c.rpl) % int64(c.n)) }
		for round := int64(0); round < 50; round++ {
			if got := e.Leader(round); got != rr(round) {
				t.Fatalf("n=%d: Leader(%d) = %d before any override, want %d", c.n, round, got, rr(round))
			}
			if _, ok := e.Elected(round); ok {
				t.Fatalf("n=%d: Elected(%d) reports a leader before any override", c.n, round)
			}
		}
		e.Override(7, sim.NodeID(c.n-1))
		e.SetElected(9, 2, true)
		if got := e.Leader(7); got != sim.NodeID(c.n-1) {
			t.Errorf("n=%d: Leader(7) = %d after Override, want %d", c.n, got, c.n-1)
		}
		if got := e.Leader(9); got != 2 {
			t.Errorf("n=%d: Leader(9) = %d after SetElected, want 2", c.n, got)
		}
		if got := e.Leader(8); got != rr(8) {
			t.Errorf("n=%d: Leader(8) = %d, want round-robin %d", c.n, got, rr(8))
		}
		e.SetElected(7, sim.None, false)
		e.SetElected(9, sim.None, false)
		for _, round := range []int64{7, 9} {
			if got := e.Leader(round); got != rr(round) {
				t.Errorf("n=%d: Leader(%d) = %d after the override was undone, want %d", c.n, round, got, rr(round))
			}
		}
	}
}
