package live

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Addr is where a node listens: its TCP address for reliable channels and
// its UDP address for lossy ones.
type Addr struct {
	TCP string `json:"tcp" toml:"tcp"`
	UDP string `json:"udp" toml:"udp"`
}

// Config describes a cluster.
type Config struct {
	// Replicas is the number of replicas; they are the first nodes.
	Replicas int
	// Nodes are every node of the system, replicas first, then clients;
	// a node not hosted here (see Local) may be nil.
	Nodes []sim.Node
	// Start is each node's start time (nil: all at 0).
	Start []sim.Time
	// Local marks the nodes this cluster hosts; nil means all of them.
	Local []bool
	// Addrs are the nodes' addresses. A hosted node listens on its own
	// (port 0 picks a free port; empty means 127.0.0.1:0); the others are
	// where its messages go.
	Addrs []Addr
	// Codec encodes the messages.
	Codec protocols.Codec
	// Seed seeds the nodes' random streams and the network's draws.
	Seed uint64
	// Model gives each directed link's model, applied by the sender; nil
	// means no delay, no loss, reliable.
	Model func(from, to sim.NodeID) sim.Link
	// KindChannel overrides the channel of message kinds.
	KindChannel map[string]sim.Channel
	// Interceptors see every send to another node before the link does,
	// under the cluster's lock, as in simulation.
	Interceptors []sim.Interceptor
	// Observer receives every observation, under the cluster's lock.
	Observer sim.Observer
	// Tracer receives sends, deliveries and drops, under the cluster's lock.
	Tracer sim.Tracer
	// OnInput, when set, is called after each input a hosted replica
	// handled, on the replica's goroutine (metrics read its state there).
	OnInput func(id sim.NodeID, r sim.Node)
}

// Cluster is a running set of live nodes.
type Cluster struct {
	cfg     Config
	start   time.Time
	nodes   []*node
	clients *mailbox // the mailbox all hosted clients share
	addrs   []Addr
	tr      *transport

	mu        sync.Mutex // observer, tracer, interceptors, partition
	partition []int32

	stopOnce sync.Once
	stopped  chan struct{}
	why      atomic.Value
	wg       sync.WaitGroup
	closed   atomic.Bool
	// sending is held for reading by a send that runs on a goroutine of
	// its own (a link's writer, a delayed datagram) while it may still
	// count or trace its message; Close takes it for writing, so that
	// nothing is counted or traced once Close returned (see beginSend).
	sending sync.RWMutex

	sent, delivered, dropped, timers atomic.Uint64
}

// New opens the hosted nodes' sockets. Call Start to run them and Close to
// release everything.
func New(cfg Config) (*Cluster, error) {
	total := len(cfg.Nodes)
	if cfg.Replicas <= 0 || cfg.Replicas > total {
		return nil, fmt.Errorf("live: %d replicas among %d nodes", cfg.Replicas, total)
	}
	if cfg.Codec == nil {
		return nil, errors.New("live: no codec")
	}
	if cfg.Local == nil {
		cfg.Local = make([]bool, total)
		for i := range cfg.Local {
			cfg.Local[i] = true
		}
	}
	if cfg.Start == nil {
		cfg.Start = make([]sim.Time, total)
	}
	if cfg.Addrs == nil {
		cfg.Addrs = make([]Addr, total)
	}
	if len(cfg.Local) != total || len(cfg.Start) != total || len(cfg.Addrs) != total {
		return nil, errors.New("live: Local, Start and Addrs must have one entry per node")
	}
	if cfg.Model == nil {
		cfg.Model = func(sim.NodeID, sim.NodeID) sim.Link { return sim.Link{} }
	}
	c := &Cluster{cfg: cfg, stopped: make(chan struct{}), clients: newMailbox(), addrs: append([]Addr(nil), cfg.Addrs...)}
	c.nodes = make([]*node, total)
	for id := range c.nodes {
		if !cfg.Local[id] {
			continue
		}
		if cfg.Nodes[id] == nil {
			return nil, fmt.Errorf("live: hosted node %d is nil", id)
		}
		box := c.clients
		if id < cfg.Replicas {
			box = newMailbox()
		}
		c.nodes[id] = &node{
			c:      c,
			id:     sim.NodeID(id),
			n:      cfg.Nodes[id],
			box:    box,
			rng:    sim.Stream(cfg.Seed, "live-node", int64(id)),
			timers: map[sim.TimerID]*time.Timer{},
			links:  make([]*link, total),
		}
	}
	tr, err := listen(c)
	if err != nil {
		return nil, err
	}
	c.tr = tr
	return c, nil
}

