package bftlist

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestReqQBoundKeepsNewPrimaryNumbers is the regression of fix 28: the
// primary of view 1 holds PRE_PREP-only pairs of view 0 under numbers 2 …
// 9 and numbers the pending requests from 0 (before fix 29 a view change
// left it so: nobody else held those pairs, so they were not renumbered,
// and its numbering started at lastExec). req_q then holds more than its
// bound σK = 10, which dropped the lowest numbers — 0 and 1, the next to
// execute — so nothing executed again. Over the bound, the pair of the
// previous view yields to the primary's pair under its number.
func TestReqQBoundKeepsNewPrimaryNumbers(t *testing.T) {
	const n, f, id = 6, 1, 1
	r, _ := newTestReplica(t, id, n, f, protocols.Params{"force_view": int64(id)})
	g := &r.rep
	req := func(c, ts int) ClientReq {
		return ClientReq{Client: 6, TS: uint64(c*100 + ts), Op: protocols.OpAppend, Value: int64(c*100 + ts)}
	}
	var pend []ClientReq
	for i := 0; i < g.sigmaK; i++ {
		pend = append(pend, req(1, i))
	}
	for k := range g.rep {
		if k != id {
			s := defaultStructure(r.k)
			g.setRep(k, &s)
		}
		s := g.rep[k]
		s.Prim = id
		s.PendReqs = slices.Clone(pend)
	}
	for seq := int64(2); seq < int64(g.sigmaK); seq++ {
		g.own.ReqQ = append(g.own.ReqQ, ReqPair{Req: Req{Q: req(0, int(seq)), View: 0, Seq: seq}, Status: PrePrep})
	}
	g.own.SeqNum = -1
	g.assign(id)
	got := map[int64]Req{}
	for _, p := range g.own.ReqQ {
		if p.Req.View != id {
			t.Errorf("req_q keeps %v of view %d over its bound", p.Req.Q, p.Req.View)
		}
		got[p.Req.Seq] = p.Req
	}
	for seq := int64(0); seq < int64(g.sigmaK); seq++ {
		if _, ok := got[seq]; !ok {
			t.Errorf("no pair numbered %d in req_q %v: the next to execute must stay", seq, g.own.ReqQ)
		}
	}
}

