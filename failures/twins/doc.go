// Package twins generates Twins scenarios (Bano et al., "Twins: BFT Systems
// Made Robust", OPODIS 2021) for leader-based, round-based protocols. It
// knows no protocol: package explore/twinsrun runs the scenarios on the
// replicas of any protocol with protocols.TwinsSupport.
//
// A scenario runs n replicas, t of which are twinned: replica i < t has a
// second process, its twin, with the same identity and keys. Processes are
// numbered 0 … n−1 (the replicas) and n … n+t−1 (process n+i is the twin of
// replica i). Each round of a scenario names its leader (an identity), a
// partition of the n+t processes into buckets (a message is delivered only
// when sender and receiver share a bucket in the sender's current round) and
// optional drops of one message type from one process to another inside a
// bucket. After the R generated rounds come GST rounds: one bucket holding
// every process, no drops and correct (untwinned) leaders.
//
// Invariants:
//   - Generation is a pure function of Params (and, for sampling, the seed):
//     the same parameters give the same scenarios in the same order.
//   - Partitions are enumerated as restricted growth strings in
//     lexicographic order; S(n+t, P) of them (Stirling numbers of the second
//     kind). Round configurations are ordered leader-major, then partition,
//     then drop set; scenarios are ordered lexicographically over their
//     rounds' configurations, round 0 most significant.
//   - Symmetry reduction keeps, of every class of scenarios equal up to a
//     renaming of replicas (a permutation of the twinned identities, one of
//     the correct identities, and swapping a replica with its twin), the
//     first one in enumeration order; in sampling mode, the first one drawn.
//   - Scenarios are data: they are written to and read from JSON lines
//     (see Writer and ReadScenarios); the reader rejects anything
//     invalid with an error naming the line.
package twins
