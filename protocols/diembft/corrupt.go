package diembft

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// corruptScopes lists the scopes Corrupt accepts, in the order an empty
// scope applies them.
func corruptScopes() []protocols.Named {
	return []protocols.Named{
		{Name: ScopeCurrentRound, Doc: "the pacemaker's current round"},
		{Name: ScopeHighestVoteRound, Doc: "Safety.highest_vote_round"},
		{Name: ScopeHighestQCRound, Doc: "Safety.highest_qc_round"},
		{Name: ScopeHighQC, Doc: "Block-tree high_qc (an arbitrary certificate, of a known or an unknown block)"},
		{Name: ScopeHighCommitQC, Doc: "Block-tree high_commit_qc (an arbitrary certificate, of a known or an unknown block)"},
		{Name: ScopeLastRoundTC, Doc: "the pacemaker's last_round_tc (an arbitrary TC, or none)"},
		{Name: ScopePendingVotes, Doc: "Block-tree pending votes (arbitrary vote sets added, some dropped)"},
		{Name: ScopePendingTimeouts, Doc: "the pacemaker's pending timeouts (arbitrary ones added, some dropped)"},
		{Name: ScopeBlockTree, Doc: "the pending block tree (arbitrary blocks added, some pending blocks and certificates forgotten)"},
		{Name: ScopeMempool, Doc: "the mempool (arbitrary requests added, some forgotten)"},
		{Name: ScopeLeaders, Doc: "the leader table (arbitrary leaders for rounds around the current one)"},
		{Name: ScopeTimers, Doc: "the round timer (re-armed with an arbitrary duration at the next input)"},
	}
}

// arbitraryRound draws a round around the current one.
func (r *Replica) arbitraryRound(rng *rand.Rand) int64 {
	return rng.Int64N(2*max(r.pm.Round, 0)+110) - 10
}

