package failures

import (
	"math"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

func lossRule(src, dest Endpoint, msg string, rounds RoundSet) Rule {
	return Rule{Src: src, Dest: dest, Msg: msg, Rounds: rounds, Prob: 1, Type: Loss}
}

func proposal() sim.Message { return &prototest.Proposal{} }
func vote() sim.Message     { return &prototest.Vote{} }
func timeout() sim.Message  { return &prototest.Timeout{} }

// TestMatching checks each matching rule of the package documentation with a
// certain loss rule: the message is dropped exactly when the rule matches.
// Relay's leader of round r is replica r mod 4.
func TestMatching(t *testing.T) {
	const client = sim.NodeID(4)
	cases := []struct {
		name        string
		rule        Rule
		from, to    sim.NodeID
		senderRound int64
		recvRound   int64 // receiver's round, when it is a replica
		msg         sim.Message
		at          sim.Time
		wantDrop    bool
	}{
		// src = leader: the sender leads its own current round.
		{"src leader: sender leads its round", lossRule(Leader(), Any(), AnyKind, nil), 2, 0, 2, 0, proposal(), 0, true},
		{"src leader: sender does not lead its round", lossRule(Leader(), Any(), AnyKind, nil), 1, 0, 2, 2, proposal(), 0, false},
		{"src leader: as the sender believes, receiver's round ignored", lossRule(Leader(), Any(), AnyKind, nil), 3, 0, 3, 0, timeout(), 0, true},

		// dest = leader: leader of the sender's round, next round's for votes.
		{"dest leader: proposal to the round's leader", lossRule(Any(), Leader(), prototest.KindProposal, nil), 0, 2, 2, 0, proposal(), 0, true},
		{"dest leader: proposal to another replica", lossRule(Any(), Leader(), prototest.KindProposal, nil), 0, 3, 2, 0, proposal(), 0, false},
		{"dest leader: uses the sender's round, not the receiver's", lossRule(Any(), Leader(), prototest.KindProposal, nil), 0, 3, 2, 3, proposal(), 0, false},
		{"dest leader: vote to the next round's leader", lossRule(Any(), Leader(), prototest.KindVote, nil), 0, 3, 2, 0, vote(), 0, true},
		{"dest leader: vote to the current round's leader", lossRule(Any(), Leader(), prototest.KindVote, nil), 0, 2, 2, 0, vote(), 0, false},
		{"dest leader with msg *: vote goes to next leader", lossRule(Any(), Leader(), AnyKind, nil), 0, 3, 2, 0, vote(), 0, true},
		{"dest leader with msg *: vote not to current leader", lossRule(Any(), Leader(), AnyKind, nil), 0, 2, 2, 0, vote(), 0, false},
		{"dest leader with msg *: timeout to current leader", lossRule(Any(), Leader(), AnyKind, nil), 0, 2, 2, 0, timeout(), 0, true},

		// replica endpoints.
		{"src replica matches", lossRule(Replica(1), Any(), AnyKind, nil), 1, 0, 0, 0, vote(), 0, true},
		{"src replica other sender", lossRule(Replica(1), Any(), AnyKind, nil), 2, 0, 0, 0, vote(), 0, false},
		{"dest replica matches", lossRule(Any(), Replica(3), AnyKind, nil), 1, 3, 0, 0, vote(), 0, true},
		{"dest replica other receiver", lossRule(Any(), Replica(3), AnyKind, nil), 1, 2, 0, 0, vote(), 0, false},
		{"self-send matches", lossRule(Replica(1), Replica(1), AnyKind, nil), 1, 1, 0, 0, proposal(), 0, true},

		// msg kinds.
		{"msg * matches a sync message", lossRule(Any(), Any(), AnyKind, nil), 1, 2, 0, 0, syncMsg{}, 0, true},
		{"msg * matches a client reply", lossRule(Any(), Any(), AnyKind, nil), 1, client, 0, 0, &protocols.Reply{}, 0, true},
		{"msg kind equal", lossRule(Any(), Any(), prototest.KindTimeout, nil), 1, 2, 0, 0, timeout(), 0, true},
		{"msg kind different", lossRule(Any(), Any(), prototest.KindProposal, nil), 1, 2, 0, 0, vote(), 0, false},
		{"msg reply matches a reply", lossRule(Replica(1), Any(), protocols.KindReply, nil), 1, client, 0, 0, &protocols.Reply{}, 0, true},

		// rounds: the sender's current round at send time.
		{"rounds contain the sender's round", lossRule(Any(), Any(), AnyKind, RoundSet{{1, 1}, {3, 3}, {5, 9}}), 1, 2, 6, 0, vote(), 0, true},
		{"rounds miss the sender's round though the receiver's is in", lossRule(Any(), Any(), AnyKind, RoundSet{{1, 1}, {3, 3}, {5, 9}}), 1, 2, 4, 6, vote(), 0, false},
		{"rounds range ends are inclusive", lossRule(Any(), Any(), AnyKind, Rounds(5, 9)), 1, 2, 9, 0, vote(), 0, true},
		{"no rounds means every round", lossRule(Any(), Any(), AnyKind, nil), 1, 2, 1234, 0, vote(), 0, true},

		// client senders have no round.
		{"client sender: src *, no rounds", lossRule(Any(), Any(), AnyKind, nil), client, 1, 0, 0, &protocols.Request{}, 0, true},
		{"client sender: request kind", lossRule(Any(), Replica(1), protocols.KindRequest, nil), client, 1, 0, 0, &protocols.Request{}, 0, true},
		{"client sender: dest replica other receiver", lossRule(Any(), Replica(1), AnyKind, nil), client, 2, 0, 0, &protocols.Request{}, 0, false},
		{"client sender: rules with rounds never match", lossRule(Any(), Any(), AnyKind, Rounds(0, 100)), client, 1, 0, 0, &protocols.Request{}, 0, false},
		{"client sender: src leader never matches", lossRule(Leader(), Any(), AnyKind, nil), client, 1, 0, 0, &protocols.Request{}, 0, false},
		{"client sender: dest leader never matches", lossRule(Any(), Leader(), AnyKind, nil), client, 0, 0, 0, &protocols.Request{}, 0, false},

		// time windows: From <= sent < Until; Until 0 has no end.
		{"window: before from", Rule{Msg: AnyKind, Prob: 1, Type: Loss, From: sim.Second, Until: 2 * sim.Second}, 1, 2, 0, 0, vote(), sim.Second - 1, false},
		{"window: at from", Rule{Msg: AnyKind, Prob: 1, Type: Loss, From: sim.Second, Until: 2 * sim.Second}, 1, 2, 0, 0, vote(), sim.Second, true},
		{"window: at until", Rule{Msg: AnyKind, Prob: 1, Type: Loss, From: sim.Second, Until: 2 * sim.Second}, 1, 2, 0, 0, vote(), 2 * sim.Second, false},
		{"window: until 0 has no end", Rule{Msg: AnyKind, Prob: 1, Type: Loss, From: sim.Second}, 1, 2, 0, 0, vote(), 1000 * sim.Second, true},
		{"window: applies to client senders", Rule{Msg: AnyKind, Prob: 1, Type: Loss, Until: sim.Second}, client, 2, 0, 0, &protocols.Request{}, 2 * sim.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newRelaySystem(t, 1, 4)
			if int(tc.from) < 4 {
				mustSet(t, s.relays[tc.from], "current_round", tc.senderRound)
			}
			if int(tc.to) < 4 && tc.to != tc.from {
				mustSet(t, s.relays[tc.to], "current_round", tc.recvRound)
			}
			e, err := NewEngine(s.w, s.p, s.replicas, []Rule{tc.rule})
			if err != nil {
				t.Fatalf("NewEngine: %v", err)
			}
			p := sim.Packet{From: tc.from, To: tc.to, Msg: tc.msg, SentAt: tc.at}
			got := e.Intercept(&p)
			if (got != "") != tc.wantDrop {
				t.Errorf("Intercept = %q, want drop %v (rule %v)", got, tc.wantDrop, tc.rule)
			}
			if got != "" && got != DropReason {
				t.Errorf("drop reason %q, want %q", got, DropReason)
			}
			if wantMatched := map[bool]uint64{true: 1, false: 0}[tc.wantDrop]; e.Stats()[0].Matched != wantMatched {
				t.Errorf("Matched = %d, want %d", e.Stats()[0].Matched, wantMatched)
			}
		})
	}
}

