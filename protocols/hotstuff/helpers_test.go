package hotstuff

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// testClient sends its requests to every replica at start (and batch two
// at later), and counts a request done when f+1 distinct replicas replied
// with the same result.
type testClient struct {
	env      sim.Env
	f        int
	batches  [][]*protocols.Request
	at       []sim.Time
	replies  map[uint64]map[protocols.Digest]map[sim.NodeID]bool
	done     map[uint64]protocols.Digest
	conflict bool
	total    int
}

func newTestClient(f int) *testClient {
	return &testClient{f: f, replies: make(map[uint64]map[protocols.Digest]map[sim.NodeID]bool), done: make(map[uint64]protocols.Digest)}
}

// batch schedules count requests at virtual time at (relative to start).
func (c *testClient) batch(at sim.Time, count int) {
	c.at = append(c.at, at)
	c.batches = append(c.batches, make([]*protocols.Request, count))
	c.total += count
}

func (c *testClient) Start(env sim.Env) {
	c.env = env
	next := uint64(1)
	for i := range c.batches {
		for j := range c.batches[i] {
			c.batches[i][j] = &protocols.Request{Client: env.ID(), ID: next, Op: protocols.OpAppend, Value: int64(next), Payload: 16}
			next++
		}
		env.SetTimer(c.at[i], 1, int64(i))
	}
}

func (c *testClient) Fire(t sim.Timer) {
	for _, q := range c.batches[t.Data] {
		c.env.Broadcast(q)
	}
}

func (c *testClient) Deliver(from sim.NodeID, m sim.Message) {
	rep, ok := m.(*protocols.Reply)
	if !ok {
		return
	}
	byRes := c.replies[rep.ID]
	if byRes == nil {
		byRes = make(map[protocols.Digest]map[sim.NodeID]bool)
		c.replies[rep.ID] = byRes
	}
	set := byRes[rep.Result]
	if set == nil {
		set = make(map[sim.NodeID]bool)
		byRes[rep.Result] = set
	}
	set[from] = true
	if len(set) >= c.f+1 {
		if d, ok := c.done[rep.ID]; ok && d != rep.Result {
			c.conflict = true
		}
		c.done[rep.ID] = rep.Result
	}
}

// cluster is a small world of HotStuff replicas and one test client.
type cluster struct {
	t        testing.TB
	w        *sim.World
	reps     []*Replica
	client   *testClient
	n, f     int
	certs    map[int64]map[protocols.Digest]bool // by round, over correct replicas
	commits  int
	timeouts int
}

type clusterOpts struct {
	n, f       int
	params     protocols.Params
	delay      sim.Dist
	costs      protocols.Costs
	behaviours map[sim.NodeID]string
	seed       uint64
}

func newCluster(t testing.TB, o clusterOpts) *cluster {
	if o.n == 0 {
		o.n, o.f = 4, 1
	}
	if o.delay == nil {
		o.delay = sim.Constant{D: 10 * sim.Millisecond}
	}
	if o.params == nil {
		o.params = protocols.Params{}
	}
	if _, ok := o.params["transmission_delay_bound"]; !ok {
		o.params["transmission_delay_bound"] = 100 * sim.Millisecond
	}
	w := sim.NewWorld(sim.Config{Seed: o.seed, Replicas: o.n})
	w.Network().SetDefault(sim.Link{Delay: o.delay})
	c := &cluster{t: t, w: w, n: o.n, f: o.f, certs: make(map[int64]map[protocols.Digest]bool)}
	for i := range o.n {
		r, err := New(protocols.Config{ID: sim.NodeID(i), N: o.n, F: o.f, Clients: 1, Params: o.params, Costs: o.costs, Behaviour: o.behaviours[sim.NodeID(i)], Seed: o.seed})
		if err != nil {
			t.Fatal(err)
		}
		c.reps = append(c.reps, r)
		w.AddNode(r, 0)
	}
	c.client = newTestClient(o.f)
	w.AddNode(c.client, 0)
	w.Subscribe(func(at sim.Time, node sim.NodeID, ob sim.Observation) {
		if int(node) >= o.n || o.behaviours[node] != "" {
			return
		}
		switch ob := ob.(type) {
		case protocols.Certified:
			m := c.certs[ob.Round]
			if m == nil {
				m = make(map[protocols.Digest]bool)
				c.certs[ob.Round] = m
			}
			m[ob.Digest] = true
		case protocols.Commit:
			c.commits++
		case protocols.Timeout:
			c.timeouts++
		}
	})
	return c
}

// runUntilDone runs until the client completed every request or limit.
func (c *cluster) runUntilDone(limit sim.Time) {
	step := 100 * sim.Millisecond
	for t := step; t <= limit; t += step {
		c.w.Run(t)
		if len(c.client.done) == c.client.total {
			return
		}
	}
}

// consistent reports whether the logs of the listed replicas are prefix
// consistent.
func consistent(reps []*Replica) error {
	for i := range reps {
		for j := i + 1; j < len(reps); j++ {
			a, b := reps[i].ledger.Log(), reps[j].ledger.Log()
			for k := 0; k < min(len(a), len(b)); k++ {
				if a[k] != b[k] {
					return fmt.Errorf("replicas %d and %d differ at height %d", reps[i].id, reps[j].id, k+1)
				}
			}
		}
	}
	return nil
}

// oneCertPerRound reports a round with two certified blocks (property 1).
func (c *cluster) oneCertPerRound() error {
	for r, m := range c.certs {
		if len(m) > 1 {
			return fmt.Errorf("round %d has %d certified blocks", r, len(m))
		}
	}
	return nil
}

func (c *cluster) correct(ids ...int) []*Replica {
	var out []*Replica
	for _, i := range ids {
		out = append(out, c.reps[i])
	}
	return out
}

// kindCounter is a tracer counting sent messages by kind.
type kindCounter map[string]int

func (k kindCounter) Sent(_ sim.Time, _, _ sim.NodeID, m sim.Message)             { k[m.Kind()]++ }
func (kindCounter) Dropped(sim.Time, sim.NodeID, sim.NodeID, sim.Message, string) {}
func (kindCounter) Delivered(sim.Time, sim.NodeID, sim.NodeID, sim.Message)       {}
func (kindCounter) Fired(sim.Time, sim.NodeID, sim.Timer)                         {}
func (kindCounter) Observed(sim.Time, sim.NodeID, sim.Observation)                {}
