package hotstuff

import "github.com/byzsim/byzsim/protocols"

// Safety holds chained HotStuff's persistent voting state (Algorithm 4 of
// the paper: vheight and b_lock) with rounds in place of heights: the
// highest round voted in and the locked block, the head of the highest
// 2-chain this replica has seen.
//
// Invariants: HighestVoteRound and LockedRound only grow (except through
// SetAttribute and Corrupt, which model faults); LockedID is the block of
// round LockedRound (or genesis).
type Safety struct {
	// HighestVoteRound is the paper's vheight: the highest round voted or
	// timed out in.
	HighestVoteRound int64
	// LockedRound and LockedID are b_lock: the parent of the block of the
	// highest QC whose own block is certified (the 2-chain head).
	LockedRound int64
	LockedID    protocols.Digest
	// revote lets a replica vote again in its highest voted round (the
	// Byzantine double-vote and equivocate behaviours).
	revote bool
}

// safeNode is the paper's voting rule: the block's round is above every
// round voted in, and the block extends the locked block (safety) or its
// QC is newer than the lock (liveness). extends reports the first
// condition; it is only asked when the second one fails.
func (s *Safety) safeNode(blockRound, qcRound int64, extends func(lockedID protocols.Digest, lockedRound int64) bool) bool {
	if blockRound < s.HighestVoteRound || (blockRound == s.HighestVoteRound && !s.revote) {
		return false
	}
	return qcRound > s.LockedRound || extends(s.LockedID, s.LockedRound)
}

// safeToTimeout: a replica times out its current round at most once
// before voting in a later one; the timeout only ends the round (a
// replica that timed out a round no longer votes in it).
func (s *Safety) safeToTimeout(round int64) bool { return round >= s.HighestVoteRound }

// voted records a vote in round.
func (s *Safety) voted(round int64) { s.HighestVoteRound = max(s.HighestVoteRound, round) }

// timedOut records a timeout in round: no vote in it any more.
func (s *Safety) timedOut(round int64) { s.HighestVoteRound = max(s.HighestVoteRound, round) }

// lock moves b_lock to the block id of round when it is higher (the
// 2-chain rule: a QC for b″ locks b″'s parent b′).
func (s *Safety) lock(id protocols.Digest, round int64) {
	if round > s.LockedRound {
		s.LockedRound, s.LockedID = round, id
	}
}

// threeChain reports whether a vote for a block of blockRound whose QC
// certifies a block of qcRound, itself extending a QC of parentRound,
// makes the grandparent committable once the vote's QC forms: the three
// certified blocks have consecutive rounds (the paper's b″.parent = b′ ∧
// b′.parent = b, with rounds as views).
func threeChain(blockRound, qcRound, parentRound int64) bool {
	return qcRound+1 == blockRound && parentRound+1 == qcRound
}

// twoChain is the planted bug two_chain_commit's rule: the QC's block
// commits as soon as its child is certified in the next round, as in
// DiemBFT, but without DiemBFT's voting and timeout rules that make it
// safe.
func twoChain(blockRound, qcRound int64) bool { return qcRound+1 == blockRound }
