package sim

import (
	"fmt"
	"math/rand/v2"
)

// Config configures a World.
type Config struct {
	// Seed is the run's master seed; every stream derives from it.
	Seed uint64
	// Replicas is how many of the nodes (the first ones added) are replicas;
	// Broadcast reaches them.
	Replicas int
}

// Observer receives every observation, in event order.
type Observer func(at Time, node NodeID, o Observation)

// Stats counts what a World did.
type Stats struct {
	Events    uint64 // events popped from the queue
	Sent      uint64 // messages handed to the network (self-sends included)
	Delivered uint64 // messages handed to a node
	Dropped   uint64 // messages dropped (faults, loss, partitions, crashes)
	Timers    uint64 // timers fired
}

// World is one simulation run: virtual time, the event queue, the nodes and
// the network. It is driven by one goroutine.
type World struct {
	seed     uint64
	replicas int
	now      Time
	seq      uint64
	queue    eventHeap
	nodes    []*nodeState
	started  bool
	stopped  bool
	stopWhy  string
	net      *Network
	timers   timerTable
	calls    callTable
	observer []Observer
	tracer   Tracer
	stats    Stats
}

// NewWorld returns an empty world with a fault-free default network
// (constant zero delay, reliable FIFO); configure it with Network().
func NewWorld(cfg Config) *World {
	if cfg.Replicas < 0 {
		panic("sim: negative replica count")
	}
	w := &World{seed: cfg.Seed, replicas: cfg.Replicas}
	w.net = newNetwork(w)
	return w
}

// Seed returns the master seed.
func (w *World) Seed() uint64 { return w.seed }

// Now returns the current virtual time.
func (w *World) Now() Time { return w.now }

// Network returns the world's network model.
func (w *World) Network() *Network { return w.net }

// Stats returns the counters so far.
func (w *World) Stats() Stats { return w.stats }

// Stream returns a random stream derived from the world's seed.
func (w *World) Stream(name string, labels ...int64) *rand.Rand {
	return Stream(w.seed, name, labels...)
}

// NumNodes returns the number of nodes added.
func (w *World) NumNodes() int { return len(w.nodes) }

// Node returns the node with the given id.
func (w *World) Node(id NodeID) Node { return w.nodes[id].node }

// AddNode adds a node that starts at time start and returns its id. Nodes
// are numbered in the order they are added. Adding a node after the run has
// started panics.
func (w *World) AddNode(n Node, start Time) NodeID {
	if w.started {
		panic("sim: AddNode after the run started")
	}
	id := NodeID(len(w.nodes))
	ns := &nodeState{id: id, node: n, world: w}
	ns.env = nodeEnv{ns}
	w.nodes = append(w.nodes, ns)
	w.schedule(event{at: start, node: id}, evStart)
	return id
}

// Subscribe registers an observer for every observation.
func (w *World) Subscribe(o Observer) { w.observer = append(w.observer, o) }

// SetTracer installs a tracer that sees every send, drop, delivery, timer
// and observation. Nil removes it.
func (w *World) SetTracer(t Tracer) { w.tracer = t }

// At schedules fn at virtual time t. Scheduling in the past panics.
func (w *World) At(t Time, fn func()) {
	w.schedule(event{at: t, arg: w.calls.put(fn)}, evCall)
}

// After schedules fn after d from now.
func (w *World) After(d Time, fn func()) { w.At(w.now+d, fn) }

// Stop ends the run after the current event; why is reported by Run.
func (w *World) Stop(why string) {
	if !w.stopped {
		w.stopped, w.stopWhy = true, why
	}
}

// Stopped reports whether Stop was called.
func (w *World) Stopped() bool { return w.stopped }

// Crash stops node id: until Recover, messages and timers for it are lost
// and it handles nothing. Its state is kept.
func (w *World) Crash(id NodeID) {
	ns := w.nodes[id]
	ns.crashed = true
	for ns.inbox.len() > 0 {
		if in := ns.inbox.pop(); in.timer != 0 {
			w.timers.release(in.timer)
		}
	}
}

// Recover restarts a crashed node; if it implements Recoverer, its Recover
// method is called at once.
func (w *World) Recover(id NodeID) {
	ns := w.nodes[id]
	if !ns.crashed {
		return
	}
	ns.crashed = false
	if ns.busyUntil < w.now {
		ns.busyUntil = w.now
	}
	ns.cursor = w.now
	if ns.startPending {
		ns.startPending = false
		ns.node.Start(&ns.env)
	} else if r, ok := ns.node.(Recoverer); ok {
		r.Recover()
	}
	ns.finish()
}

