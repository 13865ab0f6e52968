package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
)

// TestCheckProgressCountsServedRequests: a primary's token resets cnt
// only when a request of the last check was served — executed, or held with
// PREP by n−2f replicas (an acceptable PRE_PREP alone is not, fix 27) — or
// when there was nothing to check. A request that merely left pend_reqs
// (pushed out by a client with more than σK requests outstanding) is no
// progress (fix 24): counting it let a primary that served nothing keep
// cnt at 0 for ever.
func TestCheckProgressCountsServedRequests(t *testing.T) {
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	b := ClientReq{Client: 6, TS: 2, Op: protocols.OpAppend, Value: 2}
	const prim = 0
	for _, tc := range []struct {
		name     string
		check    []ClientReq                // cur_check_req
		pend     []ClientReq                // pend_reqs of every replica
		setup    func(g *replication)       // what else the replicas hold
		progress bool                       // cnt reset
		want     func(cur []ClientReq) bool // cur_check_req afterwards
	}{
		{name: "nothing to check", pend: []ClientReq{a}, progress: true,
			want: func(cur []ClientReq) bool { return slices.Equal(cur, []ClientReq{a}) }},
		{name: "still pending", check: []ClientReq{a}, pend: []ClientReq{a, b}, progress: false},
		{name: "pushed out of pend_reqs", check: []ClientReq{a}, pend: []ClientReq{b}, progress: false},
		{name: "pushed out, nothing pending", check: []ClientReq{a, b}, progress: false},
		{name: "executed", check: []ClientReq{a}, pend: []ClientReq{b}, progress: true,
			setup: func(g *replication) {
				g.own.State = []int64{1}
				g.own.RLog = []LogEntry{{Req: Req{Q: a, Seq: 0}, X: full(6)}}
			},
			want: func(cur []ClientReq) bool { return slices.Equal(cur, []ClientReq{b}) }},
		// An acceptable PRE_PREP that n−2f replicas do not prepare (the
		// others lag outside their window) is no progress (fix 27).
		{name: "acceptably pre-prepared", check: []ClientReq{a}, pend: []ClientReq{b}, progress: false,
			setup: func(g *replication) {
				g.rep[prim].ReqQ = []ReqPair{{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep}}
			}},
		{name: "acceptably pre-prepared, still pending", check: []ClientReq{a}, pend: []ClientReq{a}, progress: false,
			setup: func(g *replication) {
				g.rep[prim].ReqQ = []ReqPair{{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep}}
			}},
		{name: "prepared at n-2f", check: []ClientReq{a}, pend: []ClientReq{a}, progress: true,
			setup: func(g *replication) {
				p := ReqPair{Req: Req{Q: a, View: prim, Seq: 0}, Status: PrePrep | Prep | Commit}
				for k := range 4 {
					g.rep[k].ReqQ = []ReqPair{p}
				}
			}},
		{name: "pre-prepared beyond the window", check: []ClientReq{a}, pend: []ClientReq{b}, progress: false,
			setup: func(g *replication) {
				g.rep[prim].ReqQ = []ReqPair{{Req: Req{Q: a, View: prim, Seq: 10 + 1}, Status: PrePrep}}
			}},
		{name: "committed at n-2f", check: []ClientReq{a}, pend: []ClientReq{b}, progress: true,
			setup: func(g *replication) {
				p := ReqPair{Req: Req{Q: a, View: 5, Seq: 0}, Status: PrePrep | Prep | Commit}
				for k := 1; k <= 4; k++ {
					g.rep[k].ReqQ = []ReqPair{p}
				}
			}},
		{name: "committed at fewer than n-2f", check: []ClientReq{a}, pend: []ClientReq{b}, progress: false,
			setup: func(g *replication) {
				p := ReqPair{Req: Req{Q: a, View: 5, Seq: 0}, Status: PrePrep | Prep | Commit}
				for k := 1; k <= 3; k++ {
					g.rep[k].ReqQ = []ReqPair{p}
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 6, 1, nil) // σK = 5 × 2 clients
			g := &r.rep
			for k := range g.rep {
				if k != r.id {
					s := defaultStructure(r.k)
					g.setRep(k, &s)
				}
				g.rep[k].Prim = prim
				g.rep[k].PendReqs = slices.Clone(tc.pend)
			}
			if tc.setup != nil {
				tc.setup(g)
			}
			r.fd.curCheckReq = slices.Clone(tc.check)
			r.fd.cnt = 3
			r.fd.checkProgress()
			if got := r.fd.cnt == 0; got != tc.progress {
				t.Errorf("cnt %d: progress %v, want %v", r.fd.cnt, got, tc.progress)
			}
			if !tc.progress && !slices.Equal(r.fd.curCheckReq, tc.check) {
				t.Errorf("cur_check_req %v changed without progress, want %v", r.fd.curCheckReq, tc.check)
			}
			if tc.want != nil && !tc.want(r.fd.curCheckReq) {
				t.Errorf("cur_check_req %v after progress", r.fd.curCheckReq)
			}
		})
	}
}

