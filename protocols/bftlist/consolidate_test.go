package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// bruteChain is the reference's com_pref_states: every m-subset in
// lexicographic order, pairwise prefix-compatible ones kept, the first
// with the longest common prefix returned.
func bruteChain(rep []*RepStructure, m int) []int {
	n := len(rep)
	var best []int
	bestLen := -1
	idx := make([]int, m)
	var rec func(pos, from int)
	rec = func(pos, from int) {
		if pos == m {
			for a := 0; a < m; a++ {
				for b := a + 1; b < m; b++ {
					if !compatible(rep[idx[a]], rep[idx[b]]) {
						return
					}
				}
			}
			l := len(rep[idx[0]].State)
			for _, k := range idx {
				l = min(l, len(rep[k].State))
			}
			if l > bestLen {
				bestLen = l
				best = slices.Clone(idx)
			}
			return
		}
		for c := from; c < n; c++ {
			idx[pos] = c
			rec(pos+1, c+1)
		}
	}
	if m >= 1 && m <= n {
		rec(0, 0)
	}
	return best
}

// randomStructures draws states from a few branching lists so that prefix
// relations are common.
func randomStructures(rng *rand.Rand, n int) []*RepStructure {
	branches := make([][]int64, 1+rng.IntN(3))
	base := make([]int64, rng.IntN(4))
	for i := range base {
		base[i] = rng.Int64N(3)
	}
	for b := range branches {
		l := append(slices.Clone(base), make([]int64, rng.IntN(5))...)
		for i := len(base); i < len(l); i++ {
			l[i] = rng.Int64N(3)
		}
		branches[b] = l
	}
	out := make([]*RepStructure, n)
	for k := range out {
		s := &RepStructure{}
		switch rng.IntN(6) {
		case 0: // default prefix
		case 1: // empty state, but pending work
			s.PendReqs = []ClientReq{{Client: 9, TS: 1}}
		default:
			br := branches[rng.IntN(len(branches))]
			s.State = clip(br[:rng.IntN(len(br)+1)])
			if len(s.State) == 0 {
				s.PendReqs = []ClientReq{{Client: 9, TS: 2}}
			}
		}
		out[k] = s
	}
	return out
}

func TestPrefixChainEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	found, nonEmpty := 0, 0
	for it := 0; it < 20000; it++ {
		n := 1 + rng.IntN(9)
		m := 1 + rng.IntN(n)
		rep := randomStructures(rng, n)
		want := bruteChain(rep, m)
		got := prefixChain(rep, m)
		if got != nil {
			found++
			if len(rep[got[0]].State) > 0 {
				nonEmpty++
			}
		}
		if !slices.Equal(got, want) {
			states := make([][]int64, n)
			for k, s := range rep {
				states[k] = s.State
			}
			t.Fatalf("n=%d m=%d states=%v def=%v: prefixChain %v, brute force %v", n, m, states,
				func() []bool {
					d := make([]bool, n)
					for k, s := range rep {
						d[k] = s.isDefPrefix()
					}
					return d
				}(), got, want)
		}
	}
	if found < 5000 || nonEmpty < 2000 {
		t.Fatalf("weak cases: %d found, %d with a non-empty prefix", found, nonEmpty)
	}
}

func appendReq(seq, v int64) LogEntry {
	return LogEntry{Req: Req{Q: ClientReq{Client: 6, TS: uint64(seq), Op: protocols.OpAppend, Value: v}, Seq: seq}, X: full(6)}
}

func noopReq(seq int64) LogEntry { return LogEntry{Req: Req{Q: dummyReq, Seq: seq}, X: full(6)} }

func TestLogUpTo(t *testing.T) {
	log := []LogEntry{appendReq(3, 30), noopReq(4), appendReq(5, 50), appendReq(6, 60)}
	state := []int64{10, 20, 30, 50, 60} // the log is trimmed: 10, 20 fell out
	for _, tc := range []struct {
		l    int
		want int // entries kept, −1: no log
	}{
		{5, 4}, {4, 3}, {3, 2}, {2, 0}, {1, -1},
	} {
		got, ok := logUpTo(log, state, tc.l)
		if tc.want < 0 {
			if ok {
				t.Errorf("l=%d: got %d entries, want none", tc.l, len(got))
			}
			continue
		}
		if !ok || len(got) != tc.want {
			t.Errorf("l=%d: got %d entries (ok=%v), want %d", tc.l, len(got), ok, tc.want)
		}
	}
	if _, ok := logUpTo(log, []int64{1, 2, 3}, 3); ok {
		t.Error("log accepted for a state whose tail differs")
	}
}

