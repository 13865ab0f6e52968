// Package sim is byzsim's deterministic discrete-event kernel: virtual time,
// the event queue, named random streams, the node contract with its
// environment, the per-node CPU model, the network model and tracing.
//
// Invariants:
//   - One World is driven by one goroutine. Events are ordered by (time,
//     sequence number); the sequence number is assigned at scheduling time, so
//     events at equal times run in insertion order and a run is a pure function
//     of its configuration and seed.
//   - Scheduling an event in the past is a programming error and panics.
//   - Every random draw comes from a stream derived from the run seed and a
//     name (see Stream), never from a global source or the wall clock.
//   - Nodes never see wall time, goroutines or I/O: every effect goes through
//     their Env.
//   - A node handles one input at a time. Work charged with Env.Charge advances
//     the node's local clock; inputs that arrive while it is busy wait in its
//     input queue, in arrival order.
//
// Package sim imports nothing else of byzsim.
package sim