func mustSet(t testing.TB, r protocols.Replica, attr string, v int64) {
	t.Helper()
	if err := r.SetAttribute(attr, v); err != nil {
		t.Fatal(err)
	}
}

// dropRate sends count votes from replica 1 to replica 2 through e and
// returns the fraction dropped and the per-message drop decisions.
func dropRate(e *Engine, count int) (float64, []bool) {
	drops := make([]bool, count)
	dropped := 0
	for i := range drops {
		p := sim.Packet{From: 1, To: 2, Msg: &prototest.Vote{}}
		if e.Intercept(&p) != "" {
			drops[i] = true
			dropped++
		}
	}
	return float64(dropped) / float64(count), drops
}

// TestLossIsMultiplicative checks that matching loss rules multiply the
// delivery probability and that one draw decides.
func TestLossIsMultiplicative(t *testing.T) {
	const count = 20000
	half := Rule{Msg: AnyKind, Prob: 0.5, Type: Loss}
	cases := []struct {
		name        string
		rules       []Rule
		wantDeliver float64
	}{
		{"one rule p=0.5", []Rule{half}, 0.5},
		{"two rules p=0.5", []Rule{half, half}, 0.25},
		{"p=0.5 and p=0.2", []Rule{half, {Msg: AnyKind, Prob: 0.2, Type: Loss}}, 0.4},
		{"p=0.5 and a rule that does not match", []Rule{half, {Msg: prototest.KindProposal, Prob: 0.9, Type: Loss}}, 0.5},
		{"p=0 never drops", []Rule{{Msg: AnyKind, Prob: 0, Type: Loss}}, 1},
		{"p=1 and p=0.5", []Rule{{Msg: AnyKind, Prob: 1, Type: Loss}, half}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newRelaySystem(t, 7, 4)
			e, err := NewEngine(s.w, s.p, s.replicas, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			rate, _ := dropRate(e, count)
			if got := 1 - rate; math.Abs(got-tc.wantDeliver) > 0.02 {
				t.Errorf("delivered %.4f, want %.2f ± 0.02", got, tc.wantDeliver)
			}
			dropped := uint64(math.Round(rate * count))
			for i, st := range e.Stats() {
				if tc.rules[i].Msg != AnyKind {
					continue
				}
				if st.Matched != count || st.Fired != dropped {
					t.Errorf("rule %d stats %+v, want matched %d fired %d", i, st, count, dropped)
				}
			}
		})
	}
}