func TestConsolidate(t *testing.T) {
	mk := func(st ...int64) *RepStructure {
		s := &RepStructure{State: st}
		for i, v := range st {
			s.RLog = append(s.RLog, appendReq(int64(i), v))
		}
		return s
	}
	rep := []*RepStructure{mk(1, 2, 3), mk(1, 2), mk(1, 2, 3, 4), mk(1, 9), mk(1, 2, 3), mk(1, 2, 3)}
	x, ok := consolidateFrom(rep, 4)
	if !ok || !slices.Equal(x.state, []int64{1, 2, 3}) || len(x.rlog) != 3 {
		t.Fatalf("n−2f consolidation = %v (log %d) ok=%v, want [1 2 3]", x.state, len(x.rlog), ok)
	}
	x, ok = consolidateFrom(rep, 5)
	if !ok || !slices.Equal(x.state, []int64{1, 2}) {
		t.Fatalf("5-consolidation = %v ok=%v, want [1 2]", x.state, ok)
	}
	if _, ok := consolidateFrom(rep, 6); ok {
		t.Fatal("consolidation over a conflicting replica succeeded")
	}
}

// TestStateIDsMatchLists checks, over rounds of changing states, that
// stateIDs gives two structures the same number exactly when their states
// hold the same elements: states are appended to (in place when the
// array has room, as executions do), replaced by equal copies, by
// prefixes of other states, or emptied.
func TestStateIDsMatchLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(12)
		// Replica 0's structure is written in place, as a replica's own
		// is; the others are replaced, as the peers' are.
		ids := newStateIDs(n, 0)
		own := make([][]int64, n) // each replica's growing array
		rep := make([]*RepStructure, n)
		for k := range rep {
			rep[k] = &RepStructure{}
		}
		set := func(k int, s *RepStructure) {
			if k == 0 {
				*rep[0] = *s
			} else {
				rep[k] = s
			}
		}
		for round := 0; round < 40; round++ {
			for k := range rep {
				switch rng.IntN(6) {
				case 0: // execute: append in place when there is room
					own[k] = append(own[k], rng.Int64N(2))
					set(k, &RepStructure{State: clip(own[k])})
				case 1: // adopt an equal copy of another state
					j := rng.IntN(n)
					own[k] = append(make([]int64, 0, len(rep[j].State)+4), rep[j].State...)
					set(k, &RepStructure{State: clip(own[k])})
				case 2: // adopt a prefix of another state, sharing its array
					j := rng.IntN(n)
					st := rep[j].State
					set(k, &RepStructure{State: clip(st[:rng.IntN(len(st)+1)])})
					own[k] = rep[k].State
				case 3: // reset
					own[k] = nil
					set(k, &RepStructure{})
				default: // unchanged
				}
			}
			got := ids.of(rep)
			for a := range rep {
				for b := range rep {
					if same := sameList(rep[a].State, rep[b].State); (got[a] == got[b]) != same {
						t.Fatalf("trial %d round %d: states %v and %v numbered %d and %d", trial, round, rep[a].State, rep[b].State, got[a], got[b])
					}
				}
			}
		}
	}
}

