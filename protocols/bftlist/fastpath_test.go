package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// shapes are (n, f) pairs BFTList accepts (n ≥ 5f+1), not only the
// smallest n for each f.
var shapes = []struct{ n, f int }{{6, 1}, {7, 1}, {11, 2}, {13, 2}, {16, 3}, {31, 6}, {100, 19}}

// TestHonestSendMatchesConduct checks that a replica's sends and gossips
// (send, sendOthers, view establishment's loop) reach whom its conduct
// sends to, and the shortcut an honest replica takes in view
// establishment: it shows its own data without asking the strategy, which
// must be what the strategy shows. Every behaviour is checked, so that a
// behaviour reported honest that shows other data fails.
func TestHonestSendMatchesConduct(t *testing.T) {
	names := []string{""}
	for _, b := range behaviours().Named() {
		names = append(names, b.Name)
	}
	for _, sh := range shapes[:5] {
		for _, name := range names {
			r, env := newTestReplica(t, 1, sh.n, sh.f, nil)
			if err := r.SetBehaviour(name); err != nil {
				t.Fatal(err)
			}
			if name == "" && !r.conduct.Honest() {
				t.Fatal("the honest behaviour is not reported honest")
			}
			m := &PMMsg{VCM: VCM{Status: OK, Prim: 0}, N: sh.n}
			for j := range sh.n {
				env.sent = nil
				r.send(j, m)
				got := env.sent
				env.sent = nil
				r.conduct.Send(env, sim.NodeID(j), m)
				if !slices.Equal(got, env.sent) {
					t.Errorf("n = %d %q: send to %d gave %v, its conduct %v", sh.n, name, j, got, env.sent)
				}
			}
			odd := &PMMsg{VCM: VCM{Status: NoService, Prim: 0}, N: sh.n}
			env.sent = nil
			r.sendOthers(m, odd)
			got := env.sent
			env.sent = nil
			for j := range sh.n {
				if j != r.id {
					r.conduct.Send(env, sim.NodeID(j), map[bool]*PMMsg{false: m, true: odd}[j%2 == 1])
				}
			}
			if !slices.Equal(got, env.sent) {
				t.Errorf("n = %d %q: sendOthers gave %v, its conduct %v", sh.n, name, got, env.sent)
			}
			env.sent = nil
			for j := range sh.n {
				if j != r.id {
					r.conduct.Send(env, sim.NodeID(j), &VEMsg{})
				}
			}
			var want []sim.NodeID
			for _, s := range env.sent {
				want = append(want, s.to)
			}
			env.sent = nil
			r.ve.gossip()
			own := r.ve.ownData()
			var to []sim.NodeID
			for _, s := range env.sent {
				to = append(to, s.to)
			}
			if !slices.Equal(to, want) {
				t.Errorf("n = %d %q: view establishment sent to %v, its conduct to %v", sh.n, name, to, want)
			}
			for _, s := range env.sent {
				if want := r.conduct.S.veShown(r, int(s.to), own); s.msg.(*VEMsg).Own != want {
					t.Errorf("n = %d %q: VE report to %d shows %v, the strategy %v", sh.n, name, s.to, s.msg.(*VEMsg).Own, want)
				}
			}
		}
	}
}

// publishedView is get_current_view(k) as published: the forced view,
// 0 without self-stabilization, else view establishment's record of k —
// for the replica itself in phase 0 and witnessed, ⊥ unless service is
// allowed.
func publishedView(r *Replica, k int) int64 {
	switch {
	case r.p.ForceView >= 0:
		return r.p.ForceView
	case !r.p.SelfStabilizing:
		return 0
	case k == r.id && r.ve.phs[k] == 0 && r.ve.computeWitnesSeen():
		if r.ve.computeAllowService() {
			return r.ve.views[k].Current
		}
		return TEE
	}
	return r.ve.views[k].Current
}

// TestViewIsPublished checks view, whose peer case is read without
// getView's checks and whose forced view is decided at New, against the
// published get_current_view for every replica, itself included, with a
// forced view, without self-stabilization and with view establishment's
// state corrupted at random.
func TestViewIsPublished(t *testing.T) {
	for _, sh := range shapes {
		for _, params := range []protocols.Params{nil, {"self_stabilizing": false}, {"force_view": int64(sh.n - 1)}, {"force_view": int64(0)}} {
			r, _ := newTestReplica(t, sh.n/2, sh.n, sh.f, params)
			rng := rand.New(rand.NewPCG(uint64(sh.n), 7))
			for trial := range 40 {
				if trial > 0 {
					if err := r.Corrupt(rng, []string{ScopeVE}); err != nil {
						t.Fatal(err)
					}
				}
				if trial%2 == 1 {
					r.ve.iterate() // settle some trials' own pair
				}
				for k := range sh.n {
					if got, want := r.view(k), publishedView(r, k); got != want {
						t.Fatalf("n = %d %v trial %d: view(%d) = %d, want %d", sh.n, params, trial, k, got, want)
					}
				}
			}
		}
	}
}

