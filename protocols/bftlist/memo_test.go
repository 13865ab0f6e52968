package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestCountMemosMatchFresh checks, over rounds of changing structures,
// that knownPendReqs and supportedReqs, which remember their result while
// the structures and own's lists read stay the same, return what a fresh
// count gives: peers' structures are replaced (by new or repeated
// pointers), own's lists are written in place and its r_log grows.
func TestCountMemosMatchFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	pool := make([]Req, 6)
	for i := range pool {
		pool[i] = Req{Q: ClientReq{Client: sim.NodeID(6 + i%2), TS: uint64(i), Value: int64(i)}, View: int64(i % 2), Seq: int64(i)}
	}
	statuses := []Status{PrePrep, PrePrep | Prep, PrePrep | Prep | Commit}
	randStructure := func() *RepStructure {
		s := &RepStructure{}
		for _, q := range pool {
			switch rng.IntN(4) {
			case 0:
				s.PendReqs = append(s.PendReqs, q.Q)
			case 1:
				s.ReqQ = append(s.ReqQ, ReqPair{Req: q, Status: statuses[rng.IntN(3)]})
			case 2:
				s.RLog = append(s.RLog, LogEntry{Req: q, X: full(6)})
			}
		}
		return s
	}
	for trial := 0; trial < 50; trial++ {
		r, _ := newTestReplica(t, 0, 6, 1, nil)
		g := &r.rep
		for round := 0; round < 60; round++ {
			for k := range g.rep {
				if k == r.id {
					continue
				}
				switch rng.IntN(4) {
				case 0:
					g.setRep(k, randStructure())
				case 1:
					c := *g.rep[k] // same content, new pointer
					g.setRep(k, &c)
				}
			}
			switch rng.IntN(5) {
			case 0: // own lists written in place
				if len(g.own.ReqQ) > 0 {
					g.own.ReqQ[rng.IntN(len(g.own.ReqQ))].Status = statuses[rng.IntN(3)]
				}
				if len(g.own.PendReqs) > 0 {
					g.own.PendReqs[rng.IntN(len(g.own.PendReqs))] = pool[rng.IntN(len(pool))].Q
				}
			case 1: // own r_log grows
				g.own.RLog = append(g.own.RLog, LogEntry{Req: pool[rng.IntN(len(pool))], X: full(6)})
			case 2:
				o := randStructure()
				g.own.ReqQ, g.own.PendReqs, g.own.RLog = o.ReqQ, o.PendReqs, o.RLog
			}
			for _, st := range []Status{PrePrep, Prep, Prep | Commit, Prep} {
				got := slices.Clone(g.supportedReqs(st))
				if want := g.countSupported(st); !slices.Equal(got, want) {
					t.Fatalf("trial %d round %d: supportedReqs(%v) = %v, fresh %v", trial, round, st, got, want)
				}
			}
			got := slices.Clone(g.knownPendReqs())
			c := new(counter[ClientReq])
			g.countPend(c)
			if want := c.atLeast(g.q2()); !slices.Equal(got, want) {
				t.Fatalf("trial %d round %d: knownPendReqs = %v, fresh %v", trial, round, got, want)
			}
		}
	}
}

