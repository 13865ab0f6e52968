package results

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// testMsg is a message of a given kind and size.
type testMsg struct {
	kind string
	size int
}

func (m testMsg) Kind() string { return m.kind }
func (m testMsg) Size() int    { return m.size }

func TestMessagesCounting(t *testing.T) {
	vote := sim.Message(testMsg{"vote", 100})
	prop := sim.Message(testMsg{"proposal", 1000})
	var m Messages
	for range 3 {
		m.Sent(0, 0, 1, vote)
	}
	m.Sent(0, 0, 1, prop)
	m.Delivered(1, 0, 1, vote)
	m.Delivered(1, 0, 1, prop)
	m.Dropped(1, 0, 1, vote, "loss")
	m.Dropped(1, 0, 1, vote, "partition")
	m.Dropped(2, 0, 1, prop, "loss")
	m.Fired(3, 0, sim.Timer{})
	m.Observed(3, 0, nil)

	sent, delivered, dropped, bytes := m.Totals()
	if sent != 4 || delivered != 2 || dropped != 3 || bytes != 1300 {
		t.Errorf("Totals() = %d, %d, %d, %d; want 4, 2, 3, 1300", sent, delivered, dropped, bytes)
	}
	wantKinds := []KindCount{
		{Kind: "proposal", Sent: 1, Delivered: 1, Dropped: 1, Bytes: 1000, ShareMessages: 0.25, ShareBytes: Float(1000.0 / 1300)},
		{Kind: "vote", Sent: 3, Delivered: 1, Dropped: 2, Bytes: 300, ShareMessages: 0.75, ShareBytes: Float(300.0 / 1300)},
	}
	if got := m.Kinds(); !slices.Equal(got, wantKinds) {
		t.Errorf("Kinds() =\n%+v\nwant\n%+v", got, wantKinds)
	}
	wantDrops := []DropCount{{"loss", 2, 1100}, {"partition", 1, 100}}
	if got := m.Drops(); !slices.Equal(got, wantDrops) {
		t.Errorf("Drops() = %+v, want %+v", got, wantDrops)
	}
}

func TestMessagesEmpty(t *testing.T) {
	var m Messages
	if k := m.Kinds(); len(k) != 0 {
		t.Errorf("Kinds() = %v, want none", k)
	}
	if d := m.Drops(); len(d) != 0 {
		t.Errorf("Drops() = %v, want none", d)
	}
	m.Sent(0, 0, 0, testMsg{"empty", 0})
	if k := m.Kinds(); len(k) != 1 || k[0].ShareMessages != 1 || k[0].ShareBytes != 0 {
		t.Errorf("Kinds() = %+v, want one kind with message share 1 and byte share 0", k)
	}
}

func TestMessagesNoAllocation(t *testing.T) {
	var m Messages
	msgs := []sim.Message{testMsg{"vote", 100}, testMsg{"proposal", 1000}, testMsg{"timeout", 80}}
	for _, msg := range msgs { // first sight of each kind and reason may allocate
		m.Sent(0, 0, 1, msg)
		m.Dropped(0, 0, 1, msg, "loss")
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		msg := msgs[i%len(msgs)]
		i++
		m.Sent(0, 0, 1, msg)
		m.Delivered(0, 0, 1, msg)
		m.Dropped(0, 0, 1, msg, "loss")
	})
	if allocs != 0 {
		t.Errorf("recording a message allocates %v times, want 0", allocs)
	}
}

func BenchmarkMessagesSent(b *testing.B) {
	var m Messages
	msgs := []sim.Message{testMsg{"vote", 100}, testMsg{"vote", 100}, testMsg{"proposal", 1000}, testMsg{"timeout", 80}}
	for _, msg := range msgs {
		m.Sent(0, 0, 1, msg)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Sent(0, 0, 1, msgs[i%len(msgs)])
	}
}

// chatter is a node for TestMessagesAddMatchesTracer: it broadcasts a vote
// and sends a token and a proposal to its successor every 10 ms, charging
// CPU so that inputs queue.
type chatter struct {
	env   sim.Env
	nodes int
}