// Corrupt implements protocols.Replica: the named state takes arbitrary
// type-correct values (a transient fault); an empty scope corrupts every
// scope. It neither sends nor schedules: a corrupted timer takes effect at
// the replica's next input. Certificates it makes up carry signatures that
// do not verify (a fault corrupts memory, it cannot forge keys).
func (r *Replica) Corrupt(rng *rand.Rand, scope []string) error {
	all := corruptScopes()
	if len(scope) == 0 {
		for _, s := range all {
			scope = append(scope, s.Name)
		}
	}
	for _, s := range scope {
		if !slices.ContainsFunc(all, func(n protocols.Named) bool { return n.Name == s }) {
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
		case ScopeHighCommitQC:
			r.tree.highCommitQC = r.arbitraryQC(rng)
		case ScopeLastRoundTC:
			r.pm.LastRoundTC = nil
			if rng.IntN(2) == 0 {
				r.pm.LastRoundTC = r.arbitraryTC(rng)
			}
		case ScopePendingVotes:
			r.corruptVotes(rng)
		case ScopePendingTimeouts:
			r.corruptTimeouts(rng)
		case ScopeBlockTree:
			r.corruptBlockTree(rng)
		case ScopeMempool:
			r.corruptMempool(rng)
		case ScopeLeaders:
			r.corruptLeaders(rng)
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

// arbitraryBlockRef returns the id and round of a block the QC made up
// certifies: half the time a block the replica knows (pending), else an
// unknown one.
func (r *Replica) arbitraryBlockRef(rng *rand.Rand) (protocols.Digest, int64) {
	if rng.IntN(2) == 0 {
		ids := r.pendingIDs()
		if len(ids) > 0 {
			b := r.ledger.Pending(ids[rng.IntN(len(ids))])
			return b.ID, b.Round
		}
	}
	return protocols.Digest(rng.Uint64()), r.arbitraryRound(rng)
}

// pendingIDs returns the ids of the pending blocks, sorted.
func (r *Replica) pendingIDs() []protocols.Digest { return r.ledger.PendingIDs() }

func (r *Replica) arbitraryQC(rng *rand.Rand) *QC {
	id, round := r.arbitraryBlockRef(rng)
	vi := VoteInfo{ID: id, Round: round, ParentID: protocols.Digest(rng.Uint64()), ParentRound: round - 1 - rng.Int64N(3), ExecStateID: protocols.Digest(rng.Uint64())}
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	if rng.IntN(2) == 0 {
		lci.CommitStateID = protocols.Digest(rng.Uint64() | 1)
	}
	return &QC{VoteInfo: vi, LedgerCommitInfo: lci, Signatures: r.arbitrarySignatures(rng, r.quorum, lci.Hash()), Author: sim.NodeID(rng.IntN(r.n))}
}

func (r *Replica) arbitraryTC(rng *rand.Rand) *TC {
	tc := &TC{Round: r.arbitraryRound(rng), HighQCRounds: make([]int64, r.quorum)}
	for i := range tc.HighQCRounds {
		tc.HighQCRounds[i] = r.arbitraryRound(rng)
	}
	tc.Signatures = r.arbitrarySignatures(rng, r.quorum, protocols.Digest(rng.Uint64()))
	return tc
}

func (r *Replica) arbitraryTimeoutInfo(rng *rand.Rand) *TimeoutInfo {
	qc := r.arbitraryQC(rng)
	round := r.arbitraryRound(rng)
	sender := sim.NodeID(rng.IntN(r.n))
	return &TimeoutInfo{Round: round, HighQC: qc, Sender: sender,
		Signature: Signature{Signer: sender, Digest: timeoutDigest(round, qc.VoteInfo.Round), tag: rng.Uint64()}}
}

// corruptVotes drops some pending vote sets and adds arbitrary ones.
func (r *Replica) corruptVotes(rng *rand.Rand) {
	chained.DropSome(rng, r.tree.votes, 2)
	r.tree.last = nil
	for range rng.IntN(4) {
		qc := r.arbitraryQC(rng)
		k := qc.LedgerCommitInfo.Hash()
		set := &voteSet{round: qc.VoteInfo.Round, info: qc.VoteInfo, lci: qc.LedgerCommitInfo, seen: newBitset(r.n)}
		// Fewer than Quorum(n, f) signatures: the set is not formed.
		for _, s := range qc.Signatures[:rng.IntN(len(qc.Signatures))] {
			if set.seen.Add(s.Signer) {
				set.sigs = append(set.sigs, s)
			}
		}
		r.tree.putVotes(k, set)
	}
}

// corruptTimeouts drops some pending timeout sets and adds arbitrary
// timeouts.
func (r *Replica) corruptTimeouts(rng *rand.Rand) {
	chained.DropSome(rng, r.pm.timeouts, 2)
	for range rng.IntN(4) {
		ti := r.arbitraryTimeoutInfo(rng)
		set := r.pm.timeouts[ti.Round]
		if set == nil {
			set = r.pm.newTimeoutSet(ti.Round, r.n)
		}
		// A corrupted set stays below a quorum (and below it after one
		// more timeout), so only received timeouts complete a TC.
		if set.seen.Add(ti.Sender) && len(set.infos) < r.quorum-1 {
			set.infos = append(set.infos, ti)
		}
	}
}

// corruptBlockTree forgets some pending blocks (never the committed root)
// and certificates, and adds arbitrary blocks extending pending ones.
func (r *Replica) corruptBlockTree(rng *rand.Rand) {
	l := r.ledger
	for _, id := range r.pendingIDs() {
		if s, _ := l.Spec(id); s != l.Root() && rng.IntN(3) == 0 {
			l.Forget(id)
		}
	}
	r.tree.certs.dropSome(rng, 3)
	for range rng.IntN(4) {
		ids := r.pendingIDs()
		parent, _ := l.Spec(ids[rng.IntN(len(ids))])
		qc := r.arbitraryQC(rng)
		qc.VoteInfo.ID, qc.VoteInfo.Round = parent.Block.ID, parent.Block.Round
		b := newBlock(sim.NodeID(rng.IntN(r.n)), r.arbitraryRound(rng), nil, qc)
		l.Speculate(parent.Block.ID, b)
	}
}

// corruptMempool forgets some pending requests and adds arbitrary ones.
func (r *Replica) corruptMempool(rng *rand.Rand) {
	m := r.mempool
	m.ForgetSome(rng, 4)
	for range rng.IntN(8) {
		m.Add(r.arbitraryRequest(rng))
	}
}

func (r *Replica) arbitraryRequest(rng *rand.Rand) *protocols.Request {
	client := sim.NodeID(r.n + rng.IntN(max(r.cfg.Clients, 1)))
	return &protocols.Request{Client: client, ID: rng.Uint64(), Op: protocols.OpAppend, Value: rng.Int64()}
}

// corruptLeaders sets arbitrary leaders for some rounds around the current
// one.
func (r *Replica) corruptLeaders(rng *rand.Rand) {
	for range 1 + rng.IntN(8) {
		r.elect.Override(r.arbitraryRound(rng), sim.NodeID(rng.IntN(r.n)))
	}
}

var _ protocols.MessageForger = (*Replica)(nil)

// ArbitraryMessage implements protocols.MessageForger: a message of the
// given kind ("" for any) with arbitrary fields, as sent by this replica.
// Its certificates carry signatures that do not verify.
func (r *Replica) ArbitraryMessage(rng *rand.Rand, kind string) sim.Message {
	if kind == "" {
		kinds := []string{KindProposal, KindVote, KindTimeout, KindSyncRequest, KindSyncResponse}
		kind = kinds[rng.IntN(len(kinds))]
	}
	switch kind {
	case KindProposal:
		var payload []*protocols.Request
		for range rng.IntN(r.s.blockSize + 1) {
			payload = append(payload, r.arbitraryRequest(rng))
		}
		b := newBlock(r.id, r.arbitraryRound(rng), payload, r.arbitraryQC(rng))
		p := &Proposal{Block: b, HighCommitQC: r.arbitraryQC(rng), Signature: Signature{Signer: r.id, Digest: proposalDigest(b.ID), tag: rng.Uint64()}}
		if rng.IntN(2) == 0 {
			p.LastRoundTC = r.arbitraryTC(rng)
		}
		return p
	case KindVote:
		qc := r.arbitraryQC(rng)
		return &Vote{VoteInfo: qc.VoteInfo, LedgerCommitInfo: qc.LedgerCommitInfo, HighCommitQC: r.arbitraryQC(rng), Sender: r.id,
			Signature: Signature{Signer: r.id, Digest: qc.LedgerCommitInfo.Hash(), tag: rng.Uint64()}}
	case KindTimeout:
		t := &Timeout{Info: *r.arbitraryTimeoutInfo(rng), HighCommitQC: r.arbitraryQC(rng)}
		if rng.IntN(2) == 0 {
			t.LastRoundTC = r.arbitraryTC(rng)
		}
		return t
	case KindSyncRequest:
		return &SyncRequest{Target: protocols.Digest(rng.Uint64()), TargetRound: r.arbitraryRound(rng), CommittedHeight: rng.Int64N(r.ledger.Height() + 10), Sender: r.id}
	case KindSyncResponse:
		resp := &SyncResponse{Target: protocols.Digest(rng.Uint64())}
		for range rng.IntN(3) {
			resp.Blocks = append(resp.Blocks, newBlock(sim.NodeID(rng.IntN(r.n)), r.arbitraryRound(rng), nil, r.arbitraryQC(rng)))
		}
		return resp
	}
	return nil
}