// TestSameContent checks that a snapshot has the same content as its
// structure until one of the structure's fields changes.
func TestSameContent(t *testing.T) {
	q := ClientReq{Client: 6, TS: 1, Value: 1}
	base := func() *RepStructure {
		s := defaultStructure(2)
		s.State = []int64{1}
		s.RLog = []LogEntry{{Req: Req{Q: q, Seq: 0}, X: full(6)}}
		s.PendReqs = []ClientReq{q}
		s.ReqQ = []ReqPair{{Req: Req{Q: q, Seq: 1}, Status: PrePrep}}
		return &s
	}
	for _, c := range []struct {
		name   string
		change func(s *RepStructure)
		same   bool
	}{
		{"unchanged", func(*RepStructure) {}, true},
		{"state appended", func(s *RepStructure) { s.State = append(s.State, 2) }, false},
		{"state equal copy", func(s *RepStructure) { s.State = []int64{1} }, false},
		{"state emptied", func(s *RepStructure) { s.State = s.State[:0] }, false},
		{"r_log appended", func(s *RepStructure) { s.RLog = append(s.RLog, s.RLog[0]) }, false},
		{"pending written", func(s *RepStructure) { s.PendReqs[0].TS = 2 }, false},
		{"pending copied", func(s *RepStructure) { s.PendReqs = slices.Clone(s.PendReqs) }, true},
		{"req_q status", func(s *RepStructure) { s.ReqQ[0].Status |= Prep }, false},
		{"last_req set", func(s *RepStructure) { s.LastReq[1].Set = true }, false},
		{"last_req nil", func(s *RepStructure) { s.LastReq = nil }, false},
		{"seq_num", func(s *RepStructure) { s.SeqNum++ }, false},
		{"con_flag", func(s *RepStructure) { s.ConFlag = true }, false},
		{"view_changed", func(s *RepStructure) { s.ViewChanged = true }, false},
		{"prim", func(s *RepStructure) { s.Prim = 3 }, false},
	} {
		s := base()
		snap := s.snapshot()
		c.change(s)
		if got := snap.sameContent(s); got != c.same {
			t.Errorf("%s: sameContent = %v, want %v", c.name, got, c.same)
		}
	}
}

// TestVERepeatRemembered checks that a VE report repeating the one held,
// whether in the same message or a copy, changes nothing (the module's
// version stays, so its cached predicates do) and that the message is
// remembered; a reset forgets it, so the same message is taken again.
func TestVERepeatRemembered(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	ve := &r.ve
	m := &VEMsg{Own: VEData{Phase: 0, Views: ViewPair{1, 1}}, About: VEData{Views: RST}}
	ve.receive(2, m)
	if ve.got[2] != m || ve.views[2] != m.Own.Views {
		t.Fatalf("first report not taken: got %p, views %v", ve.got[2], ve.views[2])
	}
	ver := ve.ver
	ve.receive(2, m)
	c := *m // same content, new message
	ve.receive(2, &c)
	if ve.ver != ver {
		t.Errorf("a repeated report changed the module's version %d → %d", ver, ve.ver)
	}
	if ve.got[2] != &c {
		t.Error("a repeated report in a new message is not remembered")
	}
	ve.resetAll()
	if ve.got[2] != nil || ve.views[2] != RST {
		t.Fatalf("reset kept peer 2: got %p, views %v", ve.got[2], ve.views[2])
	}
	ve.receive(2, &c)
	if ve.views[2] != c.Own.Views {
		t.Errorf("after a reset the remembered message was ignored: views %v", ve.views[2])
	}
}

// TestPMRepeatRemembered checks that primary monitoring copies a message
// repeated by pointer only once (the record is not written again), that a
// new message with the same content is taken, and that cleaning the state
// and corrupting the module forget the message, so that the same message
// is then copied again.
func TestPMRepeatRemembered(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	pm := &r.pm
	want := VCM{Status: NoService, Prim: 1, NeedChange: true, NeedChgSet: setOf(1, 3, 700)}
	m := &PMMsg{VCM: want, N: 6}
	masked := want
	masked.NeedChgSet = setOf(1, 3)
	pm.receive(2, m)
	if pm.vcm[2] != masked || pm.got[2] != m {
		t.Fatalf("first message not taken: vcm[2] = %+v, got %p", pm.vcm[2], pm.got[2])
	}
	pm.vcm[2].Status = VChange // only a repeat's copy would undo this
	pm.receive(2, m)
	if pm.vcm[2].Status != VChange {
		t.Errorf("a repeated message was copied again: status %v", pm.vcm[2].Status)
	}
	c := *m // same content, new message
	pm.receive(2, &c)
	if pm.vcm[2] != masked || pm.got[2] != &c {
		t.Errorf("a new message with the same content not taken: vcm[2] = %+v", pm.vcm[2])
	}
	for _, forget := range []struct {
		name string
		do   func()
	}{
		{"cleanState", pm.cleanState},
		{"corruption", func() { r.corruptPM(rand.New(rand.NewPCG(1, 2))) }},
	} {
		forget.do()
		if pm.got[2] != nil {
			t.Errorf("%s kept the message of peer 2", forget.name)
		}
		pm.receive(2, &c)
		if pm.vcm[2] != masked {
			t.Errorf("after %s the same message was ignored: vcm[2] = %+v", forget.name, pm.vcm[2])
		}
	}
}

