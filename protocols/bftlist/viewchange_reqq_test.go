package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestNewPrimaryKeepsCarriedNumbers is the regression of fix 29: a
// PRE_PREP-only pair of an older view that the view change does not
// renumber (not every replica reporting the change holds it) is passed on
// with req_q, so the new primary must not give its number to another
// request. Before the fix it numbered the pending requests from lastExec
// and reused the carried pair's number (two pairs under 2, both committed
// in schedule 1183 of byzsim explore).
func TestNewPrimaryKeepsCarriedNumbers(t *testing.T) {
	const n, f, id = 8, 1, 1
	req := func(ts int) ClientReq {
		return ClientReq{Client: 8, TS: uint64(ts), Op: protocols.OpAppend, Value: int64(ts)}
	}
	pend := []ClientReq{req(5), req(8), req(9)}
	type old struct {
		q   int    // request
		seq int64  // its number in view 0
		all bool   // every replica holds it, so the view change renumbers it if PRE_PREP only
		st  Status // its statuses; PRE_PREP only when 0
	}
	for _, tc := range []struct {
		name string
		old  []old
		// want: the request under each number 0 … len(want)-1 after the
		// view change and the primary's numbering; 0 is a NO_OP.
		want []int
	}{
		{"carried pair keeps its number", []old{{1, 2, false, 0}}, []int{0, 0, 1, 5, 8, 9}},
		{"renumbered when every replica holds it", []old{{1, 2, true, 0}}, []int{1, 5, 8, 9}},
		{"renumbered below a carried pair", []old{{1, 0, true, 0}, {2, 2, false, 0}}, []int{0, 0, 2, 1, 5, 8, 9}},
		{"dropped beyond the window", []old{{1, 14, false, 0}}, []int{5, 8, 9}},
		// Only PRE_PREP-only pairs are renumbered (renewable): a prepared
		// pair keeps its number even when every replica holds it.
		{"prepared pair every replica holds keeps its number", []old{{1, 2, true, PrePrep | Prep}}, []int{0, 0, 1, 5, 8, 9}},
		{"prepared pair kept, PRE_PREP-only pair renumbered", []old{{1, 2, true, PrePrep | Prep}, {2, 0, true, 0}}, []int{0, 0, 1, 2, 5, 8, 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newViewChangePrimary(t, id, n, f)
			g := &r.rep
			for k := range g.rep {
				s := g.rep[k]
				s.PendReqs = append([]ClientReq(nil), pend...)
				for _, o := range tc.old {
					st := o.st
					if st == 0 {
						st = PrePrep
					}
					if k == id || o.all {
						s.ReqQ = append(s.ReqQ, ReqPair{Req: Req{Q: req(o.q), View: 0, Seq: o.seq}, Status: st})
					}
				}
			}
			g.actAsPrimWhenViewChanged()
			if g.own.ViewChanged {
				t.Fatal("the view change did not complete")
			}
			g.assign(id)
			got := map[int64][]ReqPair{}
			for _, p := range g.own.ReqQ {
				got[p.Req.Seq] = append(got[p.Req.Seq], p)
			}
			for seq, ps := range got {
				if len(ps) > 1 {
					t.Errorf("number %d given to %d pairs: %v", seq, len(ps), ps)
				}
			}
			for seq, w := range tc.want {
				ps := got[int64(seq)]
				switch {
				case len(ps) == 0:
					t.Errorf("no pair numbered %d in %v", seq, g.own.ReqQ)
				case w == 0 && !ps[0].Req.Q.isDummy(), w != 0 && ps[0].Req.Q != req(w):
					t.Errorf("number %d holds %v, want request %d", seq, ps[0].Req.Q, w)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("req_q %v, want %d numbers", g.own.ReqQ, len(tc.want))
			}
		})
	}
}
