// Package sim is byzsim's deterministic discrete-event kernel: virtual time,
// the event queue, named random streams, the node contract with its
// environment, the per-node CPU model, the network model and tracing.
//
// Invariants:
//   - One World is driven by one goroutine. Events are ordered by (time,
//     sequence number); the sequence number is assigned at scheduling time, so
//     events at equal times run in insertion order and a run is a pure function
//     of its configuration and seed.
//   - Scheduling an event in the past is a programming error and panics; so
//     do negative charges and timer durations. Kernel panics start with "sim:".
//   - Every random draw comes from a stream derived from the run seed and a
//     name (see Stream): one per directed link ("link", from, to) and one per
//     node ("node", id), so adding a node, a link's traffic or an interceptor
//     never shifts the draws of another stream.
//   - Nodes never see wall time, goroutines or I/O: every effect goes through
//     their Env, and only from within Start, Deliver, Fire or Recover.
//   - A node handles one input at a time. Work charged with Env.Charge advances
//     the node's local clock (Env.Now); messages it sends leave, and timers it
//     sets count, from that local clock. Inputs that arrive while it is busy
//     wait in its input queue, in arrival order; a timer cancelled while its
//     input waits there does not fire.
//   - The World counts each node's charged CPU time (World.Charged) and,
//     per ordered pair of nodes, the messages sent and not yet handled by
//     the receiver nor dropped (World.Backlog, Backlogger): a protocol that
//     throttles on its send queues reads its backlog through its Env.
//   - A node receives nothing before its start time (messages are dropped as
//     "not started"). A crashed node loses the messages for it, including
//     those waiting in its queue, and the timers that expire while it is down.
//
// The event queue holds 16-byte entries (time and a key packing sequence
// number, kind and a slot reference) in a timing wheel for the near future,
// sized to the run's density of events, and a radix heap beyond its
// horizon; it pops them in (time, sequence) order. Messages, timers and
// callbacks live in slot tables, so the hot path does not allocate. The
// World counts the messages it carries by kind and drops by reason itself
// (MessageCounts), so a run needs no Tracer to count them.
//
// Package sim imports nothing else of byzsim.
package sim
