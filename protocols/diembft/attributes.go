package diembft

import (
	"fmt"
	"math/rand/v2"
	"slices"

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
		r.elect.override(r.pm.Round+1, sim.NodeID(v))
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
	switch name {
	case "", BehaviourSilent, BehaviourEquivocate, BehaviourEquivocateAll, BehaviourDoubleVote:
	default:
		return fmt.Errorf("diembft: unknown behaviour %q", name)
	}
	r.behaviour = name
	r.silent = name == BehaviourSilent
	r.equivocate = name == BehaviourEquivocate || name == BehaviourEquivocateAll
	r.equivocateAll = name == BehaviourEquivocateAll
	r.safety.voteLT = r.s.bugs.VoteLT || r.equivocate || name == BehaviourDoubleVote
	return nil
}

// Behaviour returns the current Byzantine behaviour ("" when honest).
func (r *Replica) Behaviour() string { return r.behaviour }

// arbitraryRound draws a round around the current one.
func (r *Replica) arbitraryRound(rng *rand.Rand) int64 {
	return rng.Int64N(2*max(r.pm.Round, 0)+110) - 10
}

// Corrupt implements protocols.Replica: the named state takes arbitrary
// type-correct values (a transient fault). It neither sends nor schedules;
// a corrupted timer takes effect at the replica's next input.
func (r *Replica) Corrupt(rng *rand.Rand, scope []string) error {
	all := []string{ScopeCurrentRound, ScopeHighestVoteRound, ScopeHighestQCRound, ScopeHighQC, ScopePendingVotes, ScopeMempool, ScopeTimers}
	if len(scope) == 0 {
		scope = all
	}
	for _, s := range scope {
		if !slices.Contains(all, s) {
			return fmt.Errorf("diembft: unknown corruption scope %q", s)
		}
	}
	for _, s := range scope {
		switch s {
		case ScopeCurrentRound:
			r.pm.Round = r.arbitraryRound(rng)
		case ScopeHighestVoteRound:
			r.safety.HighestVoteRound = r.arbitraryRound(rng)
		case ScopeHighestQCRound:
			r.safety.HighestQCRound = r.arbitraryRound(rng)
		case ScopeHighQC:
			r.tree.highQC = r.arbitraryQC(rng)
		case ScopePendingVotes:
			r.corruptVotes(rng)
		case ScopeMempool:
			r.corruptMempool(rng)
		case ScopeTimers:
			r.pm.rearm = 1 + sim.Time(rng.Int64N(int64(2*r.s.roundTimer)))
		}
	}
	return nil
}

func (r *Replica) arbitrarySignatures(rng *rand.Rand, k int, d protocols.Digest) []Signature {
	sigs := make([]Signature, k)
	for i := range sigs {
		sigs[i] = Signature{Signer: sim.NodeID(rng.IntN(r.n)), Digest: d, tag: rng.Uint64()}
	}
	return sigs
}

func (r *Replica) arbitraryQC(rng *rand.Rand) *QC {
	round := r.arbitraryRound(rng)
	vi := VoteInfo{ID: protocols.Digest(rng.Uint64()), Round: round, ParentID: protocols.Digest(rng.Uint64()), ParentRound: round - 1 - rng.Int64N(3), ExecStateID: protocols.Digest(rng.Uint64())}
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	if rng.IntN(2) == 0 {
		lci.CommitStateID = protocols.Digest(rng.Uint64() | 1)
	}
	return &QC{VoteInfo: vi, LedgerCommitInfo: lci, Signatures: r.arbitrarySignatures(rng, r.quorum, lci.Hash()), Author: sim.NodeID(rng.IntN(r.n))}
}

// corruptVotes drops some pending vote sets and adds arbitrary ones.
func (r *Replica) corruptVotes(rng *rand.Rand) {
	keys := make([]protocols.Digest, 0, len(r.tree.votes))
	for k := range r.tree.votes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if rng.IntN(2) == 0 {
			delete(r.tree.votes, k)
		}
	}
	for range rng.IntN(4) {
		qc := r.arbitraryQC(rng)
		k := qc.LedgerCommitInfo.Hash()
		set := &voteSet{round: qc.VoteInfo.Round, info: qc.VoteInfo, lci: qc.LedgerCommitInfo, seen: newBitset(r.n)}
		for _, s := range qc.Signatures[:rng.IntN(len(qc.Signatures))] {
			if set.seen.add(s.Signer) {
				set.sigs = append(set.sigs, s)
			}
		}
		r.tree.votes[k] = set
	}
}

// corruptMempool forgets some pending requests and adds arbitrary ones.
func (r *Replica) corruptMempool(rng *rand.Rand) {
	m := r.mempool
	for pos := m.head; pos < len(m.queue); pos++ {
		if rng.IntN(4) == 0 {
			m.forget(pos)
		}
	}
	for range rng.IntN(8) {
		client := sim.NodeID(r.n + rng.IntN(max(r.cfg.Clients, 1)))
		m.add(&protocols.Request{Client: client, ID: rng.Uint64(), Op: protocols.OpAppend, Value: rng.Int64()})
	}
}

// State is the protocol-specific part of a snapshot, for Legitimate.
type State struct {
	Round          int64 // current round
	CommittedRound int64 // round of the last committed block
	Height         int64 // committed height
}

// Snapshot implements protocols.Replica. Log is the committed block ids in
// commit order (genesis excluded); it shares memory with the replica.
func (r *Replica) Snapshot() protocols.Snapshot {
	return protocols.Snapshot{
		Round: r.pm.Round,
		Log:   r.ledger.log,
		State: State{Round: r.pm.Round, CommittedRound: r.ledger.rootRound(), Height: r.ledger.height()},
	}
}

// Legitimate is DiemBFT's legitimacy predicate over the snapshots of the
// correct replicas: their rounds are within one of each other, their
// committed logs are prefix-consistent, and their committed heights are
// within two of each other (they commit together).
func Legitimate(n, f int, correct []protocols.Snapshot) bool {
	if len(correct) == 0 {
		return true
	}
	lo, hi := correct[0].Round, correct[0].Round
	longest := correct[0].Log
	minLen := len(longest)
	for _, s := range correct {
		lo, hi = min(lo, s.Round), max(hi, s.Round)
		if len(s.Log) > len(longest) {
			longest = s.Log
		}
		minLen = min(minLen, len(s.Log))
	}
	if hi-lo > 1 || len(longest)-minLen > 2 {
		return false
	}
	for _, s := range correct {
		if k := len(s.Log); k > 0 && s.Log[k-1] != longest[k-1] {
			return false
		}
	}
	return true
}