// TestDelay checks that a delay rule adds its delay to the matching message
// only, with its probability, and that delays of several rules add up.
func TestDelay(t *testing.T) {
	toLeader := Rule{Src: Any(), Dest: Leader(), Msg: prototest.KindProposal, Prob: 1, Type: Delay, Delay: 2 * sim.Second}
	cases := []struct {
		name      string
		rules     []Rule
		to        sim.NodeID
		msg       sim.Message
		wantExtra sim.Time
	}{
		{"matching message delayed", []Rule{toLeader}, 0, proposal(), 2 * sim.Second},
		{"other receiver not delayed", []Rule{toLeader}, 2, proposal(), 0},
		{"other kind not delayed", []Rule{toLeader}, 0, vote(), 0},
		{"delays add up", []Rule{toLeader, {Msg: AnyKind, Prob: 1, Type: Delay, Delay: sim.Millisecond}}, 0, proposal(), 2*sim.Second + sim.Millisecond},
		{"prob 0 never delays", []Rule{{Msg: AnyKind, Prob: 0, Type: Delay, Delay: sim.Second}}, 0, proposal(), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newRelaySystem(t, 1, 4)
			e, err := NewEngine(s.w, s.p, s.replicas, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			p := sim.Packet{From: 1, To: tc.to, Msg: tc.msg, Extra: 0}
			if why := e.Intercept(&p); why != "" {
				t.Fatalf("dropped: %s", why)
			}
			if p.Extra != tc.wantExtra {
				t.Errorf("Extra = %v, want %v", p.Extra, tc.wantExtra)
			}
		})
	}

	t.Run("prob 0.3 delays about 30%", func(t *testing.T) {
		const count = 20000
		s := newRelaySystem(t, 3, 4)
		e, err := NewEngine(s.w, s.p, s.replicas, []Rule{{Msg: AnyKind, Prob: 0.3, Type: Delay, Delay: sim.Second}})
		if err != nil {
			t.Fatal(err)
		}
		delayed := 0
		for i := 0; i < count; i++ {
			p := sim.Packet{From: 1, To: 2, Msg: vote()}
			e.Intercept(&p)
			if p.Extra == sim.Second {
				delayed++
			}
		}
		if got := float64(delayed) / count; math.Abs(got-0.3) > 0.02 {
			t.Errorf("delayed fraction %.4f, want 0.30 ± 0.02", got)
		}
		if e.Fired(0) != uint64(delayed) {
			t.Errorf("Fired = %d, want %d", e.Fired(0), delayed)
		}
	})
}

