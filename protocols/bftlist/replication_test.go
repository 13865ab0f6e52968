package bftlist

import (
	"reflect"
	"slices"
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
		r.rep.setRep(j, &s)
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

// TestLastCommonExecReadsOwnLogs: lastCommonExec is the (n−2f)-th highest
// last executed number the replicas report, whatever supporting sets
// their entries claim (fix 21). A WRONG_CCSP replica showing an entry 666
// supported by every replica moved it to 666 and made every correct
// replica delayed(): they adopted a consolidated prefix shorter than what
// they had executed.
func TestLastCommonExecReadsOwnLogs(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	g := &r.rep
	q := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	logTo := func(seq int64, x idset) []LogEntry {
		var l []LogEntry
		for s := int64(0); s <= seq; s++ {
			l = append(l, LogEntry{Req: Req{Q: q, Seq: s}, X: x})
		}
		return l
	}
	for _, tc := range []struct {
		name  string
		execs []int64 // last executed number per replica, −1 = none
		want  int64
	}{
		{"all equal", []int64{4, 4, 4, 4, 4, 4}, 4},
		{"one far ahead", []int64{2, 2, 2, 666, 1, 1}, 2},
		{"two ahead", []int64{9, 9, 3, 3, 3, 3}, 3},
		{"n−2f ahead", []int64{9, 9, 9, 9, 3, 3}, 9},
		{"nothing executed", []int64{-1, -1, -1, 5, 5, 5}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for j, e := range tc.execs {
				s := defaultStructure(r.k)
				s.RLog = logTo(e, full(6))
				if j == r.id {
					g.own = s
					g.bind()
				} else {
					g.setRep(j, &s)
				}
			}
			if got := g.lastCommonExec(); got != tc.want {
				t.Errorf("lastCommonExec %d, want %d", got, tc.want)
			}
		})
	}
}

// TestAcceptablePreprep: the failure detector counts a pending request as
// assigned only when the primary's PRE_PREP for it is one a correct
// replica accepts (fix 22): the primary's own number in its view, inside
// the window, given to no other request. assign still takes any PRE_PREP
// of the primary's own as assigned.
func TestAcceptablePreprep(t *testing.T) {
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	b := ClientReq{Client: 6, TS: 2, Op: protocols.OpAppend, Value: 2}
	const prim = 0
	for _, tc := range []struct {
		name string
		q    []ReqPair // the primary's req_q
		want bool
	}{
		{"in the window", []ReqPair{{Req: Req{Q: a, View: prim, Seq: 2}, Status: PrePrep | Prep}}, true},
		{"beyond the window", []ReqPair{{Req: Req{Q: a, View: prim, Seq: 2 + 10 + 1}, Status: PrePrep | Prep}}, false},
		{"at lastExec", []ReqPair{{Req: Req{Q: a, View: prim, Seq: 1}, Status: PrePrep | Prep}}, false},
		{"reused number", []ReqPair{{Req: Req{Q: b, View: prim, Seq: 2}, Status: PrePrep | Prep}, {Req: Req{Q: a, View: prim, Seq: 2}, Status: PrePrep | Prep}}, false},
		{"other request, own number", []ReqPair{{Req: Req{Q: b, View: prim, Seq: 2}, Status: PrePrep | Prep}, {Req: Req{Q: a, View: prim, Seq: 3}, Status: PrePrep | Prep}}, true},
		{"older view", []ReqPair{{Req: Req{Q: a, View: 5, Seq: 2}, Status: PrePrep | Prep}}, false},
		{"no PRE_PREP", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 6, 1, nil) // σK = 5 × 2 clients
			g := &r.rep
			g.own.State = []int64{9, 9}
			g.own.RLog = []LogEntry{{Req: Req{Q: b, Seq: 0}, X: full(6)}, {Req: Req{Q: b, Seq: 1}, X: full(6)}}
			g.own.PendReqs = []ClientReq{a}
			g.own.Prim = prim
			p := defaultStructure(r.k)
			p.ReqQ = tc.q
			g.setRep(prim, &p)
			if got := g.acceptablePreprep(a, prim); got != tc.want {
				t.Errorf("acceptablePreprep %v, want %v", got, tc.want)
			}
			un := g.unassignedReqs(g.acceptablePreprep)
			if got := len(un) == 0; got != tc.want {
				t.Errorf("detector's unassigned requests %v; want assigned %v", un, tc.want)
			}
			numbered := len(tc.q) > 0 && slices.ContainsFunc(tc.q, func(p ReqPair) bool { return p.Req.Q == a })
			if got := len(g.unassignedReqs(g.existsPreprep)) == 0; got != numbered {
				t.Errorf("assign's view: assigned %v, want %v (any PRE_PREP)", got, numbered)
			}
		})
	}
}

