package diembft

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// SetAttribute implements protocols.Replica (the SetAttribute fault). It
// only changes state: it may run inside the sender's send, so it neither
// sends nor schedules.
func (r *Replica) SetAttribute(name string, v int64) error {
	switch name {
	case AttrCurrentRound:
		r.pm.Round = v
	case AttrLeader:
		if v < 0 || v >= int64(r.n) {
			return fmt.Errorf("diembft: attribute leader: replica%d is not one of the %d replicas", v, r.n)
		}
		r.elect.Override(r.pm.Round+1, sim.NodeID(v))
	case AttrHighestVoteRound, AttrLastVoteRound:
		r.safety.HighestVoteRound = v
	case AttrHighestQCRound:
		r.safety.HighestQCRound = v
	default:
		return fmt.Errorf("diembft: unknown attribute %q", name)
	}
	return nil
}

// SetBehaviour implements protocols.Replica.
func (r *Replica) SetBehaviour(name string) error {
	if err := r.s.behaviours().Set(&r.conduct, name); err != nil {
		return err
	}
	r.safety.voteLT = r.s.bugs.VoteLT || r.conduct.S.votesTwice()
	return nil
}

// Behaviour returns the current Byzantine behaviour ("" when honest).
func (r *Replica) Behaviour() string { return r.conduct.Name() }

// State is the protocol-specific part of a snapshot, for Legitimate.
type State struct {
	Round          int64 // current round
	CommittedRound int64 // round of the last committed block
	Height         int64 // committed height
	// HighestVoteRound and HighestQCRound are Safety's rounds.
	HighestVoteRound, HighestQCRound int64
	// HighQCRound is the round of the high QC; HighQCKnown says its block
	// is known (pending, or at or below the committed root).
	HighQCRound int64
	HighQCKnown bool
	// TimerArmed says the round timer runs.
	TimerArmed bool
}

// Snapshot implements protocols.Replica. Log is the committed block ids in
// commit order (genesis excluded); it shares memory with the replica.
func (r *Replica) Snapshot() protocols.Snapshot {
	hqc := r.tree.highQC
	return protocols.Snapshot{
		Round: r.pm.Round,
		Log:   r.ledger.Log(),
		State: State{Round: r.pm.Round, CommittedRound: r.ledger.RootRound(), Height: r.ledger.Height(),
			HighestVoteRound: r.safety.HighestVoteRound, HighestQCRound: r.safety.HighestQCRound,
			HighQCRound: hqc.VoteInfo.Round, HighQCKnown: r.ready(hqc),
			TimerArmed: r.pm.timer != 0 || r.pm.rearm > 0},
	}
}

// Legitimate is DiemBFT's legitimacy predicate over the snapshots of the
// correct replicas: each one's own state is one a correct execution
// reaches — it has not voted, certified or timed out beyond its current
// round (highest_vote_round ≤ round, highest_qc_round and the high QC's
// round below it), knows the block of its high QC and has its round timer
// running; their rounds are within one of each other; their committed
// logs are prefix-consistent and their committed heights within two of
// each other (they commit together). That they commit again is the
// convergence checker's part: client requests must complete.
func Legitimate(n, f int, correct []protocols.Snapshot) bool {
	if len(correct) == 0 {
		return true
	}
	lo, hi := correct[0].Round, correct[0].Round
	longest := correct[0].Log
	minLen := len(longest)
	for _, s := range correct {
		st, ok := s.State.(State)
		if !ok || st.HighestVoteRound > st.Round || st.HighestQCRound >= st.Round ||
			st.HighQCRound >= st.Round || !st.HighQCKnown || !st.TimerArmed {
			return false
		}
		lo, hi = min(lo, s.Round), max(hi, s.Round)
		if len(s.Log) > len(longest) {
			longest = s.Log
		}
		minLen = min(minLen, len(s.Log))
	}
	if hi-lo > 1 || len(longest)-minLen > 2 {
		return false
	}
	// Block ids chain (an id covers its parent's through the QC), so equal
	// last entries mean equal prefixes.
	for _, s := range correct {
		if k := len(s.Log); k > 0 && s.Log[k-1] != longest[k-1] {
			return false
		}
	}
	return true
}
