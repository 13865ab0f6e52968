package bftlist

import (
	"math/rand/v2"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// fakeEnv records what a replica does, for unit tests without a World.
type fakeEnv struct {
	id    sim.NodeID
	n     int
	now   sim.Time
	sent  []sent
	obs   []sim.Observation
	next  sim.TimerID
	rng   *rand.Rand
	timer map[sim.TimerID]sim.Timer
}

type sent struct {
	to  sim.NodeID
	msg sim.Message
}

func (e *fakeEnv) Now() sim.Time                     { return e.now }
func (e *fakeEnv) ID() sim.NodeID                    { return e.id }
func (e *fakeEnv) Replicas() int                     { return e.n }
func (e *fakeEnv) Send(to sim.NodeID, m sim.Message) { e.sent = append(e.sent, sent{to, m}) }
func (e *fakeEnv) Broadcast(m sim.Message) {
	for i := 0; i < e.n; i++ {
		e.Send(sim.NodeID(i), m)
	}
}
func (e *fakeEnv) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	e.next++
	e.timer[e.next] = sim.Timer{ID: e.next, Kind: kind, Data: data}
	return e.next
}
func (e *fakeEnv) CancelTimer(id sim.TimerID) { delete(e.timer, id) }
func (e *fakeEnv) Rand() *rand.Rand           { return e.rng }
func (e *fakeEnv) Charge(d sim.Time)          { e.now += d }
func (e *fakeEnv) Observe(o sim.Observation)  { e.obs = append(e.obs, o) }

// newTestReplica builds replica id of n with a fake environment, started.
func newTestReplica(t testing.TB, id, n, f int, params protocols.Params) (*Replica, *fakeEnv) {
	t.Helper()
	r, err := New(protocols.Config{ID: sim.NodeID(id), N: n, F: f, Clients: 2, Params: params, Costs: protocols.DefaultCosts()})
	if err != nil {
		t.Fatal(err)
	}
	env := &fakeEnv{id: sim.NodeID(id), n: n, rng: rand.New(rand.NewPCG(1, uint64(id))), timer: map[sim.TimerID]sim.Timer{}}
	r.Start(env)
	env.sent = nil
	return r, env
}

// setAll makes replica r believe every replica reports d, and echoes its
// own data back, so its predicates see a settled system.
func setAll(r *Replica, phs []int8, views []ViewPair, vch []bool) {
	for k := 0; k < r.n; k++ {
		r.ve.phs[k], r.ve.views[k], r.ve.vChange[k] = phs[k], views[k], vch[k]
	}
	own := r.ve.ownData()
	own.Witness = true
	for k := 0; k < r.n; k++ {
		r.ve.echo[k] = own
		r.ve.witnesses[k], r.ve.got[k] = true, nil
	}
	r.ve.witSet = full(r.n)
	r.ve.touch()
}

func rep6[T any](x T) []T {
	out := make([]T, 6)
	for i := range out {
		out[i] = x
	}
	return out
}

