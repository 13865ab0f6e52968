package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// chargeCounter is a tracer counting, per replica, what docs/bftlist.md's
// cost formula multiplies: loop messages sent by kind, failure-detector
// tokens, messages and client requests received, replies sent and commits.
type chargeCounter struct {
	n                          int
	sent                       map[sim.NodeID]map[string]int
	received, requests, tokens map[sim.NodeID]int
	replies, commits           map[sim.NodeID]int
}

func newChargeCounter(n int) *chargeCounter {
	return &chargeCounter{n: n, sent: map[sim.NodeID]map[string]int{}, received: map[sim.NodeID]int{},
		requests: map[sim.NodeID]int{}, tokens: map[sim.NodeID]int{}, replies: map[sim.NodeID]int{}, commits: map[sim.NodeID]int{}}
}

func (c *chargeCounter) Sent(_ sim.Time, from, _ sim.NodeID, m sim.Message) {
	if int(from) >= c.n {
		return
	}
	if c.sent[from] == nil {
		c.sent[from] = map[string]int{}
	}
	c.sent[from][m.Kind()]++
	if _, ok := m.(*protocols.Reply); ok {
		c.replies[from]++
	}
}

func (c *chargeCounter) Delivered(_ sim.Time, from, to sim.NodeID, m sim.Message) {
	if int(to) >= c.n {
		return
	}
	c.received[to]++
	switch m.(type) {
	case *protocols.Request:
		c.requests[to]++
	case *FDToken:
		c.tokens[to]++
	}
}

func (c *chargeCounter) Observed(_ sim.Time, node sim.NodeID, o sim.Observation) {
	if _, ok := o.(protocols.Commit); ok && int(node) < c.n {
		c.commits[node]++
	}
}

func (*chargeCounter) Dropped(sim.Time, sim.NodeID, sim.NodeID, sim.Message, string) {}
func (*chargeCounter) Fired(sim.Time, sim.NodeID, sim.Timer)                         {}