// TestViewOwnUnserved checks view for the replica itself witnessed in
// phase 0 while fewer than n−2f replicas share its view: ⊥, as getView
// says, where a peer's view is its record.
func TestViewOwnUnserved(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	v := ViewPair{3, 3}
	setAll(r, rep6[int8](0), []ViewPair{v, v, v, {1, 1}, {1, 1}, {1, 1}}, rep6(false))
	if got := r.view(0); got != TEE {
		t.Errorf("own view %d with 3 of 6 in it, want ⊥", got)
	}
	if got := r.view(4); got != 1 {
		t.Errorf("peer 4's view %d, want 1", got)
	}
	setAll(r, rep6[int8](0), []ViewPair{v, v, v, v, {1, 1}, {1, 1}}, rep6(false))
	if got := r.view(0); got != 3 {
		t.Errorf("own view %d with 4 of 6 in it, want 3", got)
	}
}

// freshSupChange is supChange as published: the candidates gathered
// anew for the question.
func freshSupChange(pm *primMon, x int) bool {
	var same idset
	mine := pm.vcm[pm.r.id].Prim
	for k := range pm.vcm {
		if pm.vcm[k].Prim == mine {
			same.put(k)
		}
	}
	return supportedChange(pm.vcm, same, x, pm.r.n-2*pm.r.f)
}

// TestPMIterateCandidatesFresh checks that primary monitoring's iteration,
// which gathers the candidates for its two thresholds once, decides as if
// each threshold counted the records afresh after the need-change set was
// updated: random records (many replicas needing a change, some with
// another primary, statuses in trouble or not) at several (n, f).
func TestPMIterateCandidatesFresh(t *testing.T) {
	decided := map[VStatus]int{}
	for _, sh := range shapes {
		n, f := sh.n, sh.f
		rng := rand.New(rand.NewPCG(uint64(n), uint64(f)))
		for trial := range 200 {
			r, _ := newTestReplica(t, trial%n, n, f, protocols.Params{"force_view": int64(0)})
			pm := &r.pm
			p := rng.Float64()
			for k := range n {
				v := &pm.vcm[k]
				v.Prim = 0
				if rng.IntN(10) == 0 {
					v.Prim = 1
				}
				v.Status = VStatus(1 + rng.IntN(3))
				v.NeedChange = rng.Float64() < p
				v.NeedChgSet = idset{}
				for i := range n {
					if rng.Float64() < p {
						v.NeedChgSet.put(i)
					}
				}
			}
			me := &pm.vcm[r.id]
			if me.Status == VChange {
				me.Status = NoService // VChange only calls viewChange again
			}
			before := me.Status
			pm.iterate()
			// The records as iterate left them (its own need-change set
			// updated), asked afresh.
			want := before
			if pm.inTrouble() < n-3*f {
				want = OK
			}
			if want == OK && freshSupChange(pm, n-2*f) {
				want = NoService
			} else if freshSupChange(pm, n-f) {
				want = VChange
			}
			if me.Status != want {
				t.Fatalf("n = %d f = %d trial %d: status %v, asked afresh %v", n, f, trial, me.Status, want)
			}
			decided[want]++
		}
	}
	// The need-change set iterate writes for itself must be counted: with
	// it, the sets of n−2f−1 peers (t replicas each) and its own (every
	// replica) intersect in t; without it the sets' sizes fall short of
	// x·t. The other peers have another primary.
	for _, sh := range shapes {
		n, f := sh.n, sh.f
		x, th := n-2*f, n-2*f
		r, _ := newTestReplica(t, 0, n, f, protocols.Params{"force_view": int64(0)})
		pm := &r.pm
		peers := 0
		for k := range n {
			v := &pm.vcm[k]
			*v = VCM{Status: OK, Prim: 0, NeedChange: true}
			switch {
			case k != r.id && peers < x-1:
				peers++
				for i := range th {
					v.NeedChgSet.put(i)
				}
			case k != r.id:
				v.Prim = 1 // not a candidate: exactly x of them
			}
		}
		for k := range r.fd.primSusp {
			r.fd.primSusp[k] = true // all suspect the primary: it needs a change itself
		}
		pm.iterate()
		if pm.vcm[r.id].Status != NoService {
			t.Errorf("n = %d f = %d: status %v, want NO_SERVICE on n−2f sets counted with its own", n, f, pm.vcm[r.id].Status)
		}
	}
	for _, s := range []VStatus{OK, NoService, VChange} {
		if decided[s] == 0 {
			t.Errorf("no trial decided %v: the random records do not exercise the thresholds", s)
		}
	}
}