// Addrs returns every node's address, with the hosted nodes' actual ports.
func (c *Cluster) Addrs() []Addr { return append([]Addr(nil), c.addrs...) }

// Start starts the clock and every hosted node (each at its start time).
func (c *Cluster) Start() {
	c.start = time.Now()
	c.tr.serve()
	started := map[*mailbox]bool{}
	for _, nd := range c.nodes {
		if nd == nil {
			continue
		}
		if !started[nd.box] {
			started[nd.box] = true
			c.wg.Add(1)
			go func(b *mailbox) { defer c.wg.Done(); b.run() }(nd.box)
		}
		nd := nd
		c.At(c.cfg.Start[nd.id], func() { nd.box.post(nd.start) })
	}
}

// Now is the time since Start (0 before).
func (c *Cluster) Now() sim.Time {
	if c.start.IsZero() {
		return 0
	}
	return sim.Time(time.Since(c.start))
}

// OnReplica runs fn on hosted node id's goroutine (failures.Target).
func (c *Cluster) OnReplica(id sim.NodeID, fn func()) { c.Post(id, func(sim.Node) { fn() }) }

// At calls fn at time t since Start (now if t is past; before Start, t
// from now), on a timer's goroutine; fn typically posts to a node.
func (c *Cluster) At(t sim.Time, fn func()) {
	d := time.Duration(t - c.Now())
	if d <= 0 {
		fn()
		return
	}
	time.AfterFunc(d, func() {
		if !c.closed.Load() {
			fn()
		}
	})
}

// Do runs fn on hosted node id's goroutine, between two of its inputs, and
// waits for it; it reports false when the node is not hosted or the
// cluster is closed.
func (c *Cluster) Do(id sim.NodeID, fn func(n sim.Node)) bool {
	nd := c.hosted(id)
	if nd == nil {
		return false
	}
	done := make(chan struct{})
	if !nd.box.post(func() { fn(nd.n); close(done) }) {
		return false
	}
	select {
	case <-done:
		return true
	case <-nd.box.done:
		return false
	}
}

// Post runs fn on hosted node id's goroutine without waiting.
func (c *Cluster) Post(id sim.NodeID, fn func(n sim.Node)) bool {
	nd := c.hosted(id)
	return nd != nil && nd.box.post(func() { fn(nd.n) })
}

func (c *Cluster) hosted(id sim.NodeID) *node {
	if id < 0 || int(id) >= len(c.nodes) {
		return nil
	}
	return c.nodes[id]
}

// QueueLength is the number of inputs waiting in node id's mailbox.
func (c *Cluster) QueueLength(id sim.NodeID) int {
	if nd := c.hosted(id); nd != nil {
		return nd.box.Len()
	}
	return 0
}

// Crash crashes hosted node id: until Recover it handles nothing, and
// what arrives meanwhile (messages, timers) is lost.
func (c *Cluster) Crash(id sim.NodeID) {
	c.Post(id, func(sim.Node) { c.nodes[id].crash() })
}

// Recover recovers hosted node id from a crash.
func (c *Cluster) Recover(id sim.NodeID) {
	c.Post(id, func(sim.Node) { c.nodes[id].recover() })
}

// SetPartition splits the nodes into groups (replica ids); messages
// between groups are dropped by their sender. Clients are in every group.
// No groups heal the partition.
func (c *Cluster) SetPartition(groups [][]sim.NodeID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(groups) == 0 {
		c.partition = nil
		return
	}
	c.partition = make([]int32, len(c.nodes))
	for i := range c.partition {
		c.partition[i] = -1
	}
	for g, ids := range groups {
		for _, id := range ids {
			if int(id) < len(c.partition) {
				c.partition[id] = int32(g)
			}
		}
	}
}