// TestLogMemoMatchesFresh checks that notInOwnLog, which remembers per peer
// what the peer's r_log holds beyond this replica's and, when the peer's
// log only moved on (appended to, its lowest entry sliced off), compares
// only the new entries, returns what a fresh scan gives. Logs grow by
// executions in order (addLog, as a replica's does), are sometimes rebuilt
// (an out-of-order trim), replaced (adopted) or cut back, sometimes skip a
// number, and peers sometimes execute a request own's log holds under the
// same number with another request.
func TestLogMemoMatchesFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const limit = 6
	entry := func(seq int64, variant int) LogEntry {
		return LogEntry{Req: Req{Q: ClientReq{Client: 6, TS: uint64(seq), Value: int64(seq*10 + int64(variant))}, Seq: seq}, X: full(6)}
	}
	fresh := func(log []LogEntry, own logIndex) []Req {
		var out []Req
		for _, e := range log {
			if !own.has(&e.Req) {
				out = append(out, e.Req)
			}
		}
		return out
	}
	for trial := 0; trial < 40; trial++ {
		r, _ := newTestReplica(t, 0, 6, 1, nil)
		g := &r.rep
		logs := make([]RepStructure, 6) // each replica's structure; 0 is own
		next := make([]int64, 6)
		for round := 0; round < 200; round++ {
			k := rng.IntN(6)
			s := &logs[k]
			switch c := rng.IntN(20); {
			case c < 13: // execute the next request, mostly own's variant
				v := 0
				if rng.IntN(8) == 0 {
					v = 1
				}
				s.addLog(entry(next[k], v), limit)
				next[k]++
			case c < 15: // a gap in the numbers, or a number repeated (a
				// corrupted or Byzantine log)
				gap := int64(rng.IntN(3)) - 1
				s.addLog(entry(next[k]+gap, 0), limit)
				next[k] += gap + 1
			case c < 16: // an entry that is not the lowest goes: rebuilt
				if len(s.RLog) > 1 {
					s.RLog = append([]LogEntry(nil), s.RLog...) // a new array, then out of order
					s.RLog[0], s.RLog[1] = s.RLog[1], s.RLog[0]
					s.addLog(entry(next[k], 0), len(s.RLog)-1)
					next[k]++
				}
			case c < 18: // adopted: a copy of another replica's log
				o := &logs[rng.IntN(6)]
				s.RLog = clip(o.RLog)
				next[k] = o.lastExec() + 1
			case c < 19: // a prefix of its own log adopted (the same array)
				s.RLog = clip(s.RLog[:rng.IntN(len(s.RLog)+1)])
				next[k] = s.lastExec() + 1
			default: // lagging: the log cut back to a prefix, copied
				s.RLog = append([]LogEntry(nil), s.RLog[:rng.IntN(len(s.RLog)+1)]...)
				next[k] = s.lastExec() + 1
			}
			own := newLogIndex(clip(logs[0].RLog))
			for j := 1; j < 6; j++ {
				log := clip(logs[j].RLog) // as a snapshot sent carries it
				got, want := g.notInOwnLog(j, log, own), fresh(log, own)
				if !slices.Equal(got, want) {
					t.Fatalf("trial %d round %d peer %d: notInOwnLog = %v, fresh %v", trial, round, j, got, want)
				}
			}
		}
	}
}

