// Package workloads provides byzsim's clients: the sim.Nodes that send
// requests to the replicas and wait for their replies, in five workload
// types (see Types): retransmit, flood and timed as in the reference experiment
// configurations' client, plus open_loop (Poisson arrivals at a rate) and closed_loop (k
// outstanding requests with a think time).
//
// A workload is described by a Spec. NewTracker validates the specs, fills
// their defaults and builds one Client per workload client; Tracker.Install
// adds them to a World after the replicas, so client ids are n, n+1, ... in
// workload order. The Tracker aggregates what the clients see: per-workload
// progress, per-request records for latency.csv, and a callback when every
// workload has finished (completed or timed out) so the runner can stop the
// world.
//
// Invariants:
//   - A client sends each request to every replica and counts it complete
//     when F+1 distinct replicas replied with the same Result. A reply counts
//     only if it comes from a replica, names this client and a request it has
//     sent and not yet completed, and its Replica field is its sender; a
//     replica's repeated reply with the same Result counts once.
//   - A request's latency is its completion time minus the time of its first
//     transmission; a retransmission reuses the request (same id).
//   - Open- and closed-loop clients resend an incomplete request every
//     RetransmitAfter (DefaultRetransmitAfter unless NoRetransmit), as real
//     BFT clients do. A workload with incomplete requests whose clients
//     will send nothing more by themselves is stalled (Status.Stalled).
//   - A workload's timeout runs from its start. When it passes first, exactly
//     one protocols.WorkloadTimeout is observed for the workload and its
//     clients stop: they send nothing more and ignore late replies.
//   - Clients draw randomness (open-loop arrivals, think times) only from
//     streams derived from the run seed, the workload name and the client's
//     index in the workload; nothing depends on map iteration order. A run's
//     records are a pure function of (configuration, seed).
//   - One Tracker serves one World; like the World, it is driven by one
//     goroutine.
package workloads