func (c *Cluster) partitioned(from, to sim.NodeID) bool {
	if c.partition == nil {
		return false
	}
	g, h := c.partition[from], c.partition[to]
	return g >= 0 && h >= 0 && g != h
}

// Stop asks the run to end with the given reason; the first reason wins.
// It does not wait: see Done and Close.
func (c *Cluster) Stop(why string) {
	c.stopOnce.Do(func() {
		c.why.Store(why)
		close(c.stopped)
	})
}

// Done is closed once Stop was called.
func (c *Cluster) Done() <-chan struct{} { return c.stopped }

// Why is the reason given to Stop ("" before).
func (c *Cluster) Why() string {
	s, _ := c.why.Load().(string)
	return s
}

// Close stops every node and socket and waits for the nodes' goroutines.
// After Close, the nodes' state may be read freely.
func (c *Cluster) Close() {
	if c.closed.Swap(true) {
		return
	}
	for _, nd := range c.nodes {
		if nd != nil {
			nd.box.close()
		}
	}
	c.wg.Wait()
	c.tr.close()
	for _, nd := range c.nodes {
		if nd != nil {
			nd.stopTimers()
			nd.closeLinks()
		}
	}
	// Wait for the sends under way on goroutines of their own (the
	// sockets are closed, so they end within a dial or write timeout);
	// the later ones see closed and do nothing.
	c.sending.Lock()
	c.sending.Unlock()
}

// beginSend reports whether a send on a goroutine of its own (not a
// node's) may go on: not once Close began. When it returns true, the
// caller must call endSend after its send, traces included.
func (c *Cluster) beginSend() bool {
	c.sending.RLock()
	if c.closed.Load() {
		c.sending.RUnlock()
		return false
	}
	return true
}

// endSend ends a send that beginSend let go on.
func (c *Cluster) endSend() { c.sending.RUnlock() }

// Stats counts what the cluster did so far; Events counts the inputs
// handled (messages, timers, starts).
func (c *Cluster) Stats() sim.Stats {
	return sim.Stats{
		Sent:      c.sent.Load(),
		Delivered: c.delivered.Load(),
		Dropped:   c.dropped.Load(),
		Timers:    c.timers.Load(),
		Events:    c.delivered.Load() + c.timers.Load(),
	}
}

func (c *Cluster) observe(at sim.Time, id sim.NodeID, o sim.Observation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Read the clock under the lock: observers see time in order.
	at = max(at, c.Now())
	if c.cfg.Observer != nil {
		c.cfg.Observer(at, id, o)
	}
	if c.cfg.Tracer != nil {
		c.cfg.Tracer.Observed(at, id, o)
	}
}

func (c *Cluster) traceSent(at sim.Time, from, to sim.NodeID, msg sim.Message) {
	c.sent.Add(1)
	if c.cfg.Tracer != nil {
		c.mu.Lock()
		c.cfg.Tracer.Sent(at, from, to, msg)
		c.mu.Unlock()
	}
}

func (c *Cluster) traceDelivered(at sim.Time, from, to sim.NodeID, msg sim.Message) {
	c.delivered.Add(1)
	if c.cfg.Tracer != nil {
		c.mu.Lock()
		c.cfg.Tracer.Delivered(at, from, to, msg)
		c.mu.Unlock()
	}
}

func (c *Cluster) traceDropped(at sim.Time, from, to sim.NodeID, msg sim.Message, why string) {
	c.dropped.Add(1)
	if c.cfg.Tracer != nil {
		c.mu.Lock()
		c.cfg.Tracer.Dropped(at, from, to, msg, why)
		c.mu.Unlock()
	}
}

// rngFor returns the random stream of the link from → to.
func (c *Cluster) rngFor(from, to sim.NodeID) *rand.Rand {
	return sim.Stream(c.cfg.Seed, "live-link", int64(from), int64(to))
}

// listenAddr is the address a hosted node listens on.
func listenAddr(a string) string {
	if a == "" {
		return "127.0.0.1:0"
	}
	return a
}