func TestVEAutomaton(t *testing.T) {
	v := func(c, n int64) ViewPair { return ViewPair{c, n} }
	for _, tc := range []struct {
		name      string
		phs       []int8
		views     []ViewPair
		vch       []bool
		wantPhase int8
		wantView  ViewPair
	}{
		{"RST moves to phase 1", rep6[int8](0), rep6(RST), rep6(false), 1, RST},
		{"RST phase 1 establishes view 0", rep6[int8](1), rep6(RST), rep6(false), 0, v(0, 0)},
		{"stable view remains", rep6[int8](0), rep6(v(2, 2)), rep6(false), 0, v(2, 2)},
		{"vChange of n−f moves to next view", rep6[int8](0), rep6(v(2, 2)), []bool{true, true, true, true, true, false}, 1, v(2, 3)},
		{"vChange of n−f−1 does not", rep6[int8](0), rep6(v(2, 2)), []bool{true, true, true, true, false, false}, 0, v(2, 2)},
		{"follow a view transition", []int8{0, 1, 1, 1, 1, 1}, []ViewPair{v(2, 2), v(2, 3), v(2, 3), v(2, 3), v(2, 3), v(2, 3)}, rep6(false), 1, v(2, 3)},
		{"phase 1 establishes", rep6[int8](1), rep6(v(2, 3)), rep6(false), 0, v(3, 3)},
		{"follow to phase 0", []int8{1, 0, 0, 0, 0, 0}, []ViewPair{v(2, 3), v(3, 3), v(3, 3), v(3, 3), v(3, 3), v(3, 3)}, rep6(false), 0, v(3, 3)},
		// Just established view 1: the others still head for it in phase
		// 1 (their pairs say so), one lags at (0,0). They support my view;
		// counting them for the lagging pair turned a view change back.
		{"trailing transit does not pull back", []int8{0, 0, 1, 1, 1, 0}, []ViewPair{v(1, 1), v(0, 0), v(0, 1), v(0, 1), v(0, 1), v(1, 1)}, []bool{false, false, true, true, true, false}, 0, v(1, 1)},
		{"follow n−2f at the previous view", rep6[int8](0), []ViewPair{v(1, 1), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0)}, rep6(false), 1, v(1, 0)},
		{"no support resets", []int8{0, 0, 0, 0, 0, 0}, []ViewPair{v(1, 1), v(2, 2), v(3, 3), v(4, 4), v(5, 5), v(2, 2)}, rep6(false), 0, RST},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 0, 6, 1, nil)
			setAll(r, tc.phs, tc.views, tc.vch)
			r.ve.iterate()
			if r.ve.phs[0] != tc.wantPhase || r.ve.views[0] != tc.wantView {
				t.Fatalf("phase %d view %v, want phase %d view %v", r.ve.phs[0], r.ve.views[0], tc.wantPhase, tc.wantView)
			}
		})
	}
}

// TestVEPhaseOneRemainsWithEstablished: n = 8, f = 1. Replica0 heads for
// view 1 with replica1; replicas 4–7 already established it; replica2 was
// reset (a recovered primary that found neither view supported) and
// replica3's reports are stale at (0, 0) (its messages lost). Establishing
// needs n−f = 7 (six here), remaining needed n−2f = 6 at or heading from
// view 0 (four): replica0 reset and flushed its list, and so did every
// replica in its place — the global reset of the explore finding
// bftlist_crash_recovery_global_reset. The replicas that established my
// next view support my remaining on a step from v to v+1 (fix 26); a pair
// off that step, or a lone phase-1 pair, still resets.
func TestVEPhaseOneRemainsWithEstablished(t *testing.T) {
	v := func(c, n int64) ViewPair { return ViewPair{c, n} }
	for _, tc := range []struct {
		name      string
		phs       []int8
		views     []ViewPair
		vch       []bool
		wantPhase int8
		wantView  ViewPair
	}{
		{"established next view supports remaining",
			[]int8{1, 1, 0, 0, 0, 0, 0, 0},
			[]ViewPair{v(0, 1), v(0, 1), RST, v(0, 0), v(1, 1), v(1, 1), v(1, 1), v(1, 1)},
			make([]bool, 8), 1, v(0, 1)},
		{"establishes with n−f",
			[]int8{1, 1, 1, 0, 0, 0, 0, 0},
			[]ViewPair{v(0, 1), v(0, 1), v(0, 1), v(0, 0), v(1, 1), v(1, 1), v(1, 1), v(1, 1)},
			make([]bool, 8), 0, v(1, 1)},
		// A transient fault left replicas 0, 6, 7 in phase 1 towards view 0
		// from views 3, 4, 5; five established view 0. Not a step to the
		// view after its current one: counting the five would hold each
		// of the three in phase 1 for ever (none can reach n−f).
		{"pair off the step still resets",
			[]int8{1, 0, 0, 0, 0, 0, 1, 1},
			[]ViewPair{v(3, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(4, 0), v(5, 0)},
			make([]bool, 8), 0, RST},
		{"lone phase-1 pair still resets",
			[]int8{1, 0, 0, 0, 0, 0, 0, 0},
			[]ViewPair{v(0, 4), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0)},
			make([]bool, 8), 0, RST},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 0, 8, 1, nil)
			setAll(r, tc.phs, tc.views, tc.vch)
			r.ve.iterate()
			if r.ve.phs[0] != tc.wantPhase || r.ve.views[0] != tc.wantView {
				t.Fatalf("phase %d view %v, want phase %d view %v", r.ve.phs[0], r.ve.views[0], tc.wantPhase, tc.wantView)
			}
		})
	}
}

