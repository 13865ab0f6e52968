package sim

import "math/rand/v2"

// NodeID names a node of a World: replicas first (0 … n−1), then clients.
type NodeID int32

// None is the NodeID of no node.
const None NodeID = -1

// Message is anything a node sends. Implementations are immutable once sent:
// a broadcast shares one payload between all receivers.
type Message interface {
	// Kind names the message type ("proposal", "vote", "request", ...); fault
	// rules and counters match on it.
	Kind() string
	// Size is the message's encoded size in bytes, used for bandwidth and byte
	// counts.
	Size() int
}

// TimerID identifies a pending timer; the zero TimerID is never issued.
type TimerID uint64

// Timer is what a node receives when one of its timers expires.
type Timer struct {
	ID   TimerID
	Kind int   // chosen by the node when it set the timer
	Data int64 // chosen by the node when it set the timer
}

// Observation is a typed fact a node reports (a commit, a view change, a
// reply); recorders and checkers subscribe to them.
type Observation interface {
	// Event names the observation for traces ("commit", "timeout", ...);
	// it is a label, not a kind: consumers dispatch on the Go type.
	Event() string
}

// Node is a deterministic state machine driven by the World.
type Node interface {
	// Start is called once, at the node's start time.
	Start(env Env)
	// Deliver hands the node a message sent by from.
	Deliver(from NodeID, msg Message)
	// Fire tells the node that one of its timers expired.
	Fire(t Timer)
}

// Recoverer is implemented by nodes that need to act when they recover
// from a crash (timers that expired during the crash were lost).
type Recoverer interface {
	Recover()
}

// Env is a node's only window on the world. A node must use it only from
// within Start, Deliver, Fire or Recover.
type Env interface {
	// Now is the node's local time: the time the current input started being
	// handled plus the work charged since.
	Now() Time
	// ID is the node's own id.
	ID() NodeID
	// Replicas is the number of replicas; replica ids are 0 … Replicas()−1.
	Replicas() int
	// Send sends msg to node to. It leaves when the work charged so far is
	// done. A message to oneself is delivered locally, without network.
	Send(to NodeID, msg Message)
	// Broadcast sends msg to every replica, the sender included, sharing one
	// payload.
	Broadcast(msg Message)
	// SetTimer arms a timer that fires after d (from Now()).
	SetTimer(d Time, kind int, data int64) TimerID
	// CancelTimer disarms a pending timer; cancelling a fired or cancelled
	// timer does nothing.
	CancelTimer(id TimerID)
	// Rand is the node's own random stream.
	Rand() *rand.Rand
	// Charge adds modelled CPU work; the node stays busy until it is done.
	Charge(d Time)
	// Observe reports an observation at Now().
	Observe(o Observation)
}

// Backlogger is implemented by an Env that knows a node's outgoing backlog
// (the World's Env does). Protocols that throttle on the length of their
// send queues, as some reference implementations do, type-assert their Env to it.
type Backlogger interface {
	// Backlog is the number of messages this node sent to node to that to
	// has not handled yet: in serialization or propagation, or waiting in
	// to's input queue. Dropped messages do not count.
	Backlog(to NodeID) int
}
