package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestSupersededPairNotReAdded: every replica still holds a committed pair
// numbered at or below lastExec (its number was executed with another
// request, as when a new primary numbered a request under a number the
// previous view then executed). A correct replica drops it from req_q
// (dropOutOfWindow); it must not take it back from its peers' req_q, which
// hold it for the same reason, nor drop its client request from pend_reqs
// on its account: else no replica ever accepts a new number for the
// request, the gap it leaves is never filled, and since nothing is pending
// the failure detector never suspects the primary.
func TestSupersededPairNotReAdded(t *testing.T) {
	r, _ := newTestReplica(t, 2, 6, 1, protocols.Params{"force_view": int64(0)})
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 10}
	b := ClientReq{Client: 7, TS: 1, Op: protocols.OpAppend, Value: 20}
	q := ClientReq{Client: 6, TS: 2, Op: protocols.OpAppend, Value: 30}
	base := RepStructure{
		State: []int64{10, 20},
		RLog: []LogEntry{
			{Req: Req{Q: a, View: 0, Seq: 0}, X: full(6)},
			{Req: Req{Q: b, View: 0, Seq: 1}, X: full(6)},
		},
		ReqQ:    []ReqPair{{Req: Req{Q: q, View: 0, Seq: 1}, Status: PrePrep | Prep | Commit}},
		LastReq: make([]LastReq, 2),
		SeqNum:  1,
	}
	for j := range r.rep.rep {
		s := base.deepCopy()
		r.rep.rep[j] = &s
	}
	r.rep.own = base.deepCopy()
	r.rep.own.PendReqs = []ClientReq{q}
	r.rep.bind()

	r.rep.iterate()

	me := &r.rep.own
	if me.lastExec() != 1 {
		t.Fatalf("lastExec %d, want 1 (the state was flushed or changed: %v)", me.lastExec(), me.State)
	}
	for _, p := range me.ReqQ {
		if p.Req.Seq <= me.lastExec() {
			t.Errorf("req_q holds %v at %d, at or below lastExec %d", p.Req.Q, p.Req.Seq, me.lastExec())
		}
	}
	if !me.hasPend(q) {
		t.Errorf("%v no longer pending: pend_reqs %v", q, me.PendReqs)
	}
}
