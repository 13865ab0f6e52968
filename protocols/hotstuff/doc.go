// Package hotstuff implements chained HotStuff (Yin, Malkhi, Reiter, Gueta,
// Abraham, "HotStuff: BFT Consensus with Linearity and Responsiveness",
// PODC 2019, Algorithms 3 and 4) as a byzsim protocol: a chained BFT
// replica whose votes go to the next leader, which locks the head of a
// 2-chain and commits the head of a 3-chain of consecutive rounds. The
// pacemaker the paper leaves open is DiemBFT v4's (round timers, timeouts
// carrying high QCs, Bracha amplification, timeout certificates), as are
// the leader election, mempool, sync manager, message sizes and costs, so
// that it differs from protocols/diembft in its voting and commit rules
// only (docs/hotstuff.md).
//
// Files: safety.go (vheight, b_lock, safeNode, the chain rules),
// replica.go (proposals, votes, update(b*) in processQC, commits),
// pacemaker.go, blocktree.go (pending votes, high QC, high commit QC),
// election.go, sync.go; messages.go defines the records and messages,
// verify.go their verification, wire.go their codec, byzantine.go and
// attributes.go the fault hooks, corrupt.go transient faults. The ledger
// (speculative states, commit of every uncommitted ancestor), the mempool,
// the modelled hash and the leader election (election.go keeps the 3-chain
// test that triggers a reputation election) are DiemBFT's, shared in
// protocols/internal/chained; chained.go binds them to this package's
// blocks.
//
// Genesis: a block of round −1 without author or payload is committed at
// height 0 (it is not part of Snapshot.Log) and is the first locked block;
// a genesis QC certifies it without signatures. Rounds start at 0.
//
// Invariants:
//   - a correct replica votes at most once per round, only for blocks
//     safeNode allows, and never rolls back its voted round or its lock;
//   - a QC whose ledger commit info carries a state commits the QC's
//     grandparent block and every uncommitted ancestor, oldest first;
//     committed blocks are never removed; the pending tree only holds
//     descendants of the last committed block;
//   - every signature is verified before a record is used; a replica can
//     sign only as itself; costs are charged with Env.Charge from
//     protocols.Costs;
//   - state kept per future round is bounded by future_rounds;
//   - a replica is a deterministic function of its inputs, its
//     configuration and the run seed.
package hotstuff