// TestCounterMatchesMap checks the counter, which finds its first
// counterScan items by scanning and the rest through its index, against a
// map: the same items in the order of first appearance, the same counts
// (a replica counted once per item however often it lists it), also when
// reset, across the switch to the index; requests (addReq) and their
// client requests (addPend), each compared with its own equality.
func TestCounterMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c, pc := new(counter[Req]), new(counter[ClientReq])
	for trial := range 300 {
		c.reset()
		pc.reset()
		distinct := 1 + rng.IntN(3*counterScan)
		want := map[Req]map[int]bool{}
		wantQ := map[ClientReq]map[int]bool{}
		var order []Req
		var orderQ []ClientReq
		for replica := range 1 + rng.IntN(40) {
			for range rng.IntN(2 * distinct) {
				x := Req{Q: ClientReq{Client: sim.NodeID(rng.IntN(3)), TS: uint64(rng.IntN(distinct))}, Seq: int64(rng.IntN(2))}
				if want[x] == nil {
					want[x] = map[int]bool{}
					order = append(order, x)
				}
				if wantQ[x.Q] == nil {
					wantQ[x.Q] = map[int]bool{}
					orderQ = append(orderQ, x.Q)
				}
				want[x][replica], wantQ[x.Q][replica] = true, true
				addReq(c, &x, replica)
				addPend(pc, &x.Q, replica)
			}
		}
		checkCounter(t, trial, c, order, want, sameReq)
		checkCounter(t, trial, pc, orderQ, wantQ, sameClientReq)
		if count(c, &Req{Seq: -1}, sameReq) != 0 || count(pc, &ClientReq{Client: 9}, sameClientReq) != 0 {
			t.Fatalf("trial %d: an item never added is counted", trial)
		}
	}
}

// checkCounter checks c's items against order and their counts against
// the replicas want records for each.
func checkCounter[T comparable](t *testing.T, trial int, c *counter[T], order []T, want map[T]map[int]bool, same func(a, b *T) bool) {
	t.Helper()
	if !slices.Equal(c.items, order) {
		t.Fatalf("trial %d: items %v, want %v", trial, c.items, order)
	}
	for i, x := range order {
		if c.count[i] != len(want[x]) || count(c, &x, same) != len(want[x]) {
			t.Fatalf("trial %d: item %d %v counted %d (of %d), want %d", trial, i, x, c.count[i], count(c, &x, same), len(want[x]))
		}
	}
}

// TestDeliverChargesEveryMessage checks that every message is charged its
// receipt, per_message + per_byte × its size (and a request its signature
// check), whatever its kind and whether or not it is taken: from a peer,
// from the replica itself, from a client, from outside the system. Each
// case of Deliver's type switch charges its own receipt (statements of a
// case clause, which tools/mutate does not drop), so every kind is
// delivered, a type no module takes included.
func TestDeliverChargesEveryMessage(t *testing.T) {
	for _, sh := range shapes[:4] {
		n := sh.n
		rs := defaultStructure(2)
		msgs := []sim.Message{
			&VEMsg{Own: VEData{Views: ViewPair{0, 0}}}, &REPMsg{Rep: &rs, N: n}, newREPMsg(&rs, n),
			&PMMsg{VCM: VCM{Status: OK}, N: n}, &FDToken{Counter: 3}, &FDAck{Counter: 2}, &EFDToken{Owner: 1, Token: 2},
			&protocols.Request{Client: sim.NodeID(n), ID: 1, Op: protocols.OpAppend, Value: 1},
			&protocols.Reply{}, // no module's: charged, then dropped
		}
		for _, from := range []int{1, 0, n - 1, n, n + 3, -1} {
			for _, m := range msgs {
				r, env := newTestReplica(t, 0, n, sh.f, protocols.Params{"fd_cost": sim.Time(0)})
				want := r.cfg.Costs.Receive(m.Size())
				if _, ok := m.(*protocols.Request); ok {
					want += r.cfg.Costs.Verify
				}
				before := env.now
				r.Deliver(sim.NodeID(from), m)
				if got := env.now - before; got != want {
					t.Errorf("n = %d %T from %d: charged %v, want %v", n, m, from, got, want)
				}
			}
		}
	}
}

// TestNeedChgSetOnlyMyView checks the need-change set a replica builds for
// itself: the replicas that need a change and whose view (as it believes
// it) is its own, itself included — a peer needing a change in another
// view is left out, also when it is the replica's own view that view
// would give for the peer.
func TestNeedChgSetOnlyMyView(t *testing.T) {
	for _, sh := range shapes {
		n, f := sh.n, sh.f
		r := settled(t, n, f, nil) // replica n−1 serving view 0
		for k := range n {
			r.pm.vcm[k].NeedChange = true
		}
		for k := range f {
			r.ve.views[k] = ViewPair{1, 1} // f peers in view 1
		}
		r.ve.touch()
		if v := r.view(r.id); v != 0 {
			t.Fatalf("n = %d: replica in view %d, want 0", n, v)
		}
		r.pm.updateNeedChgSet()
		var want idset
		for k := f; k < n; k++ {
			want.put(k)
		}
		if got := r.pm.vcm[r.id].NeedChgSet; got != want {
			t.Errorf("n = %d f = %d: need-change set %v, want %v", n, f, got.ids(), want.ids())
		}
	}
}