// TestObserveAdopted: entries adopted with a state (consolidation, the new
// primary's structure) are reported as Commits once, in order, and only
// when n−2f replicas committed or executed them (fix 23).
func TestObserveAdopted(t *testing.T) {
	r, env := newTestReplica(t, 2, 6, 1, nil)
	g := &r.rep
	q := func(v int64) ClientReq { return ClientReq{Client: 6, TS: uint64(v), Op: protocols.OpAppend, Value: v} }
	log := []LogEntry{
		{Req: Req{Q: q(1), Seq: 0}, X: full(6)},
		{Req: Req{Q: q(2), Seq: 1}, X: full(6)},
		{Req: Req{Q: dummyReq, View: 1, Seq: 2}, X: full(6)},
		{Req: Req{Q: q(4), View: 1, Seq: 3}, X: full(6)},
	}
	g.observed = 0 // executed entry 0 itself
	g.own.State = []int64{1, 2, 4}
	g.own.RLog = log
	for j := range g.rep {
		if j == r.id {
			continue
		}
		s := defaultStructure(r.k)
		s.State = []int64{1, 2, 4}
		s.RLog = log
		if j >= 3 { // replicas 3, 4, 5 have not executed entry 3
			s.RLog = log[:3]
		}
		g.setRep(j, &s)
	}
	g.bind()
	commits := func() []protocols.Commit {
		var out []protocols.Commit
		for _, o := range env.obs {
			if c, ok := o.(protocols.Commit); ok {
				out = append(out, c)
			}
		}
		return out
	}
	g.observeAdopted()
	got := commits()
	if len(got) != 2 || got[0].Height != 2 || got[1].Height != 3 || got[1].Requests != 0 || got[0].Digest != log[1].Req.digest() {
		t.Fatalf("commits %+v; want heights 2 and 3 (a NO_OP), not entry 3 held by 3 < n−2f replicas", got)
	}
	s := *g.rep[3]
	s.RLog = log
	g.setRep(3, &s)
	g.observeAdopted()
	g.observeAdopted()
	got = commits()
	if len(got) != 3 || got[2].Height != 4 {
		t.Fatalf("commits %+v; want entry 3 (height 4) once, now at n−2f replicas", got)
	}
}

