package workloads_test

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

// linkDelay is the constant one-way delay of every link in these tests.
const linkDelay = 10 * sim.Millisecond

// setup describes one test run.
type setup struct {
	seed  uint64
	n, f  int // default 4, 1
	specs []workloads.Spec
	// replica builds replica i; nil means a relay replica with default
	// parameters and costs.
	replica func(i int) sim.Node
	// behaviour is the relay replicas' Byzantine behaviour ("" honest).
	behaviour string
	// link is every link's model; the zero value means a constant
	// linkDelay on a reliable channel.
	link sim.Link
	// clientCosts is the clients' cost model (zero: free clients).
	clientCosts  protocols.Costs
	interceptors []sim.Interceptor
	until        sim.Time // default 120s
	// keepRunning runs until `until` instead of stopping the world when
	// every workload has finished.
	keepRunning bool
}

// observed is an observation a client made.
type observed struct {
	at   sim.Time
	node sim.NodeID
	o    sim.Observation
}

// outcome is what a run produced.
type outcome struct {
	tr       *workloads.Tracker
	world    *sim.World
	why      string
	finished []sim.Time // calls of the OnFinished callback
	// observedAtFinish counts the observations made before the first
	// OnFinished call.
	observedAtFinish int
	completed        []observed
	timeouts         []observed
}

func (s setup) run(t *testing.T) *outcome {
	t.Helper()
	if s.n == 0 {
		s.n, s.f = 4, 1
	}
	if s.until == 0 {
		s.until = 120 * sim.Second
	}
	if s.link.Delay == nil {
		s.link.Delay = sim.Constant{D: linkDelay}
	}
	tr, err := workloads.NewTracker(workloads.Config{N: s.n, F: s.f, Seed: s.seed, Costs: s.clientCosts}, s.specs)
	if err != nil {
		t.Fatalf("NewTracker: %v", err)
	}
	w := sim.NewWorld(sim.Config{Seed: s.seed, Replicas: s.n})
	w.Network().SetDefault(s.link)
	for _, ic := range s.interceptors {
		w.Network().AddInterceptor(ic)
	}
	proto := prototest.Protocol()
	params := protocols.Defaults(proto.Params)
	for i := 0; i < s.n; i++ {
		var node sim.Node
		if s.replica != nil {
			node = s.replica(i)
		} else {
			r, err := proto.New(protocols.Config{
				ID: sim.NodeID(i), N: s.n, F: s.f, Clients: tr.NumClients(),
				Params: params, Costs: protocols.DefaultCosts(), Behaviour: s.behaviour, Seed: s.seed,
			})
			if err != nil {
				t.Fatalf("relay replica: %v", err)
			}
			node = r
		}
		w.AddNode(node, 0)
	}
	tr.Install(w)
	out := &outcome{tr: tr, world: w}
	tr.OnFinished(func(at sim.Time) {
		if len(out.finished) == 0 {
			out.observedAtFinish = len(out.completed) + len(out.timeouts)
		}
		out.finished = append(out.finished, at)
		if !s.keepRunning {
			w.Stop("workloads finished")
		}
	})
	w.Subscribe(func(at sim.Time, node sim.NodeID, o sim.Observation) {
		switch o.(type) {
		case protocols.Completed:
			out.completed = append(out.completed, observed{at, node, o})
		case protocols.WorkloadTimeout:
			out.timeouts = append(out.timeouts, observed{at, node, o})
		}
	})
	out.why = w.Run(s.until)
	return out
}

// byClient groups records by client node, in Records order.
func byClient(recs []workloads.Record) map[sim.NodeID][]workloads.Record {
	m := make(map[sim.NodeID][]workloads.Record)
	for _, r := range recs {
		m[r.Client] = append(m[r.Client], r)
	}
	return m
}

// echo is a test replica that answers every request at once with a result
// derived from the request id.
type echo struct{ env sim.Env }

func (e *echo) Start(env sim.Env) { e.env = env }
func (e *echo) Fire(sim.Timer)    {}
func (e *echo) Deliver(from sim.NodeID, m sim.Message) {
	if q, ok := m.(*protocols.Request); ok {
		e.env.Send(from, &protocols.Reply{Client: q.Client, ID: q.ID, Replica: e.env.ID(), Result: protocols.Digest(q.ID)})
	}
}

// scripted is a test replica that answers each request with a scripted
// reply: copies times, after a delay, possibly with a wrong result, a
// forged replica field or another request id.
type scripted struct {
	env     sim.Env
	result  protocols.Digest // the result it claims
	copies  int              // replies per request; 0 is silent
	after   sim.Time         // delay before replying
	forge   sim.NodeID       // claimed Replica field; sim.None: its own id
	idShift uint64           // answers for request id + idShift
	maxID   uint64           // answers only ids ≤ maxID; 0: all
}

func (s *scripted) Start(env sim.Env) { s.env = env }
func (s *scripted) Deliver(from sim.NodeID, m sim.Message) {
	q, ok := m.(*protocols.Request)
	if !ok || (s.maxID > 0 && q.ID > s.maxID) {
		return
	}
	for k := 0; k < s.copies; k++ {
		s.env.SetTimer(s.after, 0, int64(q.Client)<<32|int64(q.ID))
	}
}
func (s *scripted) Fire(t sim.Timer) {
	who := s.env.ID()
	if s.forge != sim.None {
		who = s.forge
	}
	client, id := sim.NodeID(t.Data>>32), uint64(t.Data&(1<<32-1))
	s.env.Send(client, &protocols.Reply{Client: client, ID: id + s.idShift, Replica: who, Result: s.result})
}

// requestLog is an interceptor that records the send times of the requests
// each client sends to replica 0 and drops the first drop[id] transmissions
// of request id (to every replica).
type requestLog struct {
	drop     map[uint64]int
	attempts map[protocols.RequestKey]int
	sends    map[protocols.RequestKey][]sim.Time
}

func newRequestLog(drop map[uint64]int) *requestLog {
	return &requestLog{drop: drop, attempts: map[protocols.RequestKey]int{}, sends: map[protocols.RequestKey][]sim.Time{}}
}

func (l *requestLog) Intercept(p *sim.Packet) string {
	q, ok := p.Msg.(*protocols.Request)
	if !ok {
		return ""
	}
	k := q.Key()
	if p.To == 0 { // a broadcast reaches replica 0 first
		l.attempts[k]++
		l.sends[k] = append(l.sends[k], p.SentAt)
	}
	if l.attempts[k] <= l.drop[q.ID] {
		return "test drop"
	}
	return ""
}

// gaps returns the differences between consecutive times.
func gaps(ts []sim.Time) []sim.Time {
	var out []sim.Time
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i]-ts[i-1])
	}
	return out
}
