package sim

import "math/rand/v2"

// input is a message or a timer waiting for a node.
type input struct {
	msg   Message
	from  NodeID
	slot  uint32 // timer slot when timer is set
	kind  int32  // the message's number in the network's KindIndex
	timer bool
}

// inbox is a FIFO ring buffer of inputs; its capacity is a power of two.
type inbox struct {
	buf        []input
	head, size int
}

func (q *inbox) len() int { return q.size }

func (q *inbox) push(in input) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = in
	q.size++
}

// grow doubles the capacity of a full inbox (out of push, which then
// inlines).
func (q *inbox) grow() {
	buf := make([]input, max(2*len(q.buf), 8))
	for i := 0; i < q.size; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}

func (q *inbox) pop() input {
	in := q.buf[q.head]
	q.buf[q.head] = input{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return in
}

// nodeState is the kernel's view of one node: its CPU and input queue. It is
// also the node's Env.
type nodeState struct {
	id    NodeID
	node  Node
	world *World
	rng   *rand.Rand

	// cursor is the node's local clock while it handles an input: the start
	// time plus the work charged so far.
	cursor Time
	// busyUntil is when the node's charged work is done.
	busyUntil Time
	// readyPending says an evReady event is scheduled for this node.
	readyPending bool
	started      bool // Start was called
	crashed      bool
	startPending bool // its start time passed while it was crashed
	inbox        inbox
	// clockOffset shifts what Now reports (a corrupted local clock).
	clockOffset Time
	// charged is the CPU time charged so far.
	charged Time
	// handled is the node's row of the network's handled counters
	// (Network.handled, by sender), set when the link table is made: a
	// delivery increments its sender's counter without the network's
	// index arithmetic.
	handled []uint32
	// links is the node's row of the network's link table (Network.links,
	// by receiver), set with handled: a send finds its link's state
	// without the network's index arithmetic.
	links []linkState
}

var (
	_ Env        = (*nodeState)(nil)
	_ Backlogger = (*nodeState)(nil)
)

// busy reports whether an input that arrives now must wait: the node's
// charged work is not done, or older inputs are waiting. World.step
// hands an input that need not wait straight to deliver or fire, and
// queues the others with wait.
func (ns *nodeState) busy() bool {
	return ns.busyUntil > ns.world.now || ns.inbox.size > 0
}

// wait queues an input until the node is free for it.
func (ns *nodeState) wait(in input) {
	w := ns.world
	ns.inbox.push(in)
	if !ns.readyPending {
		ns.readyPending = true
		w.schedule(max(ns.busyUntil, w.now), evReady, uint32(ns.id))
	}
}

// ready runs queued inputs once the node's charged work is done. Each input
// counts as handled at the time the node becomes free for it.
func (ns *nodeState) ready() {
	ns.readyPending = false
	w := ns.world
	for ns.inbox.size > 0 && !ns.crashed {
		if ns.busyUntil > w.now || w.stopped {
			ns.readyPending = true
			w.schedule(max(ns.busyUntil, w.now), evReady, uint32(ns.id))
			return
		}
		if in := ns.inbox.pop(); in.timer {
			ns.fire(in.slot)
		} else {
			ns.deliver(in.from, in.msg, in.kind)
		}
	}
}

// deliver runs a message, of kind number kind, on the node, starting at
// the current time. (Messages and timers are handled by two functions of
// few arguments, rather than one taking an input: a delivery's arguments
// are fewer to keep across the node's handler.)
func (ns *nodeState) deliver(from NodeID, msg Message, kind int32) {
	w := ns.world
	ns.cursor = w.now
	ns.handled[from]++ // w.unlog(from, ns.id): the link table exists
	w.stats.Delivered++
	w.kindCount(int(kind)).Delivered++
	if w.tracer != nil {
		w.tracer.Delivered(w.now, from, ns.id, msg)
	}
	ns.node.Deliver(from, msg)
	ns.finish()
}

// fire runs the timer of the given slot on the node, starting at the
// current time, unless it was cancelled while it waited.
func (ns *nodeState) fire(slot uint32) {
	w := ns.world
	ns.cursor = w.now
	t, ok := w.timers.fire(slot)
	if !ok {
		return // cancelled while it waited
	}
	w.stats.Timers++
	if w.tracer != nil {
		w.tracer.Fired(w.now, ns.id, t)
	}
	ns.node.Fire(t)
	ns.finish()
}

// finish records the end of the node's charged work.
func (ns *nodeState) finish() {
	if ns.cursor > ns.busyUntil {
		ns.busyUntil = ns.cursor
	}
}

// Now implements Env: the node's local clock, its CPU cursor shifted by
// its clock offset.
func (ns *nodeState) Now() Time { return ns.cursor + ns.clockOffset }

// ID implements Env.
func (ns *nodeState) ID() NodeID { return ns.id }

// Replicas implements Env.
func (ns *nodeState) Replicas() int { return ns.world.replicas }

// Charge implements Env.
func (ns *nodeState) Charge(d Time) {
	if d < 0 {
		panic("sim: negative charge")
	}
	ns.cursor += d
	ns.charged += d
}

// Backlog implements Backlogger.
func (ns *nodeState) Backlog(to NodeID) int { return ns.world.Backlog(ns.id, to) }

// Rand implements Env.
func (ns *nodeState) Rand() *rand.Rand {
	if ns.rng == nil {
		ns.rng = ns.world.Stream("node", int64(ns.id))
	}
	return ns.rng
}

// Send implements Env.
func (ns *nodeState) Send(to NodeID, msg Message) {
	net := ns.world.net
	kind := msg.Kind()
	k := net.kinds.cached(kind)
	if k < 0 {
		k = net.kinds.slow(kind)
	}
	net.send(ns, to, msg, k, msg.Size())
}

// Broadcast implements Env. The copies share the payload, so its kind and
// size are looked up once.
func (ns *nodeState) Broadcast(msg Message) {
	net := ns.world.net
	k, size := net.kinds.Index(msg.Kind()), msg.Size()
	for to := 0; to < ns.world.replicas; to++ {
		net.send(ns, NodeID(to), msg, k, size)
	}
}

// SetTimer implements Env.
func (ns *nodeState) SetTimer(d Time, kind int, data int64) TimerID {
	if d < 0 {
		panic("sim: negative timer duration")
	}
	w := ns.world
	slot, id := w.timers.add(ns.id, kind, data)
	w.schedule(ns.cursor+d, evTimer, slot)
	return id
}

// CancelTimer implements Env.
func (ns *nodeState) CancelTimer(id TimerID) { ns.world.timers.cancel(id) }

// Observe implements Env.
func (ns *nodeState) Observe(o Observation) {
	w := ns.world
	if w.tracer == nil && len(w.observer) == 1 {
		// The common case, one observer and no tracer: a call with
		// nothing to keep across it.
		w.observer[0](ns.cursor, ns.id, o)
		return
	}
	if w.tracer != nil {
		w.tracer.Observed(ns.cursor, ns.id, o)
	}
	for _, obs := range w.observer {
		obs(ns.cursor, ns.id, o)
	}
}