func (c *chatter) Start(env sim.Env) {
	c.env = env
	env.SetTimer(0, 0, 0)
}

func (c *chatter) Deliver(sim.NodeID, sim.Message) { c.env.Charge(3 * sim.Millisecond) }

func (c *chatter) Fire(sim.Timer) {
	next := (c.env.ID() + 1) % sim.NodeID(c.nodes)
	c.env.Broadcast(testMsg{"vote", 100})
	c.env.Send(next, testMsg{"token", 10})
	c.env.Send(next, testMsg{"proposal", 1000})
	c.env.SetTimer(10*sim.Millisecond, 0, 0)
}

// dropProposals drops the proposals of node 1.
type dropProposals struct{}

func (dropProposals) Intercept(p *sim.Packet) string {
	if p.From == 1 && p.Msg.Kind() == "proposal" {
		return "rule"
	}
	return ""
}

// TestMessagesAddMatchesTracer runs a world with every way of dropping a
// message (loss on a lossy kind channel, a partition, a crash with queued
// inputs, a node not started yet, an interceptor, transient drops) and
// transient duplicates and replacements, and checks that the counts the
// World keeps itself, added to a Messages, equal those of a Messages
// installed as its tracer.
func TestMessagesAddMatchesTracer(t *testing.T) {
	const nodes = 6
	w := sim.NewWorld(sim.Config{Seed: 3, Replicas: nodes})
	w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 5 * sim.Millisecond}, Loss: 0.2})
	w.Network().SetKindChannel("token", sim.Lossy)
	w.Network().SetKindChannel("unused", sim.Lossy) // named, never sent: not counted
	w.Network().AddInterceptor(dropProposals{})
	for i := range nodes {
		start := sim.Time(0)
		if i == nodes-1 {
			start = 50 * sim.Millisecond
		}
		w.AddNode(&chatter{nodes: nodes}, start)
	}
	traced := &Messages{}
	w.SetTracer(traced)
	w.At(100*sim.Millisecond, func() { w.Network().SetPartition([][]sim.NodeID{{0, 1, 2}, {3, 4, 5}}) })
	w.At(200*sim.Millisecond, func() { w.Network().Heal() })
	w.At(250*sim.Millisecond, func() { w.Crash(3) })
	w.At(300*sim.Millisecond, func() { w.Recover(3) })
	w.At(333*sim.Millisecond, func() {
		i := 0
		w.CorruptTransit(func(sim.Transit) (sim.TransitAction, sim.Message) {
			i++
			return sim.TransitAction(i % 4), testMsg{"forged", 7}
		})
	})
	w.Run(500 * sim.Millisecond)

	var added Messages
	added.Add(w.MessageCounts())
	if got, want := added.Kinds(), traced.Kinds(); !slices.Equal(got, want) {
		t.Errorf("kinds counted by the world\n%+v\nwant (tracer)\n%+v", got, want)
	}
	if got, want := added.Drops(), traced.Drops(); !slices.Equal(got, want) {
		t.Errorf("drops counted by the world %+v, want (tracer) %+v", got, want)
	}
	st := w.Stats()
	sent, delivered, dropped, _ := added.Totals()
	if sent != st.Sent || delivered != st.Delivered || dropped != st.Dropped {
		t.Errorf("totals %d, %d, %d; world stats %d, %d, %d", sent, delivered, dropped, st.Sent, st.Delivered, st.Dropped)
	}
	var reasons []string
	for _, d := range added.Drops() {
		reasons = append(reasons, d.Reason)
	}
	if want := []string{"crashed", "loss", "not started", "partition", "rule", "transient"}; !slices.Equal(reasons, want) {
		t.Errorf("drop reasons %v, want %v (the scenario must exercise each)", reasons, want)
	}
	forged := false
	for _, k := range added.Kinds() {
		forged = forged || k.Kind == "forged" && k.Delivered > 0 && k.Sent == 0
	}
	if !forged {
		t.Errorf("no replaced message delivered: %+v", added.Kinds())
	}
}