// Crashed reports whether node id is crashed.
func (w *World) Crashed(id NodeID) bool { return w.nodes[id].crashed }

// Pending returns the number of events in the queue (cancelled timers
// included until they are popped).
func (w *World) Pending() int { return w.queue.len() }

// Run processes events in (time, seq) order until the queue is empty, the
// next event is later than until, or Stop is called. It returns why it ended:
// "idle", "until", or the reason given to Stop. The clock is left at the
// time of the last event handled, or at until if that was reached.
func (w *World) Run(until Time) string {
	w.started = true
	for !w.stopped {
		if w.queue.len() == 0 {
			return "idle"
		}
		if w.queue.peekTime() > until {
			w.now = until
			return "until"
		}
		w.step()
	}
	return w.stopWhy
}

func (w *World) schedule(e event, k eventKind) {
	if e.at < w.now {
		panic(fmt.Sprintf("sim: event scheduled in the past (at %v, now %v)", e.at, w.now))
	}
	w.seq++
	e.key = w.seq<<8 | uint64(k)
	w.queue.push(e)
}

func (w *World) step() {
	e := w.queue.pop()
	w.now = e.at
	w.stats.Events++
	switch e.kind() {
	case evDeliver:
		ns := w.nodes[e.node]
		if ns.crashed {
			w.drop(e.from, e.node, e.msg, "crashed")
			return
		}
		ns.arrive(input{from: e.from, msg: e.msg})
	case evTimer:
		ns := w.nodes[e.node]
		if ns.crashed {
			w.timers.release(TimerID(e.arg))
			return
		}
		if !w.timers.live(TimerID(e.arg)) {
			w.timers.release(TimerID(e.arg))
			return
		}
		ns.arrive(input{timer: TimerID(e.arg), from: None})
	case evReady:
		w.nodes[e.node].ready()
	case evStart:
		ns := w.nodes[e.node]
		if ns.crashed {
			ns.startPending = true
			return
		}
		ns.cursor = w.now
		ns.node.Start(&ns.env)
		ns.finish()
	case evCall:
		w.calls.take(e.arg)()
	default:
		panic(fmt.Sprintf("sim: unknown event kind %d", e.kind()))
	}
}

func (w *World) drop(from, to NodeID, msg Message, why string) {
	w.stats.Dropped++
	if w.tracer != nil {
		w.tracer.Dropped(w.now, from, to, msg, why)
	}
}

// timerTable issues timer handles (slot index + generation) so that a
// cancelled timer's event can stay in the heap and be skipped when popped.
type timerTable struct {
	slots []timerSlot
	free  []uint32
}

type timerSlot struct {
	gen  uint32
	live bool
	kind int
	data int64
}

func (t *timerTable) add(kind int, data int64) TimerID {
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = uint32(len(t.slots))
		t.slots = append(t.slots, timerSlot{})
	}
	s := &t.slots[i]
	s.gen++
	s.live, s.kind, s.data = true, kind, data
	return TimerID(uint64(i)<<32 | uint64(s.gen))
}

func (t *timerTable) slot(id TimerID) *timerSlot {
	i := uint64(id) >> 32
	if id == 0 || i >= uint64(len(t.slots)) {
		return nil
	}
	s := &t.slots[i]
	if s.gen != uint32(id) {
		return nil
	}
	return s
}

func (t *timerTable) live(id TimerID) bool {
	s := t.slot(id)
	return s != nil && s.live
}

// cancel marks a live timer dead; its heap event is skipped when popped and
// the slot is freed then.
func (t *timerTable) cancel(id TimerID) {
	if s := t.slot(id); s != nil {
		s.live = false
	}
}

// release frees the slot of a timer whose event left the heap.
func (t *timerTable) release(id TimerID) {
	if s := t.slot(id); s != nil {
		s.live = false
		s.gen++ // invalidate the handle
		t.free = append(t.free, uint32(uint64(id)>>32))
	}
}

// callTable holds callbacks of World.At by slot, so events stay small.
type callTable struct {
	fns  []func()
	free []uint64
}

func (c *callTable) put(fn func()) uint64 {
	if n := len(c.free); n > 0 {
		i := c.free[n-1]
		c.free = c.free[:n-1]
		c.fns[i] = fn
		return i
	}
	c.fns = append(c.fns, fn)
	return uint64(len(c.fns) - 1)
}

func (c *callTable) take(i uint64) func() {
	fn := c.fns[i]
	c.fns[i] = nil
	c.free = append(c.free, i)
	return fn
}
