package bftlist

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestPendBoundKeepsNumberedRequests: pend_reqs over its bound σK keeps
// the requests the current primary numbered in its view and drops the
// oldest of the others (fix 31). A client with more than σ requests
// outstanding retransmits each; with the oldest always dropped, the
// requests a new primary numbered left the pending lists in turn, were
// never all pending at n − 2f replicas at once, and checkNewVState
// rejected the new primary's structure view after view.
func TestPendBoundKeepsNumberedRequests(t *testing.T) {
	const n, f, id, prim = 8, 1, 2, 1
	q := func(i int) ClientReq {
		return ClientReq{Client: n, TS: uint64(i), Op: protocols.OpAppend, Value: int64(i)}
	}
	for _, tc := range []struct {
		name     string
		view     int64 // the view the primary's pairs are numbered in
		numbered []int // requests the primary numbered
		want     func(sigmaK int) []int
	}{
		{"all numbered by the primary stay", prim, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
			func(k int) []int { return seq(0, k) }},
		{"some numbered: they stay, the newest others fill up", prim, []int{0, 2},
			func(k int) []int { return append([]int{0, 2}, seq(2*k+6-(k-2), k-2)...) }},
		{"numbered in an older view: the oldest go", 0, []int{0, 1, 2},
			func(k int) []int { return seq(k+6, k) }},
		{"nothing numbered: the oldest go", prim, nil,
			func(k int) []int { return seq(k+6, k) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, id, n, f, protocols.Params{"force_view": int64(prim)})
			g := &r.rep
			g.own.Prim = prim
			ps := defaultStructure(r.k)
			ps.Prim = prim
			for s, i := range tc.numbered {
				if i < g.sigmaK {
					ps.ReqQ = append(ps.ReqQ, ReqPair{Req: Req{Q: q(i), View: tc.view, Seq: int64(s)}, Status: PrePrep | Prep})
				}
			}
			g.setRep(prim, &ps)
			// The σK oldest requests are pending; then the client's
			// retransmissions bring σK + 6 more, one at a time.
			for i := 0; i < 2*g.sigmaK+6; i++ {
				g.onRequest(&protocols.Request{Client: n, ID: uint64(i), Op: protocols.OpAppend, Value: int64(i)})
			}
			var got []int
			for _, p := range g.own.PendReqs {
				got = append(got, int(p.TS))
			}
			if want := tc.want(g.sigmaK); !slices.Equal(got, want) {
				t.Errorf("pend_reqs %v, want %v", got, want)
			}
		})
	}
}

// seq returns from, from+1, …, from+count−1.
func seq(from, count int) []int {
	out := make([]int, count)
	for i := range out {
		out[i] = from + i
	}
	return out
}
