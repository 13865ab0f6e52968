package diembft

// Safety is the paper's Safety module: the two persistent rounds a replica
// must never roll back, and the voting and timeout rules.
//
// Invariants: highestVoteRound and highestQCRound only grow (except through
// SetAttribute and Corrupt, which model faults).
type Safety struct {
	// HighestVoteRound is the highest round voted or timed out in.
	HighestVoteRound int64
	// HighestQCRound is the highest round of a QC a voted block extended.
	HighestQCRound int64
	// voteLT is the planted bug "safe_to_vote with < instead of ≤".
	voteLT bool
}

func consecutive(blockRound, round int64) bool { return round+1 == blockRound }

// safeToExtend: the block extends a TC of the previous round, and its QC is
// at least as high as every high QC in the TC.
func (s *Safety) safeToExtend(blockRound, qcRound int64, tc *TC) bool {
	return tc != nil && consecutive(blockRound, tc.Round) && qcRound >= tc.MaxHighQCRound()
}

// safeToVote: the block's round is above the highest voted round and its
// QC's round, and it extends either its QC's round or a TC of the previous
// round.
func (s *Safety) safeToVote(blockRound, qcRound int64, tc *TC) bool {
	bound := max(s.HighestVoteRound, qcRound)
	if s.voteLT {
		if blockRound < bound {
			return false
		}
	} else if blockRound <= bound {
		return false
	}
	return consecutive(blockRound, qcRound) || s.safeToExtend(blockRound, qcRound, tc)
}

// safeToTimeout: the high QC is not below the highest QC round voted on,
// the round is not below the highest voted round nor at or below the high
// QC, and the round follows the high QC or the last TC.
func (s *Safety) safeToTimeout(round, qcRound int64, tc *TC) bool {
	if qcRound < s.HighestQCRound || round <= max(s.HighestVoteRound-1, qcRound) {
		return false
	}
	return consecutive(round, qcRound) || (tc != nil && consecutive(round, tc.Round))
}

// voted records a vote in round extending a QC of qcRound.
func (s *Safety) voted(round, qcRound int64) {
	s.HighestQCRound = max(s.HighestQCRound, qcRound)
	s.HighestVoteRound = max(s.HighestVoteRound, round)
}

// timedOut records a timeout in round: no vote in it any more.
func (s *Safety) timedOut(round int64) {
	s.HighestVoteRound = max(s.HighestVoteRound, round)
}

// commitStateCandidate reports whether a vote for a block of blockRound
// extending a QC of qcRound makes the QC's block committable (2-chain).
func commitStateCandidate(blockRound, qcRound int64) bool {
	return consecutive(blockRound, qcRound)
}
