package diembft

import (
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// Election is the paper's LeaderElection module (chained.Election:
// round-robin, reputation, the "leader" attribute) with DiemBFT's commit
// rule deciding which QCs elect a leader by reputation. A replica holds
// it by value (Leader is read on every input: no pointer to follow).
type Election struct{ chained.Election }

func newElection(n int, roundsPerLeader int64, reputation bool, window, exclude int, seed uint64) *Election {
	return &Election{*chained.NewElection(n, roundsPerLeader, reputation, window, exclude, reputationSeed(seed))}
}

// reputationSeed is the reputation election's seed for the run seed.
func reputationSeed(seed uint64) uint64 { return sim.DeriveSeed(seed, "diembft-reputation") }

// updateLeaders is the paper's update_leaders, called (as in the paper and
// the reference) from process_certificate_qc for every QC the replica
// processes: when qc certifies a block that directly extends its parent (so
// qc commits the parent) and the replica is in the round after qc, the
// leader of the next round is chosen by reputation.
func (e *Election) updateLeaders(qc *QC, current int64, l *Ledger) {
	if !e.Reputation() {
		return
	}
	vi := &qc.VoteInfo
	if vi.ParentRound+1 != vi.Round || vi.Round+1 != current {
		return
	}
	id, ok := e.electReputationLeader(qc, l)
	e.SetElected(current+1, id, ok)
}

// electReputationLeader is chained.ElectByReputation over the committed
// chain of l, each QC naming the block it commits by its ParentID.
func (e *Election) electReputationLeader(qc *QC, l *Ledger) (sim.NodeID, bool) {
	return chained.ElectByReputation(&e.Election, qc, qc.VoteInfo.Round, chained.ChainKeys[*QC, *Block]{
		Committed: func(q *QC) *Block { return l.CommittedBlock(q.VoteInfo.ParentID) },
		Signers:   addSigners,
		Author:    func(b *Block) sim.NodeID { return b.Author },
		QC:        func(b *Block) *QC { return b.QC },
	})
}

// addSigners adds the signers of q to set.
func addSigners(q *QC, set chained.Bitset) {
	for _, s := range q.Signatures {
		set.Add(s.Signer)
	}
}