// TestAcceptReqPreprep: a replica takes a request's PRE_PREP from the
// primary only when the request is one it knows pending (or already in the
// primary's r_log), the primary numbered it in its own view, the number is
// inside the window and the request is new here; a primary id outside
// 0…n−1 is never accepted. Each case differs from an accepted one in one
// condition.
func TestAcceptReqPreprep(t *testing.T) {
	a := ClientReq{Client: 6, TS: 1, Op: protocols.OpAppend, Value: 1}
	b := ClientReq{Client: 7, TS: 1, Op: protocols.OpAppend, Value: 2}
	z := ClientReq{Client: 7, TS: 9, Op: protocols.OpAppend, Value: 9}
	const prim = 0
	pp := func(q ClientReq, view, seq int64, st Status) ReqPair {
		return ReqPair{Req: Req{Q: q, View: view, Seq: seq}, Status: st}
	}
	entry := func(q ClientReq, view, seq int64) LogEntry {
		return LogEntry{Req: Req{Q: q, View: view, Seq: seq}, X: full(6)}
	}
	for _, tc := range []struct {
		name    string
		prim    int
		pending bool       // every replica holds a pending
		q       []ReqPair  // the primary's req_q
		log     []LogEntry // the primary's r_log
		own     []ReqPair  // this replica's req_q
		want    bool
	}{
		{"pending, numbered in the window", prim, true, []ReqPair{pp(a, prim, 2, PrePrep)}, nil, nil, true},
		{"primary id below 0", -1, true, nil, nil, nil, false},
		{"primary id n", 6, true, nil, nil, nil, false},
		{"not known pending", prim, false, []ReqPair{pp(a, prim, 2, PrePrep)}, nil, nil, false},
		{"pending, pair without PRE_PREP", prim, true, []ReqPair{pp(a, prim, 2, Prep)}, nil, nil, false},
		{"pending, numbered in an older view; another request numbered", prim, true, []ReqPair{pp(a, 5, 2, PrePrep), pp(b, prim, 3, PrePrep)}, nil, nil, false},
		{"pending, numbered beyond the window", prim, true, []ReqPair{pp(a, prim, 2+10+1, PrePrep)}, nil, nil, false},
		{"pending, numbered at lastExec", prim, true, []ReqPair{pp(a, prim, 1, PrePrep)}, nil, nil, false},
		{"pending, already held here", prim, true, []ReqPair{pp(a, prim, 2, PrePrep)}, nil, []ReqPair{pp(a, prim, 2, PrePrep)}, false},
		{"in the primary's r_log, in the window", prim, false, nil, []LogEntry{entry(a, prim, 2)}, nil, true},
		{"another request in the primary's r_log", prim, false, nil, []LogEntry{entry(b, prim, 2)}, nil, false},
		{"in the primary's r_log in an older view", prim, false, nil, []LogEntry{entry(a, 5, 2)}, nil, false},
		{"in the primary's r_log beyond the window", prim, false, nil, []LogEntry{entry(a, prim, 2+10+1)}, nil, false},
		{"in the primary's r_log, already held here", prim, false, nil, []LogEntry{entry(a, prim, 2)}, []ReqPair{pp(a, prim, 2, PrePrep)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 6, 1, nil) // σK = 5 × 2 clients
			g := &r.rep
			for k := range g.rep {
				if k != r.id {
					s := defaultStructure(r.k)
					g.setRep(k, &s)
				}
				if tc.pending {
					g.rep[k].PendReqs = []ClientReq{a}
				}
			}
			g.own.State = []int64{9, 9}
			g.own.RLog = []LogEntry{entry(z, 0, 0), entry(z, 0, 1)}
			g.own.ReqQ = tc.own
			g.own.Prim = prim
			if tc.prim >= 0 && tc.prim < len(g.rep) {
				g.rep[tc.prim].ReqQ = tc.q
				g.rep[tc.prim].RLog = tc.log
			}
			if got := g.acceptReqPreprep(a, tc.prim); got != tc.want {
				t.Errorf("acceptReqPreprep = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSameReqIsEquality checks sameReq against == on requests that differ
// in one field at a time, and that it names every field: a field added to
// Req or ClientReq must be added to sameReq too.
func TestSameReqIsEquality(t *testing.T) {
	if n, m := reflect.TypeFor[Req]().NumField(), reflect.TypeFor[ClientReq]().NumField(); n != 3 || m != 5 {
		t.Fatalf("Req has %d fields and ClientReq %d; sameReq compares 3 and 5", n, m)
	}
	base := Req{Q: ClientReq{Client: 7, TS: 3, Op: protocols.OpAppend, Value: 9, Payload: 16}, View: 2, Seq: 11}
	variants := []func(*Req){
		func(r *Req) {},
		func(r *Req) { r.Q.Client++ },
		func(r *Req) { r.Q.TS++ },
		func(r *Req) { r.Q.Op = protocols.OpNoop },
		func(r *Req) { r.Q.Value++ },
		func(r *Req) { r.Q.Payload++ },
		func(r *Req) { r.View++ },
		func(r *Req) { r.Seq++ },
	}
	for i, change := range variants {
		o := base
		change(&o)
		if got, want := sameReq(&base, &o), base == o; got != want {
			t.Errorf("variant %d: sameReq = %v, == says %v", i, got, want)
		}
	}
}