// TestReqQVictim: which pair a req_q one over its bound drops (fix 28).
// Inside the window (lastExec, lastExec+σK] distinct numbers never exceed
// the bound, so the victim is a pair outside it or one of two pairs under
// one number; the lowest number, the next to execute, stays.
func TestReqQVictim(t *testing.T) {
	q := func(i int) ClientReq {
		return ClientReq{Client: 6, TS: uint64(i), Op: protocols.OpAppend, Value: int64(i)}
	}
	pair := func(i int, view, seq int64, st Status) ReqPair {
		return ReqPair{Req: Req{Q: q(i), View: view, Seq: seq}, Status: st}
	}
	const limit = 3
	executed := []LogEntry{{Req: Req{Q: q(99), Seq: 0}, X: full(6)}} // lastExec 0: window (0, 3]
	for _, tc := range []struct {
		name string
		prim int64
		log  []LogEntry
		have []ReqPair
		add  ReqPair
		gone ReqPair
	}{
		{"older view's PRE_PREP under the new primary's number", 1, nil,
			[]ReqPair{pair(1, 0, 1, PrePrep), pair(2, 0, 2, PrePrep), pair(3, 1, 0, PrePrep|Prep)},
			pair(4, 1, 1, PrePrep|Prep), pair(1, 0, 1, PrePrep)},
		{"the new pair yields to a committed one", 1, nil,
			[]ReqPair{pair(1, 0, 0, PrePrep|Prep|Commit), pair(2, 1, 1, PrePrep|Prep), pair(3, 1, 2, PrePrep|Prep)},
			pair(4, 1, 0, PrePrep|Prep), pair(4, 1, 0, PrePrep|Prep)},
		{"as many statuses: the current primary's pair stays", 2, nil,
			[]ReqPair{pair(1, 1, 0, PrePrep|Prep), pair(2, 2, 1, PrePrep|Prep), pair(3, 2, 2, PrePrep|Prep)},
			pair(4, 2, 0, PrePrep|Prep), pair(1, 1, 0, PrePrep|Prep)},
		{"a gap-filling NO_OP at the lowest number stays; a tie drops the later pair", 2, nil,
			[]ReqPair{pair(1, 1, 1, PrePrep|Prep|Commit), pair(2, 0, 2, PrePrep|Prep|Commit), pair(3, 1, 2, PrePrep|Prep|Commit)},
			ReqPair{Req: Req{Q: dummyReq, View: 2, Seq: 0}, Status: PrePrep | Prep}, pair(3, 1, 2, PrePrep|Prep|Commit)},
		{"outside the window first", 1, executed,
			[]ReqPair{pair(1, 1, 1, PrePrep), pair(2, 1, 2, PrePrep), pair(3, 1, 7, PrePrep|Prep|Commit)},
			pair(4, 1, 3, PrePrep), pair(3, 1, 7, PrePrep|Prep|Commit)},
		{"at or below lastExec is outside", 1, executed,
			[]ReqPair{pair(1, 1, 0, PrePrep|Prep|Commit), pair(2, 1, 1, PrePrep), pair(3, 1, 2, PrePrep)},
			pair(4, 1, 3, PrePrep), pair(1, 1, 0, PrePrep|Prep|Commit)},
		// Number 0 is lastExec itself: outside the window, it goes before
		// the weaker of the two pairs under 1.
		{"at lastExec is outside, before two pairs under one number", 1, executed,
			[]ReqPair{pair(1, 1, 0, PrePrep|Prep|Commit), pair(2, 1, 1, PrePrep), pair(3, 1, 1, PrePrep|Prep)},
			pair(4, 1, 2, PrePrep), pair(1, 1, 0, PrePrep|Prep|Commit)},
		// Two numbers with two pairs each: the weakest of the pairs that
		// yield goes (PRE_PREP only before PREP), here the first of req_q.
		{"the weakest of several yielding pairs, the first of req_q", 1, nil,
			[]ReqPair{pair(1, 1, 0, PrePrep), pair(2, 1, 0, PrePrep|Prep|Commit), pair(3, 1, 1, PrePrep|Prep)},
			pair(4, 1, 1, PrePrep|Prep|Commit), pair(1, 1, 0, PrePrep)},
		{"the weakest of several yielding pairs, the last of req_q", 1, nil,
			[]ReqPair{pair(1, 1, 0, PrePrep|Prep), pair(2, 1, 0, PrePrep|Prep|Commit), pair(3, 1, 1, PrePrep|Prep|Commit)},
			pair(4, 1, 1, PrePrep), pair(4, 1, 1, PrePrep)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := RepStructure{Prim: tc.prim, RLog: tc.log, ReqQ: slices.Clone(tc.have)}
			s.addReq(tc.add, limit)
			want := slices.DeleteFunc(append(slices.Clone(tc.have), tc.add), func(p ReqPair) bool { return p == tc.gone })
			if !slices.Equal(s.ReqQ, want) {
				t.Errorf("req_q %v, want %v (drop %v)", s.ReqQ, want, tc.gone)
			}
		})
	}
}

// TestReqQVictimLowestNumber: the last rule, which keeps the choice total.
// addReq never reaches it (over the bound, req_q holds a pair outside the
// window or two pairs under one number), so reqQVictim is asked directly
// about a req_q within its bound: the lowest number, wherever it stands.
func TestReqQVictimLowestNumber(t *testing.T) {
	pair := func(seq int64) ReqPair {
		return ReqPair{Req: Req{Q: ClientReq{Client: 6, TS: uint64(seq), Op: protocols.OpAppend, Value: seq}, View: 1, Seq: seq}, Status: PrePrep}
	}
	for _, tc := range []struct {
		seqs []int64
		want int
	}{
		{[]int64{0}, 0},
		{[]int64{0, 1, 2}, 0},
		{[]int64{2, 1, 0}, 2},
		{[]int64{2, 0, 1}, 1},
	} {
		s := RepStructure{Prim: 1}
		for _, seq := range tc.seqs {
			s.ReqQ = append(s.ReqQ, pair(seq))
		}
		if got := s.reqQVictim(3); got != tc.want {
			t.Errorf("numbers %v: victim %d, want %d (number %d)", tc.seqs, got, tc.want, tc.seqs[tc.want])
		}
	}
}
