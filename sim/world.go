package sim

import (
	"fmt"
	"math"
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
	// Events counts the events popped from the queue, a cancelled timer
	// included when the run reaches its time: it is the run's event count
	// that results report, and what an event limit counts.
	Events    uint64
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
	queue    eventQueue
	nodes    []*nodeState
	started  bool
	stopped  bool
	stopWhy  string
	net      *Network
	timers   timerTable
	msgs     msgTable
	calls    slotTable[func()]
	observer []Observer
	tracer   Tracer
	stats    Stats
	// kindCounts counts the messages of each kind, by number in the
	// network's KindIndex; dropCounts the drops by reason.
	kindCounts []KindCount
	dropCounts []DropCount
	// poll, when set, is called every pollEvery events; Run ends when it
	// returns false.
	poll func(now Time, events uint64) bool
	// eventLimit, when > 0, ends Run once that many events were handled.
	eventLimit uint64
	// check is the number of events at which Run next checks the event
	// limit and calls the poll function (see checkpoint).
	check uint64
}

// pollEvery is how many events pass between two calls of the poll function.
const pollEvery = 1 << 8

// Interrupted is the reason Run returns when the poll function asked it to
// stop.
const Interrupted = "interrupted"

// EventLimitReached is the reason Run returns when the event limit was
// reached.
const EventLimitReached = "event limit reached"

// SetPoll installs fn, called from Run every pollEvery (256) events with the
// virtual time and the number of events so far; when fn returns false, Run
// returns Interrupted. It lets a caller stop a long run from outside (fn
// reads an atomic flag) or report progress; it must not touch the world.
// Nil removes it. The poll does not change what the run computes.
func (w *World) SetPoll(fn func(now Time, events uint64) bool) { w.poll, w.check = fn, 0 }

// SetEventLimit ends Run with EventLimitReached once n events were handled
// (0: no limit). Like the duration, it is part of the run's definition.
func (w *World) SetEventLimit(n uint64) { w.eventLimit, w.check = n, 0 }

// Reserve makes room for about pending events and messages in flight at
// once, such as the burst of a run whose clients send every request at
// the start, so that the message table does not grow step by step (the
// event queue's buckets grow as they fill). It changes nothing the run
// computes.
func (w *World) Reserve(pending int) {
	if pending <= 0 {
		return
	}
	pending = min(pending, refMask)
	if cap(w.msgs.slots) < pending {
		slots := make([]inFlight, len(w.msgs.slots), pending)
		copy(slots, w.msgs.slots)
		w.msgs.slots = slots
	}
}

