package live

import (
	"math/rand/v2"
	"time"

	"github.com/byzsim/byzsim/sim"
)

// node is a hosted node and its sim.Env. Every field but box is touched
// only from the node's mailbox goroutine.
type node struct {
	c       *Cluster
	id      sim.NodeID
	n       sim.Node
	box     *mailbox
	rng     *rand.Rand
	timers  map[sim.TimerID]*time.Timer
	next    sim.TimerID
	crashed bool
	started bool
	links   []*link
	// scratch is the encoding buffer of the current send.
	scratch []byte
}

func (nd *node) start() {
	if nd.crashed {
		return
	}
	nd.started = true
	nd.n.Start(nd)
	nd.after()
}

// after runs after every input a node handled.
func (nd *node) after() {
	if f := nd.c.cfg.OnInput; f != nil && int(nd.id) < nd.c.cfg.Replicas {
		f(nd.id, nd.n)
	}
}

func (nd *node) deliver(from sim.NodeID, msg sim.Message) {
	if nd.crashed || !nd.started {
		nd.c.traceDropped(nd.c.Now(), from, nd.id, msg, "crashed")
		return
	}
	nd.c.traceDelivered(nd.c.Now(), from, nd.id, msg)
	nd.n.Deliver(from, msg)
	nd.after()
}

func (nd *node) fire(t sim.Timer) {
	if _, ok := nd.timers[t.ID]; !ok {
		return // cancelled
	}
	delete(nd.timers, t.ID)
	if nd.crashed {
		return
	}
	nd.c.timers.Add(1)
	nd.n.Fire(t)
	nd.after()
}

func (nd *node) crash() {
	nd.crashed = true
	nd.stopTimers()
}

func (nd *node) recover() {
	if !nd.crashed {
		return
	}
	nd.crashed = false
	if !nd.started {
		nd.start()
		return
	}
	if r, ok := nd.n.(sim.Recoverer); ok {
		r.Recover()
		nd.after()
	}
}

func (nd *node) stopTimers() {
	for id, t := range nd.timers {
		t.Stop()
		delete(nd.timers, id)
	}
}

// Now implements sim.Env: the wall-clock time since the cluster started.
func (nd *node) Now() sim.Time { return nd.c.Now() }

// ID implements sim.Env.
func (nd *node) ID() sim.NodeID { return nd.id }

// Replicas implements sim.Env.
func (nd *node) Replicas() int { return nd.c.cfg.Replicas }

// Send implements sim.Env.
func (nd *node) Send(to sim.NodeID, msg sim.Message) { nd.send(to, msg, nil) }

// Broadcast implements sim.Env: the message is encoded once.
func (nd *node) Broadcast(msg sim.Message) {
	var enc []byte
	for to := 0; to < nd.c.cfg.Replicas; to++ {
		enc = nd.send(sim.NodeID(to), msg, enc)
	}
}

// SetTimer implements sim.Env with a real timer.
func (nd *node) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	nd.next++
	id := nd.next
	t := sim.Timer{ID: id, Kind: kind, Data: data}
	nd.timers[id] = time.AfterFunc(time.Duration(max(d, 0)), func() {
		nd.box.post(func() { nd.fire(t) })
	})
	return id
}

// CancelTimer implements sim.Env.
func (nd *node) CancelTimer(id sim.TimerID) {
	if t, ok := nd.timers[id]; ok {
		t.Stop()
		delete(nd.timers, id)
	}
}

// Rand implements sim.Env.
func (nd *node) Rand() *rand.Rand { return nd.rng }

// Charge implements sim.Env: live nodes spend real CPU, so modelled work
// is not added.
func (nd *node) Charge(sim.Time) {}

// Observe implements sim.Env.
func (nd *node) Observe(o sim.Observation) { nd.c.observe(nd.c.Now(), nd.id, o) }

// Backlog implements sim.Backlogger: the messages to node to that are
// held for their delay or waiting for the socket.
func (nd *node) Backlog(to sim.NodeID) int {
	if to < 0 || int(to) >= len(nd.links) || nd.links[to] == nil {
		return 0
	}
	return int(nd.links[to].backlog.Load())
}