// TestStateIDsStayBounded replaces every state but one by a new one at each
// call, as corruption does, and checks that the trie keeps no more numbers than
// its bound allows (and numbers equal states equally across its restarts).
func TestStateIDsStayBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, length = 5, 12
	ids := newStateIDs(n, -1)
	rep := make([]*RepStructure, n)
	most := 0
	for round := 0; round < 3000; round++ {
		for k := range rep {
			if k == 0 && round > 0 {
				continue // one state held throughout, across the restarts
			}
			st := make([]int64, 1+rng.IntN(length))
			for i := range st {
				st[i] = rng.Int64N(1 << 40)
			}
			if k > 0 && rng.IntN(3) == 0 { // an equal copy of another's state
				st = append([]int64(nil), rep[rng.IntN(k)].State...)
			}
			rep[k] = &RepStructure{State: st}
		}
		got := ids.of(rep)
		for a := range rep {
			for b := range rep {
				if same := sameList(rep[a].State, rep[b].State); (got[a] == got[b]) != same {
					t.Fatalf("round %d: states %v and %v numbered %d and %d", round, rep[a].State, rep[b].State, got[a], got[b])
				}
			}
		}
		most = max(most, len(ids.child))
	}
	// The bound is twice the states' total length and 64 (at most
	// 2·(64 + n·length)); one call adds at most the total length after it.
	if limit := 2*(64+n*length) + n*length; most > limit {
		t.Fatalf("the trie kept %d edges, more than %d", most, limit)
	}
}

// TestLogMatchesTail checks logMatchesTail against its definition: the
// APPEND values of the log, replayed with apply, are the last elements of
// the state.
func TestLogMatchesTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ops := []ClientReq{
		{Client: 9, Op: protocols.OpAppend},
		{Client: 9, Op: protocols.OpNoop},
		dummyReq,
	}
	for trial := 0; trial < 20000; trial++ {
		state := make([]int64, rng.IntN(6))
		for i := range state {
			state[i] = rng.Int64N(3)
		}
		log := make([]LogEntry, rng.IntN(6))
		for i := range log {
			q := ops[rng.IntN(len(ops))]
			q.Value = rng.Int64N(3)
			log[i] = LogEntry{Req: Req{Q: q, Seq: int64(i)}}
		}
		var vals []int64
		for _, e := range log {
			vals = apply(vals, e.Req.Q)
		}
		want := len(vals) <= len(state) && slices.Equal(vals, state[len(state)-len(vals):])
		if got := logMatchesTail(log, state); got != want {
			t.Fatalf("log %v, state %v: logMatchesTail = %v, want %v", log, state, got, want)
		}
	}
}

// TestChainMemoMatchesFresh checks, over rounds of changing structures,
// that replication's consolidation, which remembers its chosen replicas
// per m while the numbered states and default-prefix flags stay the same,
// returns what a fresh prefix chain gives.
func TestChainMemoMatchesFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pend := []ClientReq{{Client: 9, Op: protocols.OpAppend, TS: 1}}
	for trial := 0; trial < 100; trial++ {
		n := 6 + rng.IntN(10)
		g := &replication{rep: make([]*RepStructure, n), states: newStateIDs(n, -1)}
		own := make([][]int64, n)
		for k := range g.rep {
			g.setRep(k, &RepStructure{})
		}
		for round := 0; round < 40; round++ {
			for k := range g.rep {
				switch rng.IntN(8) {
				case 0: // execute
					own[k] = append(own[k], rng.Int64N(2))
					g.setRep(k, &RepStructure{State: clip(own[k])})
				case 1: // adopt a prefix of another state
					j := rng.IntN(n)
					st := g.rep[j].State
					g.setRep(k, &RepStructure{State: clip(st[:rng.IntN(len(st)+1)])})
					own[k] = g.rep[k].State
				case 2: // reset
					own[k] = nil
					g.setRep(k, &RepStructure{})
				case 3: // empty state, not default prefix
					own[k] = nil
					g.setRep(k, &RepStructure{PendReqs: pend})
				case 4: // the same structure received again
					c := *g.rep[k]
					g.setRep(k, &c)
				default: // unchanged
				}
			}
			for _, m := range []int{n - 2, n - 3, n - 2} {
				got, gotOK := g.consolidate(m)
				want, wantOK := consolidateFrom(g.rep, m)
				if gotOK != wantOK || got.isDef != want.isDef || !slices.Equal(got.state, want.state) || len(got.rlog) != len(want.rlog) {
					t.Fatalf("trial %d round %d m %d: memo %v %v (def %v), fresh %v %v (def %v)",
						trial, round, m, got.state, gotOK, got.isDef, want.state, wantOK, want.isDef)
				}
			}
		}
	}
}