// NewWorld returns an empty world with a fault-free default network
// (constant zero delay, reliable FIFO); configure it with Network().
func NewWorld(cfg Config) *World {
	if cfg.Replicas < 0 {
		panic("sim: negative replica count")
	}
	w := &World{seed: cfg.Seed, replicas: cfg.Replicas}
	w.calls.what = "callbacks"
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
func (w *World) Node(id NodeID) Node { return w.state(id).node }

func (w *World) state(id NodeID) *nodeState {
	if id < 0 || int(id) >= len(w.nodes) {
		panic(fmt.Sprintf("sim: unknown node %d (the world has %d)", id, len(w.nodes)))
	}
	return w.nodes[id]
}

// AddNode adds a node that starts at time start and returns its id. Nodes
// are numbered in the order they are added. Adding a node after the run has
// started panics. Messages that reach a node before its start time are
// dropped ("not started").
func (w *World) AddNode(n Node, start Time) NodeID {
	if w.started {
		panic("sim: AddNode after the run started")
	}
	id := NodeID(len(w.nodes))
	w.nodes = append(w.nodes, &nodeState{id: id, node: n, world: w})
	w.schedule(start, evStart, checkRef(int(id), "nodes"))
	return id
}

// Subscribe registers an observer for every observation.
func (w *World) Subscribe(o Observer) { w.observer = append(w.observer, o) }

// SetTracer installs a tracer that sees every send, drop, delivery, timer
// and observation. Nil removes it.
func (w *World) SetTracer(t Tracer) {
	w.tracer = t
	w.net.rehook()
}

// At schedules fn at virtual time t. Scheduling in the past panics.
func (w *World) At(t Time, fn func()) {
	w.schedule(t, evCall, w.calls.put(fn))
}

// After schedules fn after d from now.
func (w *World) After(d Time, fn func()) { w.At(w.now+d, fn) }

// Stop ends the run after the current event; why is reported by Run. Inputs
// still queued at a busy node stay queued.
func (w *World) Stop(why string) {
	if !w.stopped {
		w.stopped, w.stopWhy = true, why
	}
}

// Unstop withdraws a Stop with reason why made during the current event,
// before it takes effect (e.g. a stop condition that later observations of
// the same event undo). It reports whether it withdrew one; a stop with
// another reason stays.
func (w *World) Unstop(why string) bool {
	if !w.stopped || w.stopWhy != why {
		return false
	}
	w.stopped, w.stopWhy = false, ""
	return true
}

// Stopped reports whether Stop was called.
func (w *World) Stopped() bool { return w.stopped }

// Crash stops node id: until Recover, messages for it (including those
// waiting in its input queue) are dropped, timers that expire are lost, and
// it handles nothing. Its state is kept; timers that expire after it
// recovers still fire.
func (w *World) Crash(id NodeID) {
	ns := w.state(id)
	if ns.crashed {
		return
	}
	ns.crashed = true
	for ns.inbox.size > 0 {
		in := ns.inbox.pop()
		if in.timer {
			w.timers.release(in.slot)
		} else {
			w.dropScheduled(in.from, id, in.msg, int(in.kind), "crashed")
		}
	}
}

// Recover restarts a crashed node. If its start time passed while it was
// crashed, Start is called now; otherwise, if it has started and implements
// Recoverer, its Recover method is called now. Work charged there starts
// when the CPU is free.
func (w *World) Recover(id NodeID) {
	ns := w.state(id)
	if !ns.crashed {
		return
	}
	ns.crashed = false
	ns.cursor = max(w.now, ns.busyUntil)
	switch {
	case ns.startPending:
		ns.startPending = false
		ns.started = true
		ns.node.Start(ns)
	case ns.started:
		if r, ok := ns.node.(Recoverer); ok {
			r.Recover()
		}
	default:
		return // it starts at its start time
	}
	ns.finish()
}

// Crashed reports whether node id is crashed.
func (w *World) Crashed(id NodeID) bool { return w.state(id).crashed }

// Pending returns the number of events in the queue (cancelled timers
// included until they are popped).
func (w *World) Pending() int { return w.queue.len() }

// Run processes events in (time, seq) order until the queue is empty, the
// next event is later than until, or Stop is called. It returns why it ended:
// "idle", "until", EventLimitReached, Interrupted, or the reason given to
// Stop. The clock is left at the
// time of the last event handled, or at until if that was reached (the clock
// never moves back).
func (w *World) Run(until Time) string {
	w.started = true
	w.check = 0
	for !w.stopped {
		if w.queue.len() == 0 {
			return "idle"
		}
		e := w.queue.peek()
		if e.at > until {
			w.now = max(w.now, until)
			return "until"
		}
		if w.stats.Events >= w.check {
			if why := w.checkpoint(); why != "" {
				return why
			}
		}
		w.step(e)
	}
	return w.stopWhy
}

// checkpoint checks, before an event, whether the event limit is reached
// and calls the poll function every pollEvery events; it returns why Run
// ends, if it does, and sets check to the next number of events at which
// either could act.
func (w *World) checkpoint() string {
	events := w.stats.Events
	if w.eventLimit > 0 && events >= w.eventLimit {
		return EventLimitReached
	}
	if w.poll != nil && events%pollEvery == 0 && events > 0 && !w.poll(w.now, events) {
		return Interrupted
	}
	w.check = math.MaxUint64
	if w.eventLimit > 0 {
		w.check = w.eventLimit
	}
	if w.poll != nil {
		w.check = min(w.check, (events/pollEvery+1)*pollEvery)
	}
	return ""
}

// schedule pushes an event of kind k referring to ref at time at, which must
// not be in the past.
func (w *World) schedule(at Time, k eventKind, ref uint32) {
	if at < w.now {
		w.inPast(at)
	}
	if w.seq == maxSeq {
		w.seq = w.queue.renumber() - 1
	}
	w.seq++
	w.queue.push(event{at: at, key: makeKey(w.seq, k, ref)})
}

// inPast panics for an event scheduled at a time before now.
func (w *World) inPast(at Time) {
	panic(fmt.Sprintf("sim: event scheduled in the past (at %v, now %v)", at, w.now))
}

// step handles e, the event queue's earliest event, which it removes.
func (w *World) step(e event) {
	// Read the event's payload before removing the event, so that its
	// (likely cold) slot is fetched early.
	w.now = e.at
	w.stats.Events++
	switch e.kind() {
	case evDeliver:
		f := w.msgs.take(e.ref())
		w.queue.skip(e.at)
		if f.to < 0 { // dropped in transit by CorruptTransit
			w.dropScheduled(f.from, ^f.to, f.msg, int(f.kind), "transient")
			return
		}
		ns := w.nodes[f.to]
		switch {
		case ns.crashed:
			w.dropScheduled(f.from, f.to, f.msg, int(f.kind), "crashed")
		case !ns.started:
			w.dropScheduled(f.from, f.to, f.msg, int(f.kind), "not started")
		case ns.busy():
			ns.wait(input{from: f.from, msg: f.msg, kind: f.kind})
		default:
			ns.deliver(f.from, f.msg, f.kind)
		}
	case evTimer:
		slot := e.ref()
		t := &w.timers.slots[slot]
		node, armed := t.node, t.armed
		w.queue.skip(e.at)
		// A cancelled timer (most timers of a run whose protocol resets its
		// timeout every round) is discarded without reading its node's
		// state, which is likely out of the caches.
		if !armed || w.nodes[node].crashed {
			w.timers.release(slot)
			return
		}
		if ns := w.nodes[node]; ns.busy() {
			ns.wait(input{from: None, slot: slot, timer: true})
		} else {
			ns.fire(slot)
		}
	case evReady:
		w.queue.skip(e.at)
		w.nodes[e.ref()].ready()
	case evStart:
		w.queue.skip(e.at)
		ns := w.nodes[e.ref()]
		if ns.crashed {
			ns.startPending = true
			return
		}
		ns.started = true
		ns.cursor = w.now
		ns.node.Start(ns)
		ns.finish()
	case evCall:
		w.queue.skip(e.at)
		w.calls.take(e.ref())()
	default:
		panic(fmt.Sprintf("sim: unknown event kind %d", e.kind()))
	}
}

// deliverAt schedules the arrival of msg, of kind number k, at node to.
// (Network.send does the same inline.)
func (w *World) deliverAt(at Time, from, to NodeID, msg Message, k int) {
	n := w.net
	n.makeLinks()
	n.links[int(from)*n.nodes+int(to)].sent++
	w.schedule(at, evDeliver, w.msgs.put(inFlight{msg: msg, from: from, to: to, kind: int32(k)}))
}

// unlog removes a message from the backlog of its pair once it is handled
// or dropped.
func (w *World) unlog(from, to NodeID) {
	// A scheduled message came from a node, and the link table was made
	// before it was scheduled.
	n := w.net
	n.handled[int(to)*n.nodes+int(from)]++
}

// Backlog returns the number of messages node from sent to node to that
// are not yet handled by to (in transit or waiting in its input queue) nor
// dropped.
func (w *World) Backlog(from, to NodeID) int {
	n := w.net
	if n.links == nil || from < 0 || to < 0 || int(from) >= n.nodes || int(to) >= n.nodes {
		return 0
	}
	return int(int32(n.links[int(from)*n.nodes+int(to)].sent - n.handled[int(to)*n.nodes+int(from)]))
}

// Charged returns the CPU time node id has been charged so far.
func (w *World) Charged(id NodeID) Time { return w.state(id).charged }

// dropScheduled drops a message that was scheduled for delivery (in
// transit or in the receiver's input queue), so it also leaves its pair's
// backlog.
func (w *World) dropScheduled(from, to NodeID, msg Message, k int, why string) {
	w.unlog(from, to)
	w.drop(from, to, msg, k, why)
}

// drop drops msg, of kind number k.
func (w *World) drop(from, to NodeID, msg Message, k int, why string) {
	w.stats.Dropped++
	w.countDrop(msg, k, why)
	if w.tracer != nil {
		w.tracer.Dropped(w.now, from, to, msg, why)
	}
}
