package transcript

import (
	"math/rand/v2"

	"github.com/byzsim/byzsim/sim"
)

// effectKind says what a replica did through its environment.
type effectKind uint8

const (
	effSend effectKind = iota
	effBroadcast
	effSetTimer
	effCancelTimer
	effObserve
)

// effect is one call a replica made on its environment while it handled
// an input.
type effect struct {
	kind  effectKind
	to    sim.NodeID
	msg   sim.Message
	timer timer
	obs   sim.Observation
}

// env is the sim.Env of one replica in a transcript. It performs nothing
// itself: it records every call as an effect, queues messages in the
// harness's network and timers in its timer list.
type env struct {
	h       *harness
	id      sim.NodeID
	rng     *rand.Rand
	charged sim.Time
	effects []effect
}

var _ sim.Env = (*env)(nil)

// Now is the harness clock plus the work charged in the current input.
func (e *env) Now() sim.Time { return e.h.now + e.charged }

// ID is the replica's id.
func (e *env) ID() sim.NodeID { return e.id }

// Replicas is the number of replicas.
func (e *env) Replicas() int { return e.h.n }

// Send queues msg for to, or shows it leaving to a client.
func (e *env) Send(to sim.NodeID, msg sim.Message) {
	e.effects = append(e.effects, effect{kind: effSend, to: to, msg: msg})
	e.h.enqueue(e.id, to, msg)
}

// Broadcast queues msg for every replica, the sender included.
func (e *env) Broadcast(msg sim.Message) {
	e.effects = append(e.effects, effect{kind: effBroadcast, msg: msg})
	for to := range e.h.n {
		e.h.enqueue(e.id, sim.NodeID(to), msg)
	}
}

// SetTimer arms a timer due at Now()+d.
func (e *env) SetTimer(d sim.Time, kind int, data int64) sim.TimerID {
	t := e.h.addTimer(e.id, e.Now()+d, kind, data)
	e.effects = append(e.effects, effect{kind: effSetTimer, timer: t})
	return t.id
}

// CancelTimer disarms a pending timer of this replica; other ids are
// ignored, as the World ignores fired and cancelled timers.
func (e *env) CancelTimer(id sim.TimerID) {
	if t, ok := e.h.cancelTimer(e.id, id); ok {
		e.effects = append(e.effects, effect{kind: effCancelTimer, timer: t})
	}
}

// Rand is the replica's own stream, derived from the transcript's seed.
func (e *env) Rand() *rand.Rand { return e.rng }

// Charge adds modelled CPU work to the current input.
func (e *env) Charge(d sim.Time) { e.charged += d }

// Observe records an observation.
func (e *env) Observe(o sim.Observation) {
	e.effects = append(e.effects, effect{kind: effObserve, obs: o})
}
