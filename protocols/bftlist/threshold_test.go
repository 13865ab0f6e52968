package bftlist

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// thresholdSystems are the (n, f) pairs the threshold tests run at: the
// minimum n = 5f+1 and n above it, each with n−f, n−2f and n−3f written
// out, so that a changed threshold fails the tests.
var thresholdSystems = []struct{ n, f, nf, n2f, n3f int }{
	{6, 1, 5, 4, 3},
	{8, 1, 7, 6, 5},
	{11, 2, 9, 7, 5},
	{13, 2, 11, 9, 7},
	{16, 3, 13, 10, 7},
}

// atThreshold runs check for support c = want−1 (must be false) and c =
// want (must be true), at every system; support counts replicas
// 0 … c−1 and, where the test needs it, the replica under test is n−1.
func atThreshold(t *testing.T, name string, want func(nf, n2f, n3f int) int, check func(t *testing.T, n, f, c int) bool) {
	t.Helper()
	for _, sys := range thresholdSystems {
		t.Run(fmt.Sprintf("%s/n=%d,f=%d", name, sys.n, sys.f), func(t *testing.T) {
			w := want(sys.nf, sys.n2f, sys.n3f)
			if got := check(t, sys.n, sys.f, w-1); got {
				t.Errorf("true with support %d; the threshold is %d", w-1, w)
			}
			if got := check(t, sys.n, sys.f, w); !got {
				t.Errorf("false with support %d, the threshold", w)
			}
		})
	}
}

// same returns n copies of x.
func same[T any](n int, x T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = x
	}
	return out
}

// settled builds replica n−1 of n in a settled view-0 system: every
// replica in phase 0 with view (0, 0), witnessed, echoing its data.
func settled(t *testing.T, n, f int, params protocols.Params) *Replica {
	t.Helper()
	r, _ := newTestReplica(t, n-1, n, f, params)
	setAll(r, same[int8](n, 0), same(n, ViewPair{0, 0}), same(n, false))
	return r
}

// TestVEThresholds checks view establishment's predicates at support one
// below and at their thresholds.
func TestVEThresholds(t *testing.T) {
	nf := func(nf, _, _ int) int { return nf }
	n2f := func(_, n2f, _ int) int { return n2f }
	other := VEData{Phase: 1, Views: ViewPair{0, 1}}
	// noticedRecentValue: n−f replicas echo my values (the n−f correct
	// replicas alone witness; two such sets share n−2f ≥ 3f+1).
	atThreshold(t, "witness", nf, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		for k := c; k < n; k++ {
			r.ve.echo[k] = other
		}
		return r.ve.noticedRecentValue()
	})
	// witnesSeen: n−f members of the witness set echo like me.
	atThreshold(t, "witness_seen", nf, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		for k := c - 1; k < n-1; k++ {
			r.ve.echo[k] = other // me plus replicas 0 … c−2 echo alike
		}
		r.ve.touch()
		return r.ve.witnesSeen()
	})
	// allowService: n−2f replicas share my view (two such sets share
	// n−4f ≥ f+1 replicas, one correct, so two views cannot both serve).
	atThreshold(t, "allow_service", n2f, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		views := same(n, ViewPair{1, 1})
		for k := 0; k < c-1; k++ {
			views[k] = ViewPair{0, 0}
		}
		views[n-1] = ViewPair{0, 0}
		setAll(r, same[int8](n, 0), views, same(n, false))
		return r.ve.allowService()
	})
	// changeable: n−f replicas want a change (f Byzantine cannot start
	// one; the correct replicas alone can).
	atThreshold(t, "changeable", nf, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		vch := same(n, false)
		for k := 0; k < c; k++ {
			vch[k] = true
		}
		setAll(r, same[int8](n, 0), same(n, ViewPair{0, 0}), vch)
		return r.ve.changeable()
	})
	// establishable: n−f replicas hold my pair or are in transit to it.
	atThreshold(t, "establishable", nf, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		views := same(n, RST)
		for k := 0; k < c-1; k++ {
			views[k] = ViewPair{1, 1}
		}
		views[n-1] = ViewPair{1, 1}
		setAll(r, same[int8](n, 0), views, same(n, false))
		return r.ve.establishable(0, modeFollow)
	})
	// transitAdoptable (remain): n−2f replicas hold or head for my pair.
	atThreshold(t, "transit_adoptable", n2f, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		views := same(n, RST)
		for k := 0; k < c-1; k++ {
			views[k] = ViewPair{1, 1}
		}
		views[n-1] = ViewPair{1, 1}
		setAll(r, same[int8](n, 0), views, same(n, false))
		return r.ve.transitAdoptable(n-1, 0, modeRemain)
	})
	// transitSupported: n−2f replicas want a change or head for my next
	// view (byzsim's fix 13).
	atThreshold(t, "transit_supported", n2f, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		views := same(n, ViewPair{0, 0})
		phs := same[int8](n, 0)
		for k := 0; k < c-1; k++ {
			views[k], phs[k] = ViewPair{0, 1}, 1
		}
		views[n-1], phs[n-1] = ViewPair{0, 1}, 1
		setAll(r, phs, views, same(n, false))
		return r.ve.transitSupported()
	})
}

