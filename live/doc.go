// Package live runs byzsim's nodes for real: each replica is a goroutine
// with its own mailbox, driven by the wall clock and real timers, and the
// nodes talk over real sockets — TCP for reliable channels, UDP for lossy
// ones — with every message encoded by its protocol's codec.
//
// The protocol code is the simulator's, unchanged: a node sees only
// sim.Env, and a node's inputs (messages, timers, recovery) are handled one
// at a time on its goroutine, so it stays single-threaded. The simulated
// network's model is applied by the sender: each message is held for its
// sampled delay and dropped with its loss before it reaches the socket,
// so a run on loopback reproduces the experiment's links. Observations,
// traces and interceptors (fault rules) are called under one lock.
//
// Real time lives in this package only; the simulator packages stay
// deterministic.
package live
