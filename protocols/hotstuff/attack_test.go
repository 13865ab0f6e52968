package hotstuff

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// forkAttack builds the messages of a Byzantine leader's forking attack on
// n = 4, f = 1, replica0 Byzantine and leader of every round: B0 and B1
// are certified in rounds 0 and 1; replica1 alone receives B2, which
// carries QC1; replica2 receives a TC of round 1 and a fork B'2 that
// extends the genesis QC (a sibling of B0), certified with replicas 0, 2
// and 3, then B'3 on the fork, and B'4 carrying the 2-chain B'2, B'3, and
// B'5 carrying the 3-chain B'2, B'3, B'4. Each QC's commit state is the one
// correct voters sign under the rule in force (twoChain: the planted bug).
type forkAttack struct {
	t       *testing.T
	r       *Replica // any replica, for the keys
	twoPC   bool
	genesis *QC
}

func (a *forkAttack) key(id sim.NodeID) *keyring { return newKeyring(7, id, a.r.n, a.r.quorum, false) }

// qc certifies b (extending b.QC) with the votes of signers.
func (a *forkAttack) qc(b *Block, signers ...sim.NodeID) *QC {
	p := &b.QC.VoteInfo
	vi := VoteInfo{ID: b.ID, Round: b.Round, ParentID: p.ID, ParentRound: p.Round, GrandparentID: p.ParentID, GrandparentRound: p.ParentRound, ExecStateID: 1}
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	if (a.twoPC && twoChain(b.Round, p.Round)) || (!a.twoPC && threeChain(b.Round, p.Round, p.ParentRound)) {
		lci.CommitStateID = 1
	}
	var sigs []Signature
	for _, s := range signers {
		sigs = append(sigs, a.key(s).sign(lci.Hash()))
	}
	return &QC{VoteInfo: vi, LedgerCommitInfo: lci, Signatures: sigs, Author: 0, AuthorSignature: a.key(0).sign(qcSignaturesDigest(lci.Hash(), sigs))}
}

func (a *forkAttack) propose(round int64, qc *QC, tc *TC) *Proposal {
	b := newBlock(0, round, []*protocols.Request{req(9, uint64(round+1))}, qc)
	return &Proposal{Block: b, LastRoundTC: tc, HighCommitQC: a.genesis, Signature: a.key(0).sign(proposalDigest(b.ID))}
}

func (a *forkAttack) tc(round, highQCRound int64, signers ...sim.NodeID) *TC {
	tc := &TC{Round: round}
	for _, s := range signers {
		tc.HighQCRounds = append(tc.HighQCRounds, highQCRound)
		tc.Signatures = append(tc.Signatures, a.key(s).sign(timeoutDigest(round, highQCRound)))
	}
	return tc
}

func committedAt(r *Replica, height int64) protocols.Digest {
	if height < int64(len(r.ledger.Log()))+1 && height > 0 {
		return r.ledger.Log()[height-1]
	}
	return 0
}

// votedFor reports whether env holds a vote for block id.
func votedFor(env *fakeEnv, id protocols.Digest) bool {
	for _, s := range env.take() {
		if v, ok := s.msg.(*Vote); ok && v.VoteInfo.ID == id {
			return true
		}
	}
	return false
}

// TestForkAttack: under the 3-chain rule the Byzantine leader's fork
// commits only where nothing conflicting was committed; with the planted
// bug two_chain_commit (DiemBFT's 2-chain commit under HotStuff's voting
// rule) replica1 commits B0 from QC1 while replica2, whose lock (genesis)
// the fork extends, votes for the fork and commits B'2 at the same height.
// DiemBFT's voting rule would refuse B'2: its QC (round −1) is below the
// highest QC round its TC reports (0).
func TestForkAttack(t *testing.T) {
	for _, bug := range []bool{false, true} {
		params := protocols.Params{"bug_two_chain_commit": bug}
		lead0 := func(r *Replica) { r.SetLeaderTable(func(int64) sim.NodeID { return 0 }) }
		x, xenv := newTestReplicaSeeded(t, 1, 4, 1, params, lead0)
		y, yenv := newTestReplicaSeeded(t, 2, 4, 1, params, lead0)
		a := &forkAttack{t: t, r: x, twoPC: bug, genesis: x.genesisQC}

		p0 := a.propose(0, a.genesis, nil)
		qc0 := a.qc(p0.Block, 0, 1, 2)
		p1 := a.propose(1, qc0, nil)
		qc1 := a.qc(p1.Block, 0, 1, 2)
		p2 := a.propose(2, qc1, nil)
		for _, p := range []*Proposal{p0, p1, p2} {
			x.Deliver(0, p)
		}
		for _, p := range []*Proposal{p0, p1} {
			y.Deliver(0, p)
		}
		b0 := p0.Block.ID
		if got := committedAt(x, 1) == b0; got != bug {
			t.Fatalf("bug=%v: replica1 committed B0 from QC1: %v", bug, got)
		}

		// The fork, after a TC of round 1 (replicas 0, 2 and 3 report QC0).
		fork2 := a.propose(2, a.genesis, a.tc(1, 0, 0, 2, 3))
		yenv.take()
		y.Deliver(0, fork2)
		if !votedFor(yenv, fork2.Block.ID) {
			t.Fatalf("bug=%v: replica2, locked on genesis, did not vote for the fork", bug)
		}
		xenv.take()
		x.Deliver(0, fork2)
		if votedFor(xenv, fork2.Block.ID) {
			t.Errorf("bug=%v: replica1, locked on B0 by QC1, voted for the fork", bug)
		}
		qc2 := a.qc(fork2.Block, 0, 2, 3)
		fork3 := a.propose(3, qc2, nil)
		qc3 := a.qc(fork3.Block, 0, 2, 3)
		fork4 := a.propose(4, qc3, nil)
		qc4 := a.qc(fork4.Block, 0, 2, 3)
		fork5 := a.propose(5, qc4, nil)
		y.Deliver(0, fork3)
		y.Deliver(0, fork4)
		if got := committedAt(y, 1) == fork2.Block.ID; got != bug {
			t.Errorf("bug=%v: replica2 committed B'2 from the 2-chain QC3: %v", bug, got)
		}
		y.Deliver(0, fork5)
		if committedAt(y, 1) != fork2.Block.ID {
			t.Errorf("bug=%v: replica2 did not commit B'2 from the 3-chain QC4", bug)
		}
		conflict := committedAt(x, 1) != 0 && committedAt(x, 1) != committedAt(y, 1)
		if conflict != bug {
			t.Errorf("bug=%v: conflicting commits at height 1: %v (replica1 %x, replica2 %x)", bug, conflict, committedAt(x, 1), committedAt(y, 1))
		}
	}
}