// TestSetAttr checks that a setattr rule sets the sender's attribute at send
// time, does not drop the message, and that later rules see the change.
func TestSetAttr(t *testing.T) {
	cases := []struct {
		name      string
		rules     []Rule
		wantRound int64 // sender's round afterwards
		wantDrop  bool
	}{
		{"sets the sender's round, message sent",
			[]Rule{{Src: Replica(1), Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "current_round", Value: 4}}, 4, false},
		{"other sender untouched",
			[]Rule{{Src: Replica(2), Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "current_round", Value: 4}}, 1, false},
		{"prob 0 never sets",
			[]Rule{{Msg: AnyKind, Prob: 0, Type: SetAttr, Attr: "current_round", Value: 4}}, 1, false},
		{"later rules see the new round",
			[]Rule{
				{Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "current_round", Value: 4},
				{Msg: AnyKind, Rounds: RoundList(4), Prob: 1, Type: Loss},
			}, 4, true},
		{"earlier rules saw the old round",
			[]Rule{
				{Msg: AnyKind, Rounds: RoundList(4), Prob: 1, Type: Loss},
				{Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "current_round", Value: 4},
			}, 4, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newRelaySystem(t, 1, 4)
			mustSet(t, s.relays[1], "current_round", 1)
			e, err := NewEngine(s.w, s.p, s.replicas, tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			p := sim.Packet{From: 1, To: 2, Msg: vote()}
			if got := e.Intercept(&p) != ""; got != tc.wantDrop {
				t.Errorf("dropped %v, want %v", got, tc.wantDrop)
			}
			if got := s.relays[1].Round(); got != tc.wantRound {
				t.Errorf("sender round %d, want %d", got, tc.wantRound)
			}
			if got := s.relays[2].Round(); got != 0 {
				t.Errorf("receiver round %d, want 0", got)
			}
			if e.Err() != nil {
				t.Errorf("Err = %v", e.Err())
			}
		})
	}

	t.Run("leader attribute redirects the sender's view of the next leader", func(t *testing.T) {
		s := newRelaySystem(t, 1, 4)
		e, err := NewEngine(s.w, s.p, s.replicas, []Rule{
			{Src: Replica(0), Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "leader", Value: 0},
			{Src: Replica(0), Dest: Leader(), Msg: prototest.KindVote, Prob: 1, Type: Loss},
		})
		if err != nil {
			t.Fatal(err)
		}
		// Round 0: next leader was replica1; after setattr replica0 thinks
		// it is itself, so a vote to replica1 no longer goes to "leader".
		p := sim.Packet{From: 0, To: 1, Msg: vote()}
		if why := e.Intercept(&p); why != "" {
			t.Errorf("vote to replica1 dropped, want delivered")
		}
		p = sim.Packet{From: 0, To: 0, Msg: vote()}
		if why := e.Intercept(&p); why == "" {
			t.Errorf("vote to replica0 delivered, want dropped")
		}
	})
}

// TestDeterminism checks that the same seed gives the same drop decisions
// and another seed different ones.
func TestDeterminism(t *testing.T) {
	rules := []Rule{
		{Msg: AnyKind, Prob: 0.3, Type: Loss},
		{Msg: AnyKind, Prob: 0.5, Type: Delay, Delay: sim.Millisecond},
	}
	run := func(seed uint64) []bool {
		s := newRelaySystem(t, seed, 4)
		e, err := NewEngine(s.w, s.p, s.replicas, rules)
		if err != nil {
			t.Fatal(err)
		}
		_, drops := dropRate(e, 2000)
		return drops
	}
	cases := []struct {
		name      string
		a, b      uint64
		wantEqual bool
	}{
		{"same seed", 42, 42, true},
		{"different seed", 42, 43, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := run(tc.a), run(tc.b)
			equal := true
			for i := range a {
				if a[i] != b[i] {
					equal = false
					break
				}
			}
			if equal != tc.wantEqual {
				t.Errorf("equal drops = %v, want %v", equal, tc.wantEqual)
			}
		})
	}
}