// TestExecMemoMatchesFresh checks that lastCommonExec, which remembers each
// replica's last executed number with the r_log it read it from and the
// numbers in order, returns what sorting them afresh gives while logs grow
// in place, lose their lowest entry, are replaced, emptied or shared.
func TestExecMemoMatchesFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	fresh := func(rep []*RepStructure, q int) int64 {
		var execs []int64
		for _, s := range rep {
			execs = append(execs, s.lastExec())
		}
		if q < 1 || q > len(execs) {
			return -1
		}
		slices.Sort(execs)
		return execs[len(execs)-q]
	}
	for trial := 0; trial < 30; trial++ {
		r, _ := newTestReplica(t, 0, 6, 1, nil)
		g := &r.rep
		structs := make([]RepStructure, 6)
		for round := 0; round < 150; round++ {
			k := rng.IntN(6)
			s := &structs[k]
			switch c := rng.IntN(10); {
			case c < 6:
				s.addLog(LogEntry{Req: Req{Seq: s.lastExec() + 1 + int64(rng.IntN(2))}}, 4)
			case c < 7:
				s.RLog = nil
			case c < 8:
				s.RLog = clip(structs[rng.IntN(6)].RLog)
			case c < 9:
				s.RLog = clip(s.RLog[:rng.IntN(len(s.RLog)+1)])
			default:
				s.RLog = append([]LogEntry(nil), s.RLog...)
			}
			for j := range structs {
				c := structs[j] // a snapshot, as a peer's structure is held
				g.setRep(j, &c)
			}
			for _, q := range []int{0, 1, 4, 6, 7} {
				if got, want := g.execs.nth(g.rep, q), fresh(g.rep, q); got != want {
					t.Fatalf("trial %d round %d q %d: nth = %d, fresh %d", trial, round, q, got, want)
				}
			}
			if got, want := g.lastCommonExec(), fresh(g.rep, g.q2()); got != want {
				t.Fatalf("trial %d round %d: lastCommonExec = %d, fresh %d", trial, round, got, want)
			}
		}
	}
}

// TestRepMemosMatchFreshValues drives replicas at several (n, f) through
// random steps (randomRun) and checks after each that every replacement of
// a peer's structure moved repVer (the structures are the ones of the last
// check when the version is), and that the request counts kept between
// calls (the peers' part counted once per version of rep and own r_log,
// the results per status and own list) equal a fresh count.
func TestRepMemosMatchFreshValues(t *testing.T) {
	for _, cfg := range []randomRunConfig{
		{6, 1, nil, 0},
		{6, 1, nil, 5},
		{7, 1, nil, 3},
		{11, 2, protocols.Params{"fd_mode": FDEvent}, 3},
		{16, 3, nil, 3},
		{7, 1, protocols.Params{"force_view": int64(2)}, 5},
	} {
		for seed := uint64(0); seed < 2; seed++ {
			vers := make([]uint64, cfg.n)
			reps := make([][]*RepStructure, cfg.n)
			randomRun(t, cfg, seed, func(step, i int, r *Replica) {
				g := &r.rep
				if reps[i] != nil && g.repVer == vers[i] {
					for j, s := range g.rep {
						if j != i && s != reps[i][j] {
							t.Fatalf("n = %d, seed %d, step %d, replica %d: rep[%d] replaced without moving repVer", cfg.n, seed, step, i, j)
						}
					}
				}
				vers[i], reps[i] = g.repVer, append(reps[i][:0], g.rep...)
				// committedSet looks requests up in the log memos, as the
				// replica left them (supportedReqs below brings them up to date).
				var reqs []Req
				for _, p := range g.own.ReqQ {
					reqs = append(reqs, p.Req)
				}
				for _, s := range g.rep {
					if len(s.RLog) > 0 {
						reqs = append(reqs, s.RLog[0].Req, s.RLog[len(s.RLog)-1].Req)
					}
				}
				for _, q := range reqs {
					if got, want := g.committedSet(q), freshCommittedSet(g, q); got != want {
						t.Fatalf("n = %d, seed %d, step %d, replica %d: committedSet(%v) = %v, fresh %v", cfg.n, seed, step, i, q, got.ids(), want.ids())
					}
				}
				for _, st := range countedStatuses {
					got := slices.Clone(g.supportedReqs(st))
					if want := g.countSupported(st); !slices.Equal(got, want) {
						t.Fatalf("n = %d, seed %d, step %d, replica %d: supportedReqs(%v) = %v, fresh %v", cfg.n, seed, step, i, st, got, want)
					}
				}
				weak := slices.ContainsFunc(g.own.RLog, func(e LogEntry) bool { return e.X.len() < g.q2() })
				if got := g.weakLog(); got != weak {
					t.Fatalf("n = %d, seed %d, step %d, replica %d: weakLog = %v, fresh %v", cfg.n, seed, step, i, got, weak)
				}
				got := slices.Clone(g.knownPendReqs())
				c := new(counter[ClientReq])
				g.countPend(c)
				if want := c.atLeast(g.q2()); !slices.Equal(got, want) {
					t.Fatalf("n = %d, seed %d, step %d, replica %d: knownPendReqs = %v, fresh %v", cfg.n, seed, step, i, got, want)
				}
			})
		}
	}
}