// TestLazyBeatsMatchEager: the failure detector's lazy beat counters give,
// after every token, reset and wholesale assignment, the values of the
// eager definition (every token zeroes beat[j] and beat[i] and increments
// the others, saturating at beatCap), and fd_set membership follows.
func TestLazyBeatsMatchEager(t *testing.T) {
	const n, id = 7, 2
	r, _ := newTestReplica(t, id, n, 1, protocols.Params{"beat_threshold": int64(5)})
	fd := &r.fd
	eager := make([]int, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 5000 {
		switch op := rng.IntN(100); {
		case op < 3:
			fd.reset()
			clear(eager)
		case op < 5:
			vals := make([]int, n)
			for k := range vals {
				vals[k] = rng.IntN(12)
				if rng.IntN(10) == 0 {
					vals[k] = beatCap - rng.IntN(3)
				}
			}
			fd.setBeats(vals)
			copy(eager, vals)
		default:
			j := rng.IntN(n)
			fd.updateBeat(j)
			for k := range eager {
				switch {
				case k == j || k == id:
					eager[k] = 0
				case eager[k] < beatCap:
					eager[k]++
				}
			}
			for p := int64(-1); p <= n; p++ {
				want := p >= 0 && p < n && (int(p) == j || int(p) == id || eager[p] < r.p.BeatThreshold)
				if got := fd.inFDSet(p, j); got != want {
					t.Fatalf("step %d: inFDSet(%d) = %v, want %v (beats %v)", step, p, got, want, eager)
				}
			}
		}
		if got := fd.beats(); !slices.Equal(got, eager) {
			t.Fatalf("step %d: beats %v, want %v", step, got, eager)
		}
	}
}

// TestCntSaturates: cnt stops at 2^30 (a bounded counter), so a primary is
// not suspected for cnt > cnt_threshold when the threshold is 2^30 itself.
func TestCntSaturates(t *testing.T) {
	r, _ := newTestReplica(t, 1, 6, 1, protocols.Params{"cnt_threshold": int64(beatCap)})
	setAll(r, rep6[int8](0), rep6(ViewPair{0, 0}), rep6(false))
	r.fd.onToken(3, false) // learn the primary, 0
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	r.fd.curCheckReq = []ClientReq{a} // pushed out of pend_reqs, never served
	r.fd.cnt = beatCap
	r.fd.onToken(0, false)
	if r.fd.cnt != beatCap || r.fd.primSusp[r.id] {
		t.Fatalf("cnt %d, suspected %v; want cnt to stay at %d and no suspicion", r.fd.cnt, r.fd.primSusp[r.id], beatCap)
	}
}

// TestEnoughCommonLargeN: primary monitoring's pre-check counts the
// replicas lying in at least x need-change sets, also when n is close to
// the 1024 replicas a set can hold (n = 1000, f = 199).
func TestEnoughCommonLargeN(t *testing.T) {
	const n, f = 1000, 199
	members := make([]int, n)
	vcm := make([]VCM, n)
	for k := range members {
		members[k] = k
		vcm[k].NeedChgSet = full(n)
	}
	x, need := n-f, n-2*f
	if !enoughCommon(vcm, members, x, need) || !supportedChange(vcm, full(n), x, need) {
		t.Error("every replica in every need-change set: not enough in common")
	}
	for k := range vcm {
		vcm[k].NeedChgSet = idset{}
	}
	if enoughCommon(vcm, members, x, need) {
		t.Error("empty need-change sets: enough in common")
	}
}

// TestEventFDCorrectSet: a round of the event-driven detector ends when
// n−f−1 others returned the token K times, and its correct set is those
// replicas only: one that returned it fewer times is left out.
func TestEventFDCorrectSet(t *testing.T) {
	r := settled(t, 6, 1, protocols.Params{"fd_mode": FDEvent})
	e := &r.efd
	var others []int
	for k := range 6 {
		if k != r.id {
			others = append(others, k)
		}
	}
	for _, k := range others[:3] {
		e.counters[k] = r.p.EFDK
	}
	e.counters[others[3]] = r.p.EFDK - 1
	e.counters[others[4]] = 1
	e.recount()
	before := e.round
	e.onToken(others[3], &EFDToken{Owner: int32(r.id), Token: e.token})
	want := idset{}
	for _, k := range others[:4] {
		want.put(k)
	}
	if e.round != before+1 || e.lastCorrect != want {
		t.Fatalf("round %d → %d, correct set %v; want one round and %v", before, e.round, e.lastCorrect.ids(), want.ids())
	}
}