func TestNewEngineRejectsInvalidRules(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	_, err := NewEngine(s.w, s.p, s.replicas, []Rule{
		{Msg: AnyKind, Prob: 1, Type: Loss},
		{Src: Replica(9), Msg: AnyKind, Prob: 1, Type: Loss},
	})
	fe, ok := err.(*FieldError)
	if !ok || fe.Field != "[1].src" {
		t.Fatalf("err = %v, want a FieldError on [1].src", err)
	}
}

// TestInterceptDoesNotAllocate guards the hot path.
func TestInterceptDoesNotAllocate(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	e, err := NewEngine(s.w, s.p, s.replicas, benchRules())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []sim.Message{proposal(), vote(), timeout(), &protocols.Request{}}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		p := sim.Packet{From: sim.NodeID(i % 5), To: sim.NodeID((i + 1) % 4), Msg: msgs[i%len(msgs)]}
		e.Intercept(&p)
		i++
	})
	if allocs != 0 {
		t.Errorf("Intercept allocates %.1f times per message, want 0", allocs)
	}
}

func benchRules() []Rule {
	return []Rule{
		{Src: Any(), Dest: Replica(0), Msg: AnyKind, Rounds: Rounds(2, 6), Prob: 1, Type: Loss},
		{Src: Replica(0), Dest: Any(), Msg: AnyKind, Rounds: Rounds(2, 6), Prob: 1, Type: Loss},
		{Src: Leader(), Dest: Any(), Msg: prototest.KindProposal, Rounds: RoundList(3), Prob: 1, Type: Loss},
		{Src: Any(), Dest: Leader(), Msg: AnyKind, Prob: 0.1, Type: Loss},
		{Src: Any(), Dest: Leader(), Msg: prototest.KindVote, Rounds: Rounds(0, 1000), Prob: 0.5, Type: Delay, Delay: sim.Millisecond},
		{Msg: AnyKind, Prob: 0.15, Type: Loss},
	}
}

func BenchmarkIntercept(b *testing.B) {
	s := newRelaySystem(b, 1, 4)
	e, err := NewEngine(s.w, s.p, s.replicas, benchRules())
	if err != nil {
		b.Fatal(err)
	}
	msgs := []sim.Message{proposal(), vote(), timeout()}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := sim.Packet{From: sim.NodeID(i % 4), To: sim.NodeID((i + 1) % 4), Msg: msgs[i%len(msgs)]}
		e.Intercept(&p)
	}
}

// TestOnFire checks that OnFire reports every firing counted in the stats,
// with the rule, its type and the message, delay and setattr firings of a
// message before its loss firings.
func TestOnFire(t *testing.T) {
	s := newRelaySystem(t, 7, 4)
	rules := []Rule{
		{Msg: AnyKind, Prob: 0.5, Type: Loss},
		{Src: Replica(1), Msg: prototest.KindVote, Prob: 1, Type: Delay, Delay: sim.Millisecond},
		{Src: Replica(1), Dest: Replica(3), Msg: AnyKind, Prob: 1, Type: SetAttr, Attr: "current_round", Value: 0},
		{Msg: prototest.KindVote, Prob: 0.5, Type: Loss},
	}
	e, err := NewEngine(s.w, s.p, s.replicas, rules)
	if err != nil {
		t.Fatal(err)
	}
	var got []Firing
	e.OnFire(func(f Firing) { got = append(got, f) })
	count := make([]uint64, len(rules))
	for i := range 200 {
		to := sim.NodeID(2 + i%2)
		p := sim.Packet{From: 1, To: to, Msg: vote(), SentAt: sim.Time(i)}
		before := len(got)
		dropped := e.Intercept(&p) != ""
		fs := got[before:]
		lossSeen := false
		for _, f := range fs {
			count[f.Rule]++
			if f.Type != rules[f.Rule].Type || f.At != sim.Time(i) || f.From != 1 || f.To != to || f.Msg != p.Msg {
				t.Fatalf("message %d: firing %+v does not describe rule %d on the message", i, f, f.Rule)
			}
			if f.Type == Loss {
				lossSeen = true
			} else if lossSeen {
				t.Fatalf("message %d: %v firing after a loss firing", i, f.Type)
			}
		}
		if dropped != lossSeen {
			t.Fatalf("message %d: dropped %v but loss firings %v", i, dropped, lossSeen)
		}
	}
	for i, st := range e.Stats() {
		if st.Fired != count[i] || st.Fired == 0 {
			t.Errorf("rule %d: %d firings reported, stats say %d (want equal and > 0)", i, count[i], st.Fired)
		}
	}
}
