// Package explore searches for fault schedules that break a protocol.
//
// It takes an ordinary experiment (protocol, network, workloads, checks)
// and its [explore] table, and draws from the experiment's seed random
// fault schedules written in the experiment's own structures: partitions
// that form and heal with any group structure, crashes and recoveries,
// loss and delay bursts on chosen links, fault rules on message kinds and
// rounds (loss, delay, setattr of the protocol's benign attributes),
// Byzantine behaviours of the protocol's registry on at most f replicas,
// transient corruptions for self-stabilizing protocols, and a GST after
// which the network is synchronous. Each schedule is one run of the
// experiment (experiments.Simulate), checked for safety always, liveness
// after GST, and convergence after transient faults. A failed schedule is
// minimized (fewest faults, shortest window, smallest n) and written as a
// plain experiment file that byzsim run reproduces.
//
// The search itself (workers, counts, minimizing loop, output writing) is
// package explore/search's; this package gives it the schedule space
// (Problem), its minimizer steps (Minimizer) and its encoder (Write).
//
// The package knows protocols only through the protocols registry: their
// message kinds, attributes, behaviours, corruption scopes and resilience.
//
// Invariants: schedule i is a function of the seed, the [explore] table
// and i alone; every result but the wall-clock figures is the same
// whatever the number of workers.
package explore
