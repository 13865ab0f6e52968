package bftlist

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestCommitBookkeeping: executing a request records it as its client's
// last request (every client index, the first included), logs it, takes
// it out of pend_reqs and req_q, reports a Commit counting one client
// request (none for a gap-filling NO_OP) and replies to the client; a
// NO_OP, which has no client, records and answers nothing.
func TestCommitBookkeeping(t *testing.T) {
	r, env := newTestReplica(t, 1, 6, 1, nil) // clients 6 and 7
	g := &r.rep
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	b := ClientReq{Client: 7, TS: 1, Op: protocols.OpAppend, Value: 2}
	noop := ClientReq{Client: -1, Op: protocols.OpNoop}
	reqs := []Req{{Q: a, View: 0, Seq: 0}, {Q: noop, View: 0, Seq: 1}, {Q: b, View: 0, Seq: 2}}
	g.own.PendReqs = []ClientReq{a, b}
	for _, q := range reqs {
		g.own.ReqQ = append(g.own.ReqQ, ReqPair{Req: q, Status: PrePrep | Prep | Commit})
	}
	env.obs, env.sent = nil, nil
	for _, q := range reqs {
		g.commit(q, full(6))
	}
	for c, q := range []Req{reqs[0], reqs[2]} {
		if l := g.own.LastReq; len(l) != 2 || !l[c].Set || l[c].Req != q {
			t.Errorf("last_req[%d] = %+v, want %v", c, l, q)
		}
	}
	if len(g.own.PendReqs) != 0 || len(g.own.ReqQ) != 0 {
		t.Errorf("pend_reqs %v, req_q %v after executing them, want both empty", g.own.PendReqs, g.own.ReqQ)
	}
	if len(g.own.RLog) != 3 {
		t.Errorf("r_log holds %d entries, want 3", len(g.own.RLog))
	}
	var counts []int
	for _, o := range env.obs {
		if c, ok := o.(protocols.Commit); ok {
			counts = append(counts, c.Requests)
		}
	}
	if len(counts) != 3 || counts[0] != 1 || counts[1] != 0 || counts[2] != 1 {
		t.Errorf("Commit requests %v, want [1 0 1]", counts)
	}
	var to []sim.NodeID
	for _, s := range env.sent {
		if _, ok := s.msg.(*protocols.Reply); ok {
			to = append(to, s.to)
		}
	}
	if len(to) != 2 || to[0] != 6 || to[1] != 7 {
		t.Errorf("replies to %v, want [6 7]", to)
	}
}

// TestCommittedSet: a replica counts for req when it holds req itself
// with COMMIT, or has executed it; another request's COMMIT or req without
// COMMIT does not count.
func TestCommittedSet(t *testing.T) {
	r, _ := newTestReplica(t, 1, 6, 1, nil)
	g := &r.rep
	a := Req{Q: ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}, View: 0, Seq: 0}
	b := Req{Q: ClientReq{Client: 6, TS: 2, Op: protocols.OpAppend, Value: 2}, View: 0, Seq: 1}
	for k := range g.rep {
		if k != r.id {
			s := defaultStructure(r.k)
			g.setRep(k, &s)
		}
	}
	g.rep[0].ReqQ = []ReqPair{{Req: a, Status: PrePrep | Prep | Commit}}
	g.rep[2].ReqQ = []ReqPair{{Req: a, Status: PrePrep | Prep}}
	g.rep[3].ReqQ = []ReqPair{{Req: b, Status: PrePrep | Prep | Commit}}
	g.rep[4].RLog = []LogEntry{{Req: a, X: full(6)}}
	g.rep[5].ReqQ = []ReqPair{{Req: b, Status: PrePrep | Prep | Commit}, {Req: a, Status: PrePrep | Prep | Commit}}
	got := g.committedSet(a)
	want := idset{}.add(0).add(4).add(5)
	if got != want {
		t.Errorf("committedSet = %v, want %v", got.ids(), want.ids())
	}
}

// TestCommitKeepsLogBound: executing request after request keeps r_log at
// most 3σK entries (the published bound), the newest ones: below the
// bound nothing is dropped, past it the lowest numbers go.
func TestCommitKeepsLogBound(t *testing.T) {
	r, _ := newTestReplica(t, 1, 6, 1, nil) // clients 6 and 7
	g := &r.rep
	bound := 3 * g.sigmaK
	for _, executed := range []int{bound - 1, bound, bound + 1, 2*bound + 3} {
		t.Run(fmt.Sprint(executed), func(t *testing.T) {
			g.own.RLog, g.own.ReqQ, g.own.PendReqs = nil, nil, nil
			for seq := 0; seq < executed; seq++ {
				q := Req{Q: ClientReq{Client: sim.NodeID(6 + seq%2), TS: uint64(seq/2 + 1), Op: protocols.OpAppend, Value: int64(seq)}, View: 0, Seq: int64(seq)}
				g.own.ReqQ = append(g.own.ReqQ, ReqPair{Req: q, Status: PrePrep | Prep | Commit})
				g.commit(q, full(6))
			}
			want := min(executed, bound)
			if len(g.own.RLog) != want {
				t.Fatalf("r_log holds %d entries after %d executions, want %d (3σK = %d)", len(g.own.RLog), executed, want, bound)
			}
			if first, last := g.own.RLog[0].Req.Seq, g.own.RLog[len(g.own.RLog)-1].Req.Seq; first != int64(executed-want) || last != int64(executed-1) {
				t.Errorf("r_log holds numbers %d…%d, want %d…%d", first, last, executed-want, executed-1)
			}
		})
	}
}
