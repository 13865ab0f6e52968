package bftlist

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestPendingDuringViewChange is the regression of fix 25: while a view
// change waits for the new primary, the pending requests are unassigned,
// so the failure detector counts the new primary's tokens without
// progress until it numbers them.
func TestPendingDuringViewChange(t *testing.T) {
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	const prim = 0
	r, _ := newTestReplica(t, 1, 6, 1, nil)
	g := &r.rep
	for k := range g.rep {
		if k != r.id {
			s := defaultStructure(r.k)
			g.setRep(k, &s)
		}
		g.rep[k].Prim = prim
		g.rep[k].PendReqs = []ClientReq{a}
	}
	g.own.ViewChanged = true
	if pend, vc := g.getPendReqs(); !vc || !slices.Equal(pend, []ClientReq{a}) {
		t.Fatalf("getPendReqs during a view change = %v, %v; want [a], true", pend, vc)
	}
	r.fd.checkProgress() // nothing checked yet: the pending requests become the check
	for i := 1; i <= 3; i++ {
		r.fd.checkProgress()
		if r.fd.cnt != i {
			t.Fatalf("after %d tokens of a primary that does not complete the view change, cnt = %d, want %d", i, r.fd.cnt, i)
		}
	}
	// The new primary completes the view change and numbers the request:
	// still no progress until n−2f replicas prepare it (fix 27).
	g.own.ViewChanged = false
	g.rep[prim].ReqQ = []ReqPair{{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep}}
	r.fd.checkProgress()
	if r.fd.cnt != 4 {
		t.Errorf("cnt = %d after the new primary numbered the request, want 4", r.fd.cnt)
	}
	p := ReqPair{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep | Prep | Commit}
	for k := range 4 {
		g.rep[k].ReqQ = []ReqPair{p}
	}
	r.fd.checkProgress()
	if r.fd.cnt != 0 {
		t.Errorf("cnt = %d after n-2f prepared the request, want 0", r.fd.cnt)
	}
}

// TestNewPrimaryCarriesOverExecution is the regression of fix 27's view
// change: the new primary (replica2) lags one execution behind, held by
// replicas 0, 3, 5 only (n − 3f = 3; the fourth executor fell silent).
// Consolidating over n − 2f reports cannot see it, and the gap it leaves
// was filled with a NO_OP, rolling the execution back once the others
// adopted the new primary's structure. The new primary now first takes the
// prefix n − 3f reports hold (at least f + 1 of them correct).
func TestNewPrimaryCarriesOverExecution(t *testing.T) {
	const n, f, id = 6, 1, 2
	r := newViewChangePrimary(t, id, n, f)
	g := &r.rep
	entry := func(v int64) LogEntry {
		return LogEntry{Req: Req{Q: ClientReq{Client: 6, TS: uint64(v), Op: protocols.OpAppend, Value: v}, Seq: v - 1}, X: full(n)}
	}
	long := []int64{1, 2, 3, 4}
	for k := range g.rep {
		s := g.rep[k]
		s.State = []int64{1, 2, 3}
		s.RLog = []LogEntry{entry(1), entry(2), entry(3)}
		if k == 0 || k == 3 || k == 5 {
			s.State = slices.Clone(long)
			s.RLog = append(s.RLog, entry(4))
		}
	}
	g.actAsPrimWhenViewChanged()
	if !slices.Equal(g.own.State, long) || g.own.ViewChanged {
		t.Fatalf("new primary's state %v (view change pending %v), want %v", g.own.State, g.own.ViewChanged, long)
	}
	for _, p := range g.own.ReqQ {
		if p.Req.Seq <= 3 {
			t.Errorf("req_q holds %v at or below the carried-over execution", p)
		}
	}
}

// newViewChangePrimary returns replica id, forced to be the primary of
// view id, with every structure it holds (its own and its peers', the
// peers' otherwise default) reporting the view change to it.
func newViewChangePrimary(t *testing.T, id, n, f int) *Replica {
	t.Helper()
	r, _ := newTestReplica(t, id, n, f, protocols.Params{"force_view": int64(id)})
	g := &r.rep
	for k := range g.rep {
		if k != id {
			s := defaultStructure(r.k)
			g.setRep(k, &s)
		}
		g.rep[k].Prim, g.rep[k].ViewChanged = int64(id), true
	}
	return r
}