// freshCommittedSet is committedSet without the log memos.
func freshCommittedSet(g *replication, req Req) idset {
	var x idset
	for k, s := range g.rep {
		if slices.ContainsFunc(s.ReqQ, func(p ReqPair) bool { return p.Req == req && p.Status.has(Commit) }) || s.inRLog(req) {
			x.put(k)
		}
	}
	return x
}

// TestCommittedSetReadsCurrentLogs checks that committedSet, which looks a
// request up in a peer's r_log through the log memo, uses a memo only for
// the log it was made from: the peers' logs grow in place after the memos
// were made (same first entry, longer), then are replaced by logs of other
// arrays, one of them not numbered consecutively.
func TestCommittedSetReadsCurrentLogs(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	g := &r.rep
	reqs := make([]Req, 6)
	for i := range reqs {
		reqs[i] = Req{Q: ClientReq{Client: 6, TS: uint64(i + 1), Value: int64(i)}, Seq: int64(i)}
	}
	arr := make([]LogEntry, 0, 8)
	for _, q := range reqs[:2] {
		arr = append(arr, LogEntry{Req: q, X: full(6)})
	}
	setLogs := func(log []LogEntry) {
		for k := 1; k < 6; k++ {
			g.setRep(k, &RepStructure{RLog: clip(log)})
		}
	}
	var peers idset // 1 … 5
	for k := 1; k < 6; k++ {
		peers.put(k)
	}
	setLogs(arr)
	g.supportedReqs(Prep) // the memos index the logs of two entries
	arr = append(arr, LogEntry{Req: reqs[2], X: full(6)})
	setLogs(arr)
	if got := g.committedSet(reqs[2]); got != peers {
		t.Errorf("grown logs: committedSet = %v, want 1 … 5", got.ids())
	}
	g.supportedReqs(Prep)
	gap := []LogEntry{{Req: reqs[0], X: full(6)}, {Req: reqs[5], X: full(6)}, {Req: reqs[3], X: full(6)}}
	setLogs(gap)
	for _, q := range []Req{reqs[3], reqs[5]} {
		if got := g.committedSet(q); got != peers {
			t.Errorf("non-consecutive logs: committedSet(%d) = %v, want 1 … 5", q.Seq, got.ids())
		}
	}
	g.supportedReqs(Prep)
	if got := g.committedSet(reqs[3]); got != peers {
		t.Errorf("non-consecutive logs, memos made: committedSet = %v, want 1 … 5", got.ids())
	}
	if got := g.committedSet(reqs[1]); got.len() != 0 {
		t.Errorf("a request no log holds: committedSet = %v, want none", got.ids())
	}
}

// TestWeakLogFollowsOwnLog checks that staleRep's remembered check of own
// r_log follows the log: an entry appended in place (same first entry) or
// a log replaced by another array is checked again.
func TestWeakLogFollowsOwnLog(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	g := &r.rep
	q := func(i int) Req { return Req{Q: ClientReq{Client: 6, TS: uint64(i + 1)}, Seq: int64(i)} }
	log := make([]LogEntry, 0, 8)
	log = append(log, LogEntry{Req: q(0), X: full(6)})
	g.own.RLog = log
	if g.staleRep() {
		t.Fatal("a log of fully supported entries is stale")
	}
	var weak idset
	weak.put(1)
	g.own.RLog = append(log, LogEntry{Req: q(1), X: weak}) // in place
	if !g.staleRep() {
		t.Fatal("an entry appended in place with one supporter is not seen")
	}
	g.own.RLog = []LogEntry{{Req: q(0), X: full(6)}}
	if g.staleRep() {
		t.Fatal("a new log of fully supported entries is stale")
	}
	g.own.RLog = []LogEntry{{Req: q(0), X: weak}}
	if !g.staleRep() {
		t.Fatal("a new log with one supporter per entry is not stale")
	}
}
