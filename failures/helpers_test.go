package failures

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

// relaySystem is a world with n relay replicas (f = (n−1)/3) and, when
// clients > 0, test clients with ids n, n+1, ….
type relaySystem struct {
	w        *sim.World
	p        *protocols.Protocol
	replicas []protocols.Replica
	relays   []*prototest.Replica
	clients  []*testClient
}

func newRelaySystem(t testing.TB, seed uint64, n int) *relaySystem {
	t.Helper()
	p := prototest.Protocol()
	s := &relaySystem{w: sim.NewWorld(sim.Config{Seed: seed, Replicas: n}), p: p}
	for i := 0; i < n; i++ {
		r := prototest.New(protocols.Config{
			ID: sim.NodeID(i), N: n, F: p.MaxFaulty(n),
			Params: protocols.Defaults(p.Params), Costs: protocols.DefaultCosts(), Seed: seed,
		})
		s.relays = append(s.relays, r)
		s.replicas = append(s.replicas, r)
		s.w.AddNode(r, 0)
	}
	return s
}

// addClient adds a client that broadcasts count requests at time start.
func (s *relaySystem) addClient(start sim.Time, count int) *testClient {
	c := &testClient{count: count, replies: make(map[uint64]int)}
	s.w.AddNode(c, start)
	s.clients = append(s.clients, c)
	return c
}

// engine builds and installs an engine with rules; invalid rules fail t.
func (s *relaySystem) engine(t testing.TB, rules ...Rule) *Engine {
	t.Helper()
	e, err := NewEngine(s.w, s.p, s.replicas, rules)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	s.w.Network().AddInterceptor(e)
	return e
}

// testClient broadcasts its requests at start and counts replies.
type testClient struct {
	env     sim.Env
	count   int
	replies map[uint64]int
}

func (c *testClient) Start(env sim.Env) {
	c.env = env
	for i := 1; i <= c.count; i++ {
		env.Broadcast(&protocols.Request{Client: env.ID(), ID: uint64(i), Op: protocols.OpAppend, Value: int64(i)})
	}
}

func (c *testClient) Deliver(_ sim.NodeID, m sim.Message) {
	if r, ok := m.(*protocols.Reply); ok {
		c.replies[r.ID]++
	}
}

func (c *testClient) Fire(sim.Timer) {}

// syncMsg stands for a protocol message outside the rule vocabulary (a sync
// request, say).
type syncMsg struct{}

func (syncMsg) Kind() string { return "sync" }
func (syncMsg) Size() int    { return 8 }

// record is one traced message event.
type record struct {
	at       sim.Time
	ev       string // "sent", "dropped", "delivered"
	from, to sim.NodeID
	msg      sim.Message
	why      string
}

// recorder is a sim.Tracer keeping message events.
type recorder struct{ events []record }

func (r *recorder) Sent(at sim.Time, from, to sim.NodeID, m sim.Message) {
	r.events = append(r.events, record{at, "sent", from, to, m, ""})
}
func (r *recorder) Dropped(at sim.Time, from, to sim.NodeID, m sim.Message, why string) {
	r.events = append(r.events, record{at, "dropped", from, to, m, why})
}
func (r *recorder) Delivered(at sim.Time, from, to sim.NodeID, m sim.Message) {
	r.events = append(r.events, record{at, "delivered", from, to, m, ""})
}
func (r *recorder) Fired(sim.Time, sim.NodeID, sim.Timer)          {}
func (r *recorder) Observed(sim.Time, sim.NodeID, sim.Observation) {}

// filter returns the events of kind ev whose message satisfies keep.
func (r *recorder) filter(ev string, keep func(rec record) bool) []record {
	var out []record
	for _, e := range r.events {
		if e.ev == ev && keep(e) {
			out = append(out, e)
		}
	}
	return out
}
