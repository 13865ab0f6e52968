// Package diembft implements DiemBFT v4 ("DiemBFT v4: State Machine
// Replication in the Diem Blockchain", Diem Team, 2021) as a byzsim
// protocol: a chained BFT replica with a 2-chain commit rule, a quadratic
// view change through timeout certificates, round-robin or
// reputation-based leader election, a mempool and a sync manager for
// lagging replicas.
//
// One file per module of the paper: blocktree.go (pending votes, high_qc,
// high_commit_qc), safety.go (safe_to_vote, safe_to_timeout,
// safe_to_extend), pacemaker.go (rounds, round timer, Bracha timeouts,
// TCs), election.go, sync.go, and replica.go, the Main module that owns
// them; messages.go defines the records and messages, verify.go their
// verification, byzantine.go and attributes.go the fault hooks. The Ledger
// (speculative states, commit of every uncommitted ancestor), the mempool,
// the modelled hash and the leader election (election.go keeps the commit
// rule that triggers a reputation election) are shared with
// protocols/hotstuff in protocols/internal/chained; chained.go binds them
// to this package's blocks.
//
// Genesis: a block of round −1 without author or payload is committed at
// height 0 (it is not part of Snapshot.Log); a genesis QC certifies it
// without signatures. Rounds start at 0, whose block extends the genesis
// QC, so rounds match the reference implementation's. Initially
// highest_vote_round = −1 and highest_qc_round = −2.
//
// Invariants:
//   - a correct replica votes at most once per round, only for blocks the
//     Safety rules allow, and never rolls back highest_vote_round or
//     highest_qc_round;
//   - a QC whose ledger commit info carries a state commits the QC's
//     parent block and every uncommitted ancestor, oldest first; committed
//     blocks are never removed; the pending tree only holds descendants of
//     the last committed block;
//   - every signature is verified (signer and digest) before a record is
//     used; a replica can sign only as itself; costs are charged with
//     Env.Charge from protocols.Costs;
//   - state kept per future round (votes, timeouts) is bounded by the
//     future_rounds parameter, the sync buffer by max(64, 2n) entries;
//   - a replica is a deterministic function of its inputs, its
//     configuration and the run seed: no global state, no wall clock, no
//     decision that depends on map iteration order.
package diembft
