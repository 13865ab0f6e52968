package chained

import (
	"math"
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

// Round-robin's memo (RoundRobin) answers as the formula does, whatever
// the order of the rounds asked: ascending (a replica's rounds), each
// round and the next (a vote), back and forth, and at the int64 range's
// edges.
func TestElectionLeaderRoundRobin(t *testing.T) {
	rounds := []int64{0, 1, 2, 3, 999, 1000, 1001, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, 1<<32 + 7, 1 << 40, 1<<63 - 1, 1<<63 - 2, -1, -2, -1000, -1 << 32, -1 << 63, 5, 4, 6, 0}
	for r := int64(0); r < 40; r++ {
		rounds = append(rounds, r, r+1)
	}
	for r := int64(40); r > -10; r -= 3 {
		rounds = append(rounds, r, r+2)
	}
	for _, n := range []int{1, 2, 4, 7, 256, 1000, 1<<31 - 1} {
		for _, rpl := range []int64{1, 2, 3, 1 << 30, 1<<63 - 1} {
			e := NewElection(n, rpl, false, 5, 1, 9)
			for _, round := range rounds {
				k := round / rpl
				if round < 0 && round%rpl != 0 {
					k--
				}
				want := sim.NodeID(((k % int64(n)) + int64(n)) % int64(n))
				if got := e.Leader(round); got != want {
					t.Fatalf("n=%d rounds/leader=%d: Leader(%d) = %d, want %d", n, rpl, round, got, want)
				}
			}
		}
	}
}

// Leader's memo never outlives a change of the leaders: an override, an
// election, one undone, a prune, a table set after the memo was filled.
func TestElectionLeaderMemo(t *testing.T) {
	e := NewElection(10, 1, false, 5, 1, 9)
	ask := func(step string, round int64, want sim.NodeID) {
		t.Helper()
		for range 2 { // the first call may fill the memo, the second reads it
			if got := e.Leader(round); got != want {
				t.Fatalf("%s: Leader(%d) = %d, want %d", step, round, got, want)
			}
		}
	}
	ask("round-robin", 4, 4)
	ask("round-robin", 5, 5)
	e.Override(4, 9)
	ask("override", 4, 9)
	ask("override", 5, 5)
	e.SetElected(5, 7, true)
	ask("elected", 5, 7)
	ask("elected", 4, 9)
	e.SetElected(4, sim.None, false)
	ask("undone", 4, 4)
	for r := int64(100); r < 170; r++ { // enough entries for Prune to act
		e.Override(r, 3)
	}
	ask("many overrides", 5, 7)
	ask("many overrides", 101, 3) // in the memo (rounds of one parity share a slot)
	e.Prune(150)
	ask("pruned", 101, 1)
	ask("pruned", 5, 5)
	ask("kept", 160, 3)
	ask("pruned", 101, 1)
	e.Table = func(round int64) sim.NodeID { return sim.NodeID(round % 3) }
	ask("table", 101, 2)
	ask("table", 160, 3) // an override still wins over the table
	e.Table = nil
	ask("no table", 101, 1)
	ask("genesis", -1, 9)
	ask("genesis", -2, 8)
}

// TestNewElectionBounds: an election of no replicas, of more than node ids
// can name, or with fewer than one round per leader is refused; the bounds
// themselves are accepted.
func TestNewElectionBounds(t *testing.T) {
	for _, c := range []struct {
		n       int
		rounds  int64
		refused bool
	}{
		{1, 1, false},
		{4, 2, false},
		{math.MaxInt32, 1, false},
		{0, 1, true},
		{-1, 1, true},
		{4, 0, true},
		{4, -2, true},
		{int(min(math.MaxInt32+1, math.MaxInt)), 1, math.MaxInt > math.MaxInt32},
	} {
		refused := func() (refused bool) {
			defer func() { refused = recover() != nil }()
			NewElection(c.n, c.rounds, false, 5, 1, 0)
			return false
		}()
		if refused != c.refused {
			t.Errorf("NewElection(%d, %d): refused %v, want %v", c.n, c.rounds, refused, c.refused)
		}
	}
}
