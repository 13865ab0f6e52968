package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestNewPrimaryDropsOlderPrePreps is the regression of fix 28: the new
// primary holds PRE_PREP-only pairs of the previous view under numbers 2 …
// 9 that no other replica holds, so the view change does not renumber them.
// Kept, they filled req_q beyond its bound σK once the primary numbered the
// pending requests from 0, and the bound dropped the lowest numbers — 0
// and 1, the next to execute — so nothing executed again. The new primary
// now drops them and numbers the pending requests 0 … σK−1 in its view.
func TestNewPrimaryDropsOlderPrePreps(t *testing.T) {
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
			g.rep[k] = &s
		}
		s := g.rep[k]
		s.Prim, s.ViewChanged = id, true
		s.PendReqs = append([]ClientReq(nil), pend...)
	}
	for seq := int64(2); seq < int64(g.sigmaK); seq++ {
		g.own.ReqQ = append(g.own.ReqQ, ReqPair{Req: Req{Q: req(0, int(seq)), View: 0, Seq: seq}, Status: PrePrep})
	}
	g.actAsPrimWhenViewChanged()
	if g.own.ViewChanged {
		t.Fatal("the view change did not complete")
	}
	g.assign(id)
	got := map[int64]Req{}
	for _, p := range g.own.ReqQ {
		if p.Req.View != id {
			t.Errorf("req_q keeps %v of view %d", p.Req.Q, p.Req.View)
		}
		got[p.Req.Seq] = p.Req
	}
	for seq := int64(0); seq < int64(g.sigmaK); seq++ {
		if _, ok := got[seq]; !ok {
			t.Errorf("no pair numbered %d in req_q %v: the next to execute must stay", seq, g.own.ReqQ)
		}
	}
}