// TestVEPhaseZeroJoinsWithEstablished: a replica in phase 0 at (v, v), late
// to a change that n−f replicas support, some of them already at
// (v+1, v+1) and the rest in phase 1 towards v+1, takes the step (phase 1,
// (v, v+1)) instead of resetting (fix 32 in docs/bftlist.md; the first two
// cases reset without it). Replica 0 is the late one.
func TestVEPhaseZeroJoinsWithEstablished(t *testing.T) {
	v := func(c, n int64) ViewPair { return ViewPair{c, n} }
	for _, tc := range []struct {
		name      string
		n, f      int
		phs       []int8
		views     []ViewPair
		vch       bool // every replica wants a change
		wantPhase int8
		wantView  ViewPair
	}{
		// Schedule 391 of byzsim explore at each view change: four
		// established, three in phase 1, the late replica at (v, v).
		{"n=8 four established, three in transit", 8, 1,
			[]int8{0, 0, 1, 0, 1, 0, 1, 0},
			[]ViewPair{v(1, 1), v(2, 2), v(1, 2), v(2, 2), v(1, 2), v(2, 2), v(1, 2), v(2, 2)},
			false, 1, v(1, 2)},
		{"n=11 five established, five in transit", 11, 2,
			[]int8{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
			[]ViewPair{v(10, 10), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(0, 0), v(10, 0), v(10, 0), v(10, 0), v(10, 0), v(10, 0)},
			false, 1, v(10, 0)},
		// Three established and two in transit: one short of n−f.
		{"one short of n−f still resets", 8, 1,
			[]int8{0, 0, 0, 0, 1, 1, 0, 0},
			[]ViewPair{v(1, 1), v(2, 2), v(2, 2), v(2, 2), v(1, 2), v(1, 2), v(5, 5), v(5, 5)},
			true, 0, RST},
		// Replicas at a view other than v+1 are not past my step.
		{"established elsewhere do not count", 8, 1,
			[]int8{0, 0, 0, 0, 0, 1, 1, 1},
			[]ViewPair{v(1, 1), v(3, 3), v(3, 3), v(3, 3), v(3, 3), v(1, 2), v(1, 2), v(1, 2)},
			true, 0, RST},
		// All n−f at (v, v) or heading from it: the published case.
		{"all in transit", 8, 1,
			[]int8{0, 1, 1, 1, 1, 1, 1, 0},
			[]ViewPair{v(1, 1), v(1, 2), v(1, 2), v(1, 2), v(1, 2), v(1, 2), v(1, 2), v(1, 1)},
			false, 1, v(1, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 0, tc.n, tc.f, nil)
			vch := make([]bool, tc.n)
			for k := range vch {
				vch[k] = tc.vch
			}
			setAll(r, tc.phs, tc.views, vch)
			r.ve.iterate()
			if r.ve.phs[0] != tc.wantPhase || r.ve.views[0] != tc.wantView {
				t.Fatalf("phase %d view %v, want phase %d view %v", r.ve.phs[0], r.ve.views[0], tc.wantPhase, tc.wantView)
			}
		})
	}
}