// TestFDAndPMThresholds checks the failure detector's and primary
// monitoring's thresholds, with view 0 forced so that every replica is in
// the primary's view.
func TestFDAndPMThresholds(t *testing.T) {
	forced := protocols.Params{"force_view": int64(0)}
	// suspected: n−2f replicas of my view suspect the primary (at least
	// n−3f ≥ 2f+1 of them correct).
	atThreshold(t, "suspected", func(_, n2f, _ int) int { return n2f }, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, forced)
		for k := 0; k < c; k++ {
			r.fd.primSusp[k] = true
		}
		return r.fd.suspected()
	})
	// pm builds replica n−1's monitor: replicas 0 … c−1 in status st with
	// need-change sets holding every replica (none when !full), the first
	// need of them needing a change (my own need-change set is those).
	pm := func(t *testing.T, n, f, c, need int, st VStatus, full bool) *Replica {
		r := settled(t, n, f, forced)
		all := idset{}
		if full {
			for k := range n {
				all.put(k)
			}
		}
		for k := range n {
			r.pm.vcm[k] = VCM{Status: OK, Prim: 0}
		}
		for k := 0; k < c; k++ {
			r.pm.vcm[k] = VCM{Status: st, Prim: 0, NeedChange: k < need, NeedChgSet: all}
		}
		return r
	}
	// NO_SERVICE when n−2f replicas' need-change sets intersect in n−2f.
	atThreshold(t, "no_service", func(_, n2f, _ int) int { return n2f }, func(t *testing.T, n, f, c int) bool {
		r := pm(t, n, f, c, c, OK, true)
		r.pm.iterate()
		return r.pm.vcm[n-1].Status == NoService
	})
	// V_CHANGE when n−f replicas' need-change sets intersect in n−2f (n−3f
	// replicas in trouble keep me in NO_SERVICE; my own set of n−3f
	// cannot take part in an intersection of n−2f).
	atThreshold(t, "v_change", func(nf, _, _ int) int { return nf }, func(t *testing.T, n, f, c int) bool {
		r := pm(t, n, f, c, n-3*f, NoService, true)
		r.pm.vcm[n-1].Status = NoService
		r.pm.iterate()
		return r.pm.vcm[n-1].Status == VChange
	})
	// Back to OK when fewer than n−3f replicas report trouble: with c in
	// trouble (and no support for a change) NO_SERVICE stays from c = n−3f.
	atThreshold(t, "stays_no_service", func(_, _, n3f int) int { return n3f }, func(t *testing.T, n, f, c int) bool {
		r := pm(t, n, f, c, c, NoService, false)
		r.pm.vcm[n-1].Status = NoService
		r.pm.iterate()
		return r.pm.vcm[n-1].Status == NoService
	})
	// The event-driven detector ends a round when n−f−1 others (n−f with
	// the owner) returned its token K times.
	atThreshold(t, "event_fd_round", func(nf, _, _ int) int { return nf - 1 }, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, protocols.Params{"fd_mode": FDEvent})
		e := &r.efd
		for k := 0; k < c-1; k++ {
			e.counters[k] = r.p.EFDK
		}
		e.counters[c-1] = r.p.EFDK - 1
		e.recount()
		before := e.round
		e.onToken(c-1, &EFDToken{Owner: int32(r.id), Token: e.token})
		return e.round == before+1
	})
}

// TestReplicationThresholds checks replication's support counts.
func TestReplicationThresholds(t *testing.T) {
	q := ClientReq{Client: 100, TS: 1, Op: protocols.OpAppend, Value: 7}
	// knownPendReqs: a request pending at n−2f replicas (≥ n−3f ≥ 2f+1
	// correct ones received it) is known.
	atThreshold(t, "known_pending", func(_, n2f, _ int) int { return n2f }, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		g := &r.rep
		for k := 0; k < c; k++ {
			s := defaultStructure(r.k)
			s.PendReqs = []ClientReq{q}
			if k == r.id {
				g.own = s
				g.bind()
			} else {
				g.setRep(k, &s)
			}
		}
		for _, p := range g.knownPendReqs() {
			if p == q {
				return true
			}
		}
		return false
	})
	// conflict: n−f replicas failed to consolidate (the correct ones
	// alone can flag it; f Byzantine flags cannot force a flush).
	atThreshold(t, "conflict", func(nf, _, _ int) int { return nf }, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		g := &r.rep
		for k := 0; k < c; k++ {
			s := defaultStructure(r.k)
			s.ConFlag = true
			g.setRep(k, &s)
		}
		return g.conflict()
	})
	// delayed / lastCommonExec: n−2f replicas report, in their own r_log,
	// an execution far ahead (fix 21). Every entry's supporting set names
	// all replicas, as a Byzantine replica may write it: one replica's
	// claim must not make this replica delayed.
	atThreshold(t, "last_common_exec", func(_, n2f, _ int) int { return n2f }, func(t *testing.T, n, f, c int) bool {
		r := settled(t, n, f, nil)
		g := &r.rep
		far := int64(10 * g.sigmaK)
		for k := 0; k < c; k++ {
			s := defaultStructure(r.k)
			s.RLog = []LogEntry{{Req: Req{Q: q, View: 0, Seq: far}, X: full(n)}}
			g.setRep(k, &s)
		}
		if got := g.lastCommonExec(); (got == far) != g.delayed() {
			t.Errorf("lastCommonExec %d but delayed %v", got, g.delayed())
		}
		return g.delayed()
	})
	for _, sys := range thresholdSystems {
		r, _ := newTestReplica(t, 0, sys.n, sys.f, nil)
		if r.rep.q1() != sys.nf || r.rep.q2() != sys.n2f || r.rep.q3() != sys.n3f {
			t.Errorf("n=%d f=%d: q1, q2, q3 = %d, %d, %d; want n−f, n−2f, n−3f = %d, %d, %d",
				sys.n, sys.f, r.rep.q1(), r.rep.q2(), r.rep.q3(), sys.nf, sys.n2f, sys.n3f)
		}
	}
}