// TestChargesOfLoopsAndRequests runs n = 6, f = 1 with two clients of three
// requests each, loss-free, in both loop modes, and checks that each
// replica's charged CPU time is docs/bftlist.md's formula:
//
//	ve_cost × VE iterations + rep_cost × REP iterations + pm_cost × PM iterations
//	+ fd_cost × tokens + per_message × messages received + verify × client requests
//	+ sign × replies + execute × executed requests
//
// where an iteration gossips to the n − 1 others. The costs are distinct
// powers of ten (rep_entry_cost is 0 here), so a charge removed or doubled
// changes the total.
func TestChargesOfLoopsAndRequests(t *testing.T) {
	const ns = sim.Nanosecond
	costs := protocols.Costs{PerMessage: 1 * ns, Verify: 10 * ns, Sign: 100 * ns, Execute: 1000 * ns}
	for _, mode := range []string{LoopBackToBack, LoopPeriodic} {
		t.Run(mode, func(t *testing.T) {
			const n, f, clients, each = 6, 1, 2, 3
			params := protocols.Params{"loop_mode": mode, "ve_cost": 10_000 * ns, "rep_cost": 100_000 * ns,
				"rep_entry_cost": sim.Time(0), "pm_cost": 1_000_000 * ns, "fd_cost": 10_000_000 * ns}
			w := sim.NewWorld(sim.Config{Seed: 3, Replicas: n})
			w.Network().SetDefault(sim.Link{Delay: sim.Uniform{Min: sim.Millisecond, Max: 3 * sim.Millisecond}})
			for i := range n {
				r, err := New(protocols.Config{ID: sim.NodeID(i), N: n, F: f, Clients: clients, Params: params, Costs: costs, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				w.AddNode(r, 0)
			}
			var cls []*testClient
			for range clients {
				cl := &testClient{n: n, f: f, total: each}
				cls = append(cls, cl)
				w.AddNode(cl, 0)
			}
			cc := newChargeCounter(n)
			w.SetTracer(cc)
			w.Run(3 * sim.Second)
			for _, cl := range cls {
				if cl.done != each {
					t.Fatalf("a client completed %d of %d requests", cl.done, each)
				}
			}
			p, err := decodeParams(params, n)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				id := sim.NodeID(i)
				s := cc.sent[id]
				iter := func(kind string) sim.Time {
					if s[kind]%(n-1) != 0 {
						t.Fatalf("replica%d sent %d %s messages, not a multiple of n − 1", i, s[kind], kind)
					}
					return sim.Time(s[kind] / (n - 1))
				}
				want := p.VECost*iter("ve") + p.REPCost*iter("rep") + p.PMCost*iter("pm") +
					p.FDCost*sim.Time(cc.tokens[id]) + costs.PerMessage*sim.Time(cc.received[id]) +
					costs.Verify*sim.Time(cc.requests[id]) + costs.Sign*sim.Time(cc.replies[id]) +
					costs.Execute*sim.Time(cc.commits[id])
				if got := w.Charged(id); got != want {
					t.Errorf("replica%d charged %d, want %d (%v iterations ve/rep/pm %d/%d/%d, %d tokens, %d messages, %d requests, %d replies, %d commits)",
						i, got, want, s, iter("ve"), iter("rep"), iter("pm"), cc.tokens[id], cc.received[id], cc.requests[id], cc.replies[id], cc.commits[id])
				}
				if cc.replies[id] == 0 || cc.requests[id] == 0 || cc.commits[id] == 0 {
					t.Errorf("replica%d: %d replies, %d requests, %d commits; the test needs each > 0", i, cc.replies[id], cc.requests[id], cc.commits[id])
				}
			}
		})
	}
}

// TestBackToBackNeedsCostsAndThrottles checks that a back-to-back loop must
// take virtual time (a zero iteration cost is rejected) and that the
// throttle bounds its rate: with 100 ms links the backlog to every peer
// passes queue_limit after a few iterations, so a loop iterates a few times
// per throttle sleep, not once per charged iteration.
func TestBackToBackNeedsCostsAndThrottles(t *testing.T) {
	for _, k := range []string{"ve_cost", "rep_cost", "pm_cost"} {
		if _, err := decodeParams(protocols.Params{k: sim.Time(0), "loop_mode": LoopBackToBack}, 6); err == nil {
			t.Errorf("%s = 0 with back-to-back loops: no error", k)
		}
		if _, err := decodeParams(protocols.Params{k: sim.Time(0), "loop_mode": LoopPeriodic}, 6); err != nil {
			t.Errorf("%s = 0 with periodic loops: %v", k, err)
		}
	}
	const n = 6
	w := sim.NewWorld(sim.Config{Seed: 1, Replicas: n})
	w.Network().SetDefault(sim.Link{Delay: sim.Constant{D: 100 * sim.Millisecond}})
	for i := range n {
		r, err := New(protocols.Config{ID: sim.NodeID(i), N: n, F: 1, Params: protocols.Params{"loop_mode": LoopBackToBack}, Costs: protocols.DefaultCosts(), Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		w.AddNode(r, 0)
	}
	cc := newChargeCounter(n)
	w.SetTracer(cc)
	w.Run(sim.Second)
	// Unthrottled, 1 s of ≈ 300 µs rounds would be > 3000 iterations of
	// each loop; throttled, the three loops together run about
	// queue_limit + 1 iterations per 100 ms, the time their messages take to
	// be handled. (Which loop gets them is decided by the phases of the
	// sleeps: one loop can starve the others for a while.)
	for i := range n {
		s := cc.sent[sim.NodeID(i)]
		iters := (s["ve"] + s["rep"] + s["pm"]) / (n - 1)
		if iters < 20 || iters > 200 {
			t.Errorf("replica%d ran %d loop iterations in 1 s, want 20 … 200 (throttled back-to-back)", i, iters)
		}
	}
}