func TestVEValidRejectsIllegalPairs(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	for _, tc := range []struct {
		d    VEData
		want bool
	}{
		{VEData{Phase: 0, Views: ViewPair{1, 1}}, true},
		{VEData{Phase: 0, Views: RST}, true},
		{VEData{Phase: 0, Views: ViewPair{1, 2}}, false},
		{VEData{Phase: 1, Views: ViewPair{1, 2}}, true},
		{VEData{Phase: 1, Views: ViewPair{1, 1}}, false},
		{VEData{Phase: 0, Views: ViewPair{6, 6}}, false},
		{VEData{Phase: 2, Views: ViewPair{1, 1}}, false},
		{VEData{Phase: 1, Views: ViewPair{-5, 1}}, false},
	} {
		if got := r.ve.valid(tc.d); got != tc.want {
			t.Errorf("valid(%+v) = %v, want %v", tc.d, got, tc.want)
		}
	}
}

func TestVEAllowServiceAndGetView(t *testing.T) {
	r, _ := newTestReplica(t, 0, 6, 1, nil)
	v := ViewPair{3, 3}
	setAll(r, rep6[int8](0), []ViewPair{v, v, v, v, {1, 1}, {1, 1}}, rep6(false))
	if !r.ve.allowService() || r.ve.getView(0) != 3 {
		t.Fatalf("allowService %v view %d, want true, 3", r.ve.allowService(), r.ve.getView(0))
	}
	setAll(r, rep6[int8](0), []ViewPair{v, v, v, {1, 1}, {1, 1}, {1, 1}}, rep6(false))
	if r.ve.allowService() || r.ve.getView(0) != TEE {
		t.Fatalf("allowService %v view %d with 3 of 6, want false, ⊥", r.ve.allowService(), r.ve.getView(0))
	}
}

func TestSupportedChange(t *testing.T) {
	set := func(ids ...int) idset {
		var s idset
		for _, i := range ids {
			s = s.add(i)
		}
		return s
	}
	all := set(0, 1, 2, 3, 4, 5)
	for _, tc := range []struct {
		name string
		sets []idset
		x    int
		want bool
	}{
		{"everyone agrees", rep6(set(0, 1, 2, 3)), 5, true},
		{"one Byzantine empty set is dropped", []idset{set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), {}}, 5, true},
		{"two empty sets block n−f", []idset{set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), {}, {}}, 5, false},
		{"two empty sets allow n−2f", []idset{set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), set(0, 1, 2, 3), {}, {}}, 4, true},
		{"sets that do not intersect enough", []idset{set(0, 1, 2), set(1, 2, 3), set(2, 3, 4), set(3, 4, 5), set(0, 4, 5), set(0, 1, 5)}, 4, false},
	} {
		vcm := make([]VCM, 6)
		for i, s := range tc.sets {
			vcm[i].NeedChgSet = s
		}
		if got := supportedChange(vcm, all, tc.x, 4); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if got := greedyChange(vcm, all.ids(), tc.x, 4); got && !tc.want {
			t.Errorf("%s: greedy found a support the exact search did not", tc.name)
		}
	}
}

func TestFailureDetectorSuspectsSilentPrimary(t *testing.T) {
	r, _ := newTestReplica(t, 1, 6, 1, nil)
	v := ViewPair{0, 0}
	setAll(r, rep6[int8](0), rep6(v), rep6(false))
	for i := 0; i < r.p.BeatThreshold+5; i++ {
		r.fd.onToken(2+i%4, false) // tokens from 2 … 5, never from primary 0
	}
	if !r.fd.primSusp[1] {
		t.Fatalf("primary not suspected after %d tokens without it (beat %v)", r.p.BeatThreshold+5, r.fd.beats())
	}
	r2, _ := newTestReplica(t, 1, 6, 1, nil)
	setAll(r2, rep6[int8](0), rep6(v), rep6(false))
	for i := 0; i < 3*r.p.BeatThreshold; i++ {
		r2.fd.onToken(i%6, false)
	}
	if r2.fd.primSusp[1] {
		t.Fatal("responsive primary with no pending work suspected")
	}
}

