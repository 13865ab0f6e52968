package sim

import "math/rand/v2"

// input is a message or a timer waiting for a node.
type input struct {
	from  NodeID
	timer TimerID // non-zero for a timer
	msg   Message
}

// inbox is a FIFO ring buffer of inputs.
type inbox struct {
	buf        []input
	head, size int
}

func (q *inbox) len() int { return q.size }

func (q *inbox) push(in input) {
	if q.size == len(q.buf) {
		n := 2 * len(q.buf)
		if n == 0 {
			n = 8
		}
		buf := make([]input, n)
		for i := 0; i < q.size; i++ {
			buf[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = in
	q.size++
}

func (q *inbox) pop() input {
	in := q.buf[q.head]
	q.buf[q.head] = input{}
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return in
}

// nodeState is the kernel's view of one node: its CPU and input queue.
type nodeState struct {
	id    NodeID
	node  Node
	world *World
	env   nodeEnv
	rng   *rand.Rand

	// cursor is the node's local clock while it handles an input: the start
	// time plus the work charged so far.
	cursor Time
	// busyUntil is when the node's charged work is done.
	busyUntil Time
	// readyPending says an evReady event is scheduled at busyUntil.
	readyPending bool
	crashed      bool
	startPending bool // crashed before its start time
	inbox        inbox
}

// arrive hands an input to the node now, or queues it while the node is busy.
func (ns *nodeState) arrive(in input) {
	w := ns.world
	if ns.busyUntil > w.now || ns.inbox.len() > 0 {
		ns.inbox.push(in)
		if !ns.readyPending {
			ns.readyPending = true
			w.schedule(event{at: ns.busyUntil, node: ns.id}, evReady)
		}
		return
	}
	ns.handle(in)
}

// ready runs queued inputs once the node's charged work is done.
func (ns *nodeState) ready() {
	ns.readyPending = false
	w := ns.world
	for ns.inbox.len() > 0 && !ns.crashed {
		if ns.busyUntil > w.now {
			ns.readyPending = true
			w.schedule(event{at: ns.busyUntil, node: ns.id}, evReady)
			return
		}
		ns.handle(ns.inbox.pop())
	}
}

func (ns *nodeState) handle(in input) {
	w := ns.world
	ns.cursor = w.now
	if in.timer != 0 {
		s := w.timers.slot(in.timer)
		if s == nil || !s.live {
			w.timers.release(in.timer)
			return
		}
		t := Timer{ID: in.timer, Kind: s.kind, Data: s.data}
		w.timers.release(in.timer)
		w.stats.Timers++
		if w.tracer != nil {
			w.tracer.Fired(w.now, ns.id, t)
		}
		ns.node.Fire(t)
	} else {
		w.stats.Delivered++
		if w.tracer != nil {
			w.tracer.Delivered(w.now, in.from, ns.id, in.msg)
		}
		ns.node.Deliver(in.from, in.msg)
	}
	ns.finish()
}

// finish records the end of the node's charged work.
func (ns *nodeState) finish() {
	if ns.cursor > ns.busyUntil {
		ns.busyUntil = ns.cursor
	}
}

// nodeEnv implements Env for one node.
type nodeEnv struct{ ns *nodeState }

var _ Env = (*nodeEnv)(nil)

func (e *nodeEnv) Now() Time     { return e.ns.cursor }
func (e *nodeEnv) ID() NodeID    { return e.ns.id }
func (e *nodeEnv) Replicas() int { return e.ns.world.replicas }
func (e *nodeEnv) Charge(d Time) {
	if d < 0 {
		panic("sim: negative charge")
	}
	e.ns.cursor += d
}

func (e *nodeEnv) Rand() *rand.Rand {
	ns := e.ns
	if ns.rng == nil {
		ns.rng = ns.world.Stream("node", int64(ns.id))
	}
	return ns.rng
}

func (e *nodeEnv) Send(to NodeID, msg Message) {
	e.ns.world.net.send(e.ns.id, to, msg, e.ns.cursor)
}

func (e *nodeEnv) Broadcast(msg Message) {
	ns := e.ns
	for to := 0; to < ns.world.replicas; to++ {
		ns.world.net.send(ns.id, NodeID(to), msg, ns.cursor)
	}
}

func (e *nodeEnv) SetTimer(d Time, kind int, data int64) TimerID {
	if d < 0 {
		panic("sim: negative timer duration")
	}
	w := e.ns.world
	id := w.timers.add(kind, data)
	w.schedule(event{at: e.ns.cursor + d, node: e.ns.id, arg: uint64(id)}, evTimer)
	return id
}

func (e *nodeEnv) CancelTimer(id TimerID) { e.ns.world.timers.cancel(id) }

func (e *nodeEnv) Observe(o Observation) {
	w := e.ns.world
	if w.tracer != nil {
		w.tracer.Observed(e.ns.cursor, e.ns.id, o)
	}
	for _, obs := range w.observer {
		obs(e.ns.cursor, e.ns.id, o)
	}
}
