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
			g.rep[k] = &s
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
	// The new primary completes the view change and numbers the request.
	g.own.ViewChanged = false
	g.rep[prim].ReqQ = []ReqPair{{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep}}
	r.fd.checkProgress()
	if r.fd.cnt != 0 {
		t.Errorf("cnt = %d after the new primary numbered the request, want 0", r.fd.cnt)
	}
}