func TestDataLinkBoundedCounters(t *testing.T) {
	a, ea := newTestReplica(t, 0, 6, 1, protocols.Params{"datalink_cap": int64(3)})
	b, eb := newTestReplica(t, 1, 6, 1, protocols.Params{"datalink_cap": int64(3)})
	setAll(b, rep6[int8](0), rep6(ViewPair{0, 0}), rep6(false))
	b.fd.onToken(3, false) // learn the primary (a change of primary resets beats)
	delivered := 0
	for round := 0; round < 10; round++ {
		a.link.transmit(1)
		tok := ea.sent[len(ea.sent)-1].msg.(*FDToken)
		beats := b.fd.beat(2)
		b.link.onToken(0, tok)
		if b.fd.beat(2) != beats {
			delivered++
		}
		b.link.onToken(0, tok) // a duplicate is acknowledged, not delivered
		ack := eb.sent[len(eb.sent)-1].msg.(*FDAck)
		a.link.onAck(1, ack)
		if a.link.peers[1].send >= 3 {
			t.Fatalf("counter %d escaped the bound", a.link.peers[1].send)
		}
	}
	if delivered != 10 {
		t.Fatalf("delivered %d of 10 fresh tokens", delivered)
	}
}

func TestParamsAndDescriptor(t *testing.T) {
	p := Protocol()
	if p.MaxFaulty(6) != 1 || p.MaxFaulty(11) != 2 || p.MaxFaulty(5) != 0 {
		t.Error("MaxFaulty is not (n−1)/5")
	}
	// The reference's ten, then the generic silent.
	if len(p.Behaviours) != 11 || p.Behaviours[10].Name != protocols.Silent {
		t.Errorf("behaviours %v, want the reference's 10 and silent", p.Behaviours)
	}
	for _, bad := range []protocols.Params{{"nope": int64(1)}, {"sigma": "x"}, {"fd_mode": "other"}, {"ve_interval": sim.Time(0)}} {
		if _, err := New(protocols.Config{N: 6, F: 1, Clients: 1, Params: bad}); err == nil {
			t.Errorf("params %v accepted", bad)
		}
	}
	if _, err := New(protocols.Config{N: 5, F: 1}); err == nil {
		t.Error("n = 5, f = 1 accepted")
	}
	r, _ := New(protocols.Config{N: 12, F: 2, Clients: 1})
	if r.p.BeatThreshold != 250 || r.p.CntThreshold != 125 {
		t.Errorf("thresholds for n = 12: %d/%d, want 250/125", r.p.BeatThreshold, r.p.CntThreshold)
	}
	for _, a := range p.Attributes {
		if err := r.SetAttribute(a.Name, 1); err != nil {
			t.Errorf("SetAttribute(%s): %v", a.Name, err)
		}
	}
	if r.SetBehaviour("nope") == nil || r.SetBehaviour(BehaviourWrongCCSP) != nil {
		t.Error("SetBehaviour validation")
	}
}

func TestStartStateValidation(t *testing.T) {
	r, err := New(protocols.Config{N: 6, F: 1, Clients: 1})
	if err != nil {
		t.Fatal(err)
	}
	bad := &StartState{VE: &VEStart{Views: make([]ViewPair, 3)}}
	if bad.apply(r) == nil {
		t.Error("short views accepted")
	}
	st := VChange
	ok := &StartState{PM: &PMStart{VStatus: &st, NeedChgSet: []int{1, 2}}, FD: &FDStart{Beat: make([]int, 6)}}
	if err := ok.apply(r); err != nil || r.pm.vcm[0].Status != VChange || r.pm.vcm[0].NeedChgSet != setOf(1, 2) {
		t.Errorf("apply: %v, vcm %+v", err, r.pm.vcm[0])
	}
}
