package failures

import (
	"reflect"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

// These tests run the engine in a real world of four relay replicas and one
// client that broadcasts 30 requests at time 0. Replica r mod 4 leads round
// r; a replica votes for round r's proposal to replica (r+1) mod 4 while
// still in round r.

func faultDrops(rec *recorder) []record {
	return rec.filter("dropped", func(r record) bool { return r.why == DropReason })
}

func TestWorldVoteDropToNextLeader(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	s.addClient(0, 30)
	rec := &recorder{}
	s.w.SetTracer(rec)
	e := s.engine(t, Rule{Src: Any(), Dest: Leader(), Msg: prototest.KindVote, Rounds: RoundList(1), Prob: 1, Type: Loss})
	s.w.Run(5 * sim.Second)

	drops := faultDrops(rec)
	if len(drops) != 4 {
		t.Fatalf("%d fault drops, want the 4 round-1 votes: %+v", len(drops), drops)
	}
	for _, d := range drops {
		v, ok := d.msg.(*prototest.Vote)
		if !ok || v.Round != 1 || d.to != 2 {
			t.Errorf("dropped %v to %d, want round-1 votes to replica2 (leader of round 2)", d.msg, d.to)
		}
	}
	if e.Fired(0) != 4 || e.Stats()[0].Matched != 4 {
		t.Errorf("stats %+v, want 4 matched and fired", e.Stats()[0])
	}
}

func TestWorldSetAttrMessageStillDelivered(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	s.addClient(0, 30)
	rec := &recorder{}
	s.w.SetTracer(rec)
	e := s.engine(t, Rule{Src: Replica(2), Msg: prototest.KindVote, Rounds: RoundList(0), Prob: 1, Type: SetAttr, Attr: "current_round", Value: 100})
	s.w.Run(5 * sim.Second)

	if e.Fired(0) != 1 {
		t.Errorf("Fired = %d, want 1 (the sender's round leaves {0})", e.Fired(0))
	}
	if got := s.relays[2].Round(); got < 100 {
		t.Errorf("replica2 round %d, want >= 100", got)
	}
	delivered := rec.filter("delivered", func(r record) bool {
		v, ok := r.msg.(*prototest.Vote)
		return ok && v.Voter == 2 && v.Round == 0
	})
	if len(delivered) != 1 || delivered[0].to != 1 {
		t.Errorf("replica2's round-0 vote delivered %+v, want once to replica1", delivered)
	}
	if len(faultDrops(rec)) != 0 || e.Err() != nil {
		t.Errorf("fault drops %v, Err %v; want none", faultDrops(rec), e.Err())
	}
}

func TestWorldDelayOnlyTheMessage(t *testing.T) {
	const d = 500 * sim.Millisecond
	s := newRelaySystem(t, 1, 4)
	s.addClient(0, 10)
	rec := &recorder{}
	s.w.SetTracer(rec)
	s.engine(t, Rule{Src: Leader(), Dest: Replica(3), Msg: prototest.KindProposal, Rounds: RoundList(0), Prob: 1, Type: Delay, Delay: d})
	s.w.Run(2 * sim.Second)

	isRound0Proposal := func(r record) bool {
		p, ok := r.msg.(*prototest.Proposal)
		return ok && p.Round == 0
	}
	sent := rec.filter("sent", isRound0Proposal)
	if len(sent) != 4 {
		t.Fatalf("round-0 proposal sent %d times, want 4", len(sent))
	}
	sentAt := sent[0].at
	for _, r := range rec.filter("delivered", isRound0Proposal) {
		late := r.at >= sentAt+d
		if late != (r.to == 3) {
			t.Errorf("round-0 proposal reached replica%d at %v (sent %v); want only replica3 delayed by %v", r.to, r.at, sentAt, d)
		}
	}
	// The sender is not held back: the leader's replies to the client, sent
	// after the delayed proposal, arrive without the delay.
	replies := rec.filter("delivered", func(r record) bool { return r.from == 0 && r.to == 4 })
	if len(replies) == 0 {
		t.Fatal("no reply of the leader delivered")
	}
	if r := replies[0]; r.at >= sentAt+d {
		t.Errorf("leader's first reply delivered at %v, held back by the delay", r.at)
	}
}

func TestWorldClientSender(t *testing.T) {
	s := newRelaySystem(t, 1, 4)
	s.addClient(0, 5)
	rec := &recorder{}
	s.w.SetTracer(rec)
	s.engine(t,
		Rule{Src: Any(), Dest: Replica(3), Msg: protocols.KindRequest, Prob: 1, Type: Loss},
		// Never matches client senders: they have no round.
		Rule{Src: Any(), Dest: Replica(2), Msg: protocols.KindRequest, Rounds: Rounds(0, 1000), Prob: 1, Type: Loss},
	)
	s.w.Run(sim.Second / 2)
	drops := faultDrops(rec)
	if len(drops) != 5 {
		t.Fatalf("%d fault drops, want the 5 requests to replica3", len(drops))
	}
	for _, d := range drops {
		if d.from != 4 || d.to != 3 || d.msg.Kind() != protocols.KindRequest {
			t.Errorf("dropped %v from %d to %d", d.msg, d.from, d.to)
		}
	}
}

func TestWorldDeterministic(t *testing.T) {
	type drop struct {
		at       sim.Time
		from, to sim.NodeID
		kind     string
	}
	run := func(seed uint64) []drop {
		s := newRelaySystem(t, seed, 4)
		s.addClient(0, 60)
		rec := &recorder{}
		s.w.SetTracer(rec)
		s.engine(t,
			Rule{Msg: AnyKind, Rounds: RoundSet{{2, 3}, {5, 6}, {8, 9}}, Prob: 0.15, Type: Loss},
			Rule{Msg: prototest.KindTimeout, Prob: 0.5, Type: Delay, Delay: 100 * sim.Millisecond},
		)
		s.w.Run(20 * sim.Second)
		var out []drop
		for _, d := range faultDrops(rec) {
			out = append(out, drop{d.at, d.from, d.to, d.msg.Kind()})
		}
		return out
	}
	a, b, c := run(5), run(5), run(6)
	if len(a) == 0 {
		t.Fatal("no drops; the scenario does not exercise the rules")
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different drops")
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("different seeds, same drops")
	}
}
