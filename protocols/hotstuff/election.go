package hotstuff

import (
	"github.com/byzsim/byzsim/sim"
)

// Election is the paper's LeaderElection module: round-robin with
// roundsPerLeader consecutive rounds per leader, optionally overridden by
// the reputation scheme, and by the "leader" attribute (a fault).
//
// Invariants: the leader of a round is a function of the run seed, the
// round and the committed chain, so correct replicas that committed the
// same blocks agree; it never reads a process-global random source.
type Election struct {
	n               int
	roundsPerLeader int64
	reputation      bool
	windowSize      int
	excludeSize     int
	seed            uint64
	// leaders holds reputation-based leaders and attribute overrides by round.
	leaders map[int64]sim.NodeID
	// table, when set, replaces round-robin (Twins scenarios fix the leader
	// of every round); reputation and attribute overrides still apply.
	table func(round int64) sim.NodeID
}

func newElection(n int, roundsPerLeader int64, reputation bool, window, exclude int, seed uint64) *Election {
	return &Election{
		n: n, roundsPerLeader: roundsPerLeader, reputation: reputation,
		windowSize: window, excludeSize: exclude,
		seed:    sim.DeriveSeed(seed, "hotstuff-reputation"),
		leaders: make(map[int64]sim.NodeID),
	}
}

// roundRobin is validators[⌊round / roundsPerLeader⌋ mod n].
func (e *Election) roundRobin(round int64) sim.NodeID {
	k := round / e.roundsPerLeader
	if round < 0 && round%e.roundsPerLeader != 0 {
		k--
	}
	i := k % int64(e.n)
	if i < 0 {
		i += int64(e.n)
	}
	return sim.NodeID(i)
}

// leader returns the leader of round.
func (e *Election) leader(round int64) sim.NodeID {
	if l, ok := e.leaders[round]; ok {
		return l
	}
	if e.table != nil {
		return e.table(round)
	}
	return e.roundRobin(round)
}

// override sets the leader of round (the "leader" attribute).
func (e *Election) override(round int64, id sim.NodeID) { e.leaders[round] = id }

// updateLeaders is the paper's update_leaders, called (as in the paper and
// the reference) from process_certificate_qc for every QC the replica
// processes: when qc certifies a block that ends a 3-chain of consecutive
// rounds (so qc commits the grandparent) and the replica is in the round
// after qc, the leader of the next round is chosen by reputation.
func (e *Election) updateLeaders(qc *QC, current int64, l *Ledger) {
	if !e.reputation {
		return
	}
	vi := &qc.VoteInfo
	if !threeChain(vi.Round, vi.ParentRound, vi.GrandparentRound) || vi.Round+1 != current {
		return
	}
	if id, ok := e.electReputationLeader(qc, l); ok {
		e.leaders[current+1] = id
	} else {
		// No candidate: round-robin (or the table) applies, as in the
		// reference, which stores ⊥ and so also undoes a "leader" override.
		delete(e.leaders, current+1)
	}
}

// electReputationLeader picks, with a draw seeded by (run seed, qc round),
// one of the validators that signed the QCs of the last windowSize
// committed blocks, excluding the authors of the last excludeSize committed
// blocks.
func (e *Election) electReputationLeader(qc *QC, l *Ledger) (sim.NodeID, bool) {
	active, excluded := newBitset(e.n), newBitset(e.n)
	nExcluded := 0
	cur := qc
	for i := 0; cur != nil && (i < e.windowSize || nExcluded < e.excludeSize); i++ {
		b := l.CommittedBlock(cur.VoteInfo.GrandparentID)
		if b == nil || b.Author < 0 {
			break // not committed here, or genesis
		}
		if i < e.windowSize {
			for _, s := range cur.Signatures {
				active.Add(s.Signer)
			}
		}
		if nExcluded < e.excludeSize && excluded.Add(b.Author) {
			nExcluded++
		}
		cur = b.QC
	}
	var cands []sim.NodeID
	for id := range e.n {
		w, m := id/64, uint64(1)<<(id%64)
		if active[w]&m != 0 && excluded[w]&m == 0 {
			cands = append(cands, sim.NodeID(id))
		}
	}
	if len(cands) == 0 {
		return sim.None, false
	}
	pick := mix(e.seed^uint64(qc.VoteInfo.Round)) % uint64(len(cands))
	return cands[pick], true
}

// prune drops the leaders of rounds below round.
func (e *Election) prune(round int64) {
	if len(e.leaders) < 64 {
		return
	}
	for r := range e.leaders {
		if r < round {
			delete(e.leaders, r)
		}
	}
}
