package diembft

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// TestForgedVotesDoNotCount: with a quorum minus one valid votes for round
// 0's block, a forged last vote (signed with another replica's key, over
// another digest, by a signer that is not the sender, over other vote info,
// or not signed) forms
// no QC; the genuine vote of the same replica then does.
func TestForgedVotesDoNotCount(t *testing.T) {
	const n, f = 4, 1
	forgeries := []struct {
		name  string
		forge func(r *Replica, v *Vote) *Vote
	}{
		{"another replica's key", func(r *Replica, v *Vote) *Vote {
			s := newKeyring(7, 3, n, r.quorum, false).sign(v.LedgerCommitInfo.Hash())
			s.Signer = 0
			return &Vote{VoteInfo: v.VoteInfo, LedgerCommitInfo: v.LedgerCommitInfo, HighCommitQC: v.HighCommitQC, Sender: 0, Signature: s}
		}},
		{"another digest", func(r *Replica, v *Vote) *Vote {
			d := v.LedgerCommitInfo.Hash()
			s := newKeyring(7, 0, n, r.quorum, false).sign(d + 1)
			s.Digest = d
			return &Vote{VoteInfo: v.VoteInfo, LedgerCommitInfo: v.LedgerCommitInfo, HighCommitQC: v.HighCommitQC, Sender: 0, Signature: s}
		}},
		{"signer is not the sender", func(r *Replica, v *Vote) *Vote {
			w := voteAs(r, v, 3)
			w.Sender = 0
			return w
		}},
		{"vote info not the one signed", func(r *Replica, v *Vote) *Vote {
			w := voteAs(r, v, 0)
			w.VoteInfo.ExecStateID++
			return w
		}},
		{"unsigned", func(r *Replica, v *Vote) *Vote {
			return &Vote{VoteInfo: v.VoteInfo, LedgerCommitInfo: v.LedgerCommitInfo, HighCommitQC: v.HighCommitQC, Sender: 0,
				Signature: Signature{Signer: 0, Digest: v.LedgerCommitInfo.Hash()}}
		}},
	}
	for _, tc := range forgeries {
		t.Run(tc.name, func(t *testing.T) {
			r, env := newTestReplica(t, 1, n, f, protocols.Params{"rounds_per_leader": int64(1)})
			v := roundZeroVote(t, n, f, r, env)
			for _, j := range []sim.NodeID{3, 2} {
				r.Deliver(j, voteAs(r, v, j))
			}
			forged := tc.forge(r, v)
			if _, ok := r.checkVote(forged); ok {
				t.Error("checkVote accepts the forged vote")
			}
			r.Deliver(0, forged)
			if r.Round() != 0 || r.HighQC().VoteInfo.Round != -1 {
				t.Fatalf("the forged vote completed a QC: round %d, high QC round %d", r.Round(), r.HighQC().VoteInfo.Round)
			}
			r.Deliver(0, voteAs(r, v, 0))
			if r.Round() != 1 || r.HighQC().VoteInfo.Round != 0 {
				t.Fatalf("the genuine vote formed no QC: round %d, high QC round %d", r.Round(), r.HighQC().VoteInfo.Round)
			}
		})
	}
}

// TestCommitStateNeedsConsecutiveRounds: a vote carries a commit state (the
// 2-chain commit rule) only for a block whose QC is of the round just
// before; a block extending an older QC through a TC votes without one.
func TestCommitStateNeedsConsecutiveRounds(t *testing.T) {
	for _, tc := range []struct {
		name       string
		round      int64
		tc         *TC
		wantCommit bool
	}{
		{"QC of the previous round", 0, nil, true},
		{"QC two rounds back, through a TC", 1, &TC{Round: 0, HighQCRounds: []int64{-1, -1, -1}}, false},
		{"QC three rounds back, through a TC", 2, &TC{Round: 1, HighQCRounds: []int64{-1, -1, -1}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 4, 1, nil)
			b := newBlock(0, tc.round, nil, r.genesisQC)
			v := r.makeVote(b, tc.tc, insertedStates{})
			if v == nil {
				t.Fatal("no vote")
			}
			if got := v.LedgerCommitInfo.CommitStateID != 0; got != tc.wantCommit {
				t.Errorf("vote for round %d over the genesis QC (round -1): commit state %v, want %v", tc.round, got, tc.wantCommit)
			}
		})
	}
}

// TestSyncRejectsUncertifiedBlocks: a sync response whose second block
// carries a QC that does not verify (too few signers, a forged signature,
// a wrong author signature) inserts the first block and neither inserts
// nor certifies the second.
func TestSyncRejectsUncertifiedBlocks(t *testing.T) {
	const n, f = 4, 1
	for _, tc := range []struct {
		name  string
		forge func(qc *QC)
	}{
		{"too few signers", func(qc *QC) { qc.Signatures = qc.Signatures[:2] }},
		{"forged signature", func(qc *QC) { qc.Signatures[1].tag++ }},
		{"duplicate signer", func(qc *QC) { qc.Signatures[2] = qc.Signatures[0] }},
		{"wrong author signature", func(qc *QC) { qc.AuthorSignature.tag++ }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, n, f, nil)
			b0, qc := roundZeroQC(r)
			tc.forge(qc)
			b1 := newBlock(0, 1, nil, qc)
			r.syncing = true
			r.sync = syncer{target: b1.ID, targetRound: 1, peers: []sim.NodeID{2}, asked: 2}
			r.Deliver(2, &SyncResponse{Target: b1.ID, Blocks: []*Block{b0, b1}})
			if !r.ledger.Known(b0.ID) {
				t.Fatal("the block with a valid QC was not inserted")
			}
			if r.ledger.Known(b1.ID) {
				t.Error("the block whose QC does not verify was inserted")
			}
			if _, ok := r.tree.certs.get(b0.ID); ok {
				t.Error("the QC that does not verify certified its block")
			}
		})
	}
}

// TestSafetyRoundsGrow: voted and timedOut raise the two persistent rounds
// and never lower them, and what they recorded is what the rules then
// refuse: a second vote in the round, and a timeout whose high QC is below
// the QC a vote extended.
func TestSafetyRoundsGrow(t *testing.T) {
	for _, tc := range []struct {
		name               string
		do                 func(s *Safety)
		wantVote, wantQC   int64
		voteAgain, timeout bool // safeToVote(5, 4) and safeToTimeout(6, 3) afterwards
	}{
		{"vote in 5 over a QC of 4", func(s *Safety) { s.voted(5, 4) }, 5, 4, false, false},
		{"vote in 3 over a QC of 2", func(s *Safety) { s.voted(3, 2) }, 3, 2, true, true},
		{"vote in 5 after a vote in 7", func(s *Safety) { s.voted(7, 6); s.voted(5, 4) }, 7, 6, false, false},
		{"timeout in 5", func(s *Safety) { s.timedOut(5) }, 5, -2, false, true},
		{"timeout in 2 after a vote in 5", func(s *Safety) { s.voted(5, 4); s.timedOut(2) }, 5, 4, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Safety{HighestVoteRound: -1, HighestQCRound: -2}
			tc.do(&s)
			if s.HighestVoteRound != tc.wantVote || s.HighestQCRound != tc.wantQC {
				t.Errorf("rounds (vote %d, QC %d), want (%d, %d)", s.HighestVoteRound, s.HighestQCRound, tc.wantVote, tc.wantQC)
			}
			if got := s.safeToVote(5, 4, nil); got != tc.voteAgain {
				t.Errorf("safeToVote(5, 4) = %v, want %v", got, tc.voteAgain)
			}
			if got := s.safeToTimeout(6, 3, &TC{Round: 5, HighQCRounds: []int64{3}}); got != tc.timeout {
				t.Errorf("safeToTimeout(6, 3) = %v, want %v", got, tc.timeout)
			}
		})
	}
}

// TestFormedTCVerifies: a TC a replica forms from a quorum of timeouts
// carries each sender's signature over (round, its high QC round), so that
// a replica that did not form it can verify it signer by signer.
func TestFormedTCVerifies(t *testing.T) {
	const n, f = 4, 1
	r, _ := newTestReplica(t, 3, n, f, nil)
	for j := range sim.NodeID(r.quorum) {
		r.Deliver(j, timeoutFrom(r, j, 0))
	}
	tc := r.pm.LastRoundTC
	if tc == nil || len(tc.Signatures) != r.quorum || len(tc.HighQCRounds) != r.quorum {
		t.Fatalf("TC %v, want one of %d timeouts", tc, r.quorum)
	}
	for i, s := range tc.Signatures {
		if int(s.Signer) != i || !r.keys.verify(s, timeoutDigest(tc.Round, tc.HighQCRounds[i])) {
			t.Errorf("signature %d (signer %d) does not verify over (round %d, high QC round %d)", i, s.Signer, tc.Round, tc.HighQCRounds[i])
		}
	}
}

// TestTimeoutWindow: timeouts count from the current round up to
// future_rounds ahead, and not beyond: f+1 timeouts of round
// future_rounds make the replica time out, of round future_rounds+1 not.
func TestTimeoutWindow(t *testing.T) {
	const n, f = 4, 1
	for _, ahead := range []int64{1, 2, 3} {
		for _, beyond := range []bool{false, true} {
			params := protocols.Params{"future_rounds": ahead}
			r, env := newTestReplica(t, 3, n, f, params)
			env.take()
			round := ahead
			if beyond {
				round++
			}
			for j := range sim.NodeID(f + 1) {
				r.Deliver(j, timeoutFrom(r, j, round))
			}
			_, counted := r.pm.timeouts[round]
			timedOut := env.broadcasts(KindTimeout) > 0
			if counted == beyond || timedOut == beyond {
				t.Errorf("future_rounds %d, f+1 timeouts of round %d: counted %v, timed out %v; want %v", ahead, round, counted, timedOut, !beyond)
			}
		}
	}
}

// TestValidQCEdges: no QC is invalid (a Byzantine message may carry none)
// without a panic; the genesis QC, or an equal copy of it, is valid with no
// signatures, also once the replica pruned its certificates past it.
func TestValidQCEdges(t *testing.T) {
	r, _ := newTestReplica(t, 1, 4, 1, nil)
	if r.validQC(nil) {
		t.Error("a nil QC is valid")
	}
	cp := *r.genesisQC
	for _, pruned := range []bool{false, true} {
		if pruned {
			r.tree.pruneCertified(10)
		}
		if !r.validQC(r.genesisQC) || !r.validQC(&cp) {
			t.Errorf("pruned %v: the genesis QC is not valid", pruned)
		}
	}
}

// roundZeroQC returns a round-0 block over the genesis QC and a QC of a
// quorum of signers (replicas 0, 1, …) for it, authored by replica 0.
func roundZeroQC(r *Replica) (*Block, *QC) {
	b0 := newBlock(0, 0, nil, r.genesisQC)
	exec := chained.StateAfter(r.ledger.Root().State, (&Block{}).payloadDigest())
	vi := VoteInfo{ID: b0.ID, Round: 0, ParentID: r.genesisQC.VoteInfo.ID, ParentRound: -1, ExecStateID: exec}
	signers := make([]sim.NodeID, r.quorum)
	for j := range signers {
		signers[j] = sim.NodeID(j)
	}
	return b0, signedQC(r, vi, signers)
}

// signedQC returns a QC for vi signed by signers, authored by replica 0.
func signedQC(r *Replica, vi VoteInfo, signers []sim.NodeID) *QC {
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	d := lci.Hash()
	var sigs []Signature
	for _, j := range signers {
		sigs = append(sigs, newKeyring(7, j, r.n, r.quorum, false).sign(d))
	}
	return &QC{VoteInfo: vi, LedgerCommitInfo: lci, Signatures: sigs, Author: 0,
		AuthorSignature: newKeyring(7, 0, r.n, r.quorum, false).sign(qcSignaturesDigest(d, sigs))}
}

// TestQCVerification: a QC verifies with a quorum to n distinct members'
// signatures over its commit info, whose vote-info hash matches its vote
// info, whose parent round is below its round and whose author signed its
// signatures; any one of these broken, it does not.
func TestQCVerification(t *testing.T) {
	const n, f = 4, 1
	ids := func(js ...int) []sim.NodeID {
		out := make([]sim.NodeID, len(js))
		for i, j := range js {
			out[i] = sim.NodeID(j)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		signers []sim.NodeID
		vi      func(vi *VoteInfo)
		after   func(qc *QC)
		valid   bool
	}{
		{"quorum", ids(0, 1, 2), nil, nil, true},
		{"all n", ids(3, 2, 1, 0), nil, nil, true},
		{"quorum − 1", ids(0, 1), nil, nil, false},
		{"duplicate signer", ids(0, 1, 1), nil, nil, false},
		{"n+1 with a duplicate", ids(0, 1, 2, 3, 3), nil, nil, false},
		{"non-member signer", ids(0, 1, 4), nil, nil, false},
		{"parent round = round", ids(0, 1, 2), func(vi *VoteInfo) { vi.ParentRound = vi.Round }, nil, false},
		{"vote info not the one signed", ids(0, 1, 2), nil, func(qc *QC) { qc.VoteInfo.Round = 7 }, false},
		{"commit info not the one signed", ids(0, 1, 2), nil, func(qc *QC) { qc.LedgerCommitInfo.CommitStateID = 9 }, false},
		{"author signature over other signatures", ids(0, 1, 2), nil, func(qc *QC) { qc.AuthorSignature.tag++ }, false},
		{"author is not the author signer", ids(0, 1, 2), nil, func(qc *QC) { qc.Author = 2 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, n, f, nil)
			_, qc := roundZeroQC(r)
			vi := qc.VoteInfo
			if tc.vi != nil {
				tc.vi(&vi)
			}
			qc = signedQC(r, vi, tc.signers)
			if tc.after != nil {
				tc.after(qc)
			}
			if got := r.validQC(qc); got != tc.valid {
				t.Errorf("validQC = %v, want %v", got, tc.valid)
			}
		})
	}
}

// TestValidQCOfCertifiedBlock: once a block is certified, its QC and an
// equal copy verify without charging a signature check again, and a QC
// for the same block id with other vote or commit info (no valid
// signatures) does not verify.
func TestValidQCOfCertifiedBlock(t *testing.T) {
	r, err := New(protocols.Config{ID: 1, N: 4, F: 1, Costs: protocols.DefaultCosts(), Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	env := newFakeEnv(1, 4)
	r.Start(env)
	_, qc := roundZeroQC(r)
	if !r.validQC(qc) {
		t.Fatal("the QC does not verify")
	}
	r.processCertificateQC(qc)
	if _, ok := r.tree.certs.get(qc.VoteInfo.ID); !ok {
		t.Fatal("the QC did not certify its block")
	}
	cp := *qc
	cp.memo = 0
	before := env.now
	if !r.validQC(qc) || !r.validQC(&cp) {
		t.Error("the certified QC or its copy does not verify")
	}
	if env.now != before {
		t.Errorf("re-verifying a known QC charged %v", env.now-before)
	}
	for name, forge := range map[string]func(q *QC){
		"commit state": func(q *QC) { q.LedgerCommitInfo.CommitStateID = 42 },
		"round":        func(q *QC) { q.VoteInfo.Round = 3; q.LedgerCommitInfo.VoteInfoHash = q.VoteInfo.Hash() },
		"parent":       func(q *QC) { q.VoteInfo.ParentRound = -5; q.LedgerCommitInfo.VoteInfoHash = q.VoteInfo.Hash() },
	} {
		f := *qc
		f.memo = 0
		f.Signatures = nil
		forge(&f)
		if r.validQC(&f) {
			t.Errorf("a QC of the certified block with another %s and no signatures verifies", name)
		}
	}
}

// voteFor returns sender's signed vote for vi carrying the high commit QC.
func voteFor(r *Replica, vi VoteInfo, hcqc *QC, sender sim.NodeID) *Vote {
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	return &Vote{VoteInfo: vi, LedgerCommitInfo: lci, HighCommitQC: hcqc, Sender: sender,
		Signature: newKeyring(7, sender, r.n, r.quorum, false).sign(lci.Hash())}
}

// TestVoteWindow: in round 5, a replica counts votes from round 4 to round
// 5 + future_rounds and ignores older and later ones.
func TestVoteWindow(t *testing.T) {
	const future = 2
	for _, tc := range []struct {
		round   int64
		counted bool
	}{{3, false}, {4, true}, {5, true}, {5 + future, true}, {6 + future, false}, {100, false}} {
		r, _ := newTestReplica(t, 1, 4, 1, protocols.Params{"future_rounds": int64(future)})
		r.pm.Round = 5
		vi := VoteInfo{ID: 1000 + protocols.Digest(tc.round), Round: tc.round, ParentID: 77, ParentRound: tc.round - 1}
		v := voteFor(r, vi, r.genesisQC, 2)
		r.Deliver(2, v)
		if _, got := r.tree.votes[v.LedgerCommitInfo.Hash()]; got != tc.counted {
			t.Errorf("vote of round %d in round 5: counted %v, want %v", tc.round, got, tc.counted)
		}
	}
}

// TestVoteWithUnknownCommitQC: a vote whose high commit QC certifies a
// block the replica does not have is not counted yet: it is kept until a
// sync, which starts towards that block; a vote whose high commit QC is
// for a known block updates the replica's certificates.
func TestVoteWithUnknownCommitQC(t *testing.T) {
	r, _ := newTestReplica(t, 1, 4, 1, nil)
	b0, qc := roundZeroQC(r)
	vi := VoteInfo{ID: 555, Round: 1, ParentID: b0.ID, ParentRound: 0}
	v := voteFor(r, vi, qc, 2)
	r.Deliver(2, v)
	if _, counted := r.tree.votes[v.LedgerCommitInfo.Hash()]; counted {
		t.Error("a vote whose high commit QC is for an unknown block was counted")
	}
	if !r.syncing || r.sync.target != b0.ID || len(r.sync.buffer) != 1 || r.sync.buffer[0].msg != sim.Message(v) {
		t.Errorf("sync active %v towards %v with %d deferred; want a sync towards %v holding the vote", r.syncing, r.sync.target, len(r.sync.buffer), b0.ID)
	}

	r, _ = newTestReplica(t, 1, 4, 1, nil)
	b0, qc = roundZeroQC(r)
	if !r.executeAndInsert(b0) {
		t.Fatal("round-0 block not inserted")
	}
	r.Deliver(2, voteFor(r, vi, qc, 2))
	if _, ok := r.tree.certs.get(b0.ID); !ok || r.HighQC().VoteInfo.Round != 0 {
		t.Errorf("the vote's high commit QC did not certify its known block (high QC round %d)", r.HighQC().VoteInfo.Round)
	}
}

// TestProcessQCCertifiesOnce: a QC certifies its block once (one Certified
// observation however often it arrives), and a QC at or below the
// committed root's round certifies nothing.
func TestProcessQCCertifiesOnce(t *testing.T) {
	certified := func(env *fakeEnv) int {
		k := 0
		for _, o := range env.obs {
			if _, ok := o.(protocols.Certified); ok {
				k++
			}
		}
		return k
	}
	r, env := newTestReplica(t, 1, 4, 1, nil)
	b0, qc := roundZeroQC(r)
	if !r.executeAndInsert(b0) {
		t.Fatal("round-0 block not inserted")
	}
	before := certified(env)
	r.processQC(qc)
	cp := *qc
	r.processQC(&cp)
	r.processQC(qc)
	if got := certified(env) - before; got != 1 {
		t.Errorf("%d Certified observations for one QC processed three times, want 1", got)
	}
	if got, _ := r.tree.certs.get(b0.ID); got != qc {
		t.Error("a later copy replaced the certifying QC")
	}
	old := *r.genesisQC
	old.VoteInfo.ID = 999 // a block at the root's round, not the root
	r.processQC(&old)
	if _, ok := r.tree.certs.get(999); ok || certified(env)-before != 1 {
		t.Error("a QC at the committed root's round certified its block")
	}
}

// TestSyncResponseOnlyFromAskedPeer: a sync response is applied only while
// a sync is under way, from the peer last asked, for the current target.
func TestSyncResponseOnlyFromAskedPeer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		active  bool
		from    sim.NodeID
		other   bool // the response is for another target
		applied bool
	}{
		{"asked peer, current target", true, 2, false, true},
		{"no sync under way", false, 2, false, false},
		{"another peer", true, 3, false, false},
		{"another target", true, 2, true, false},
		{"another peer and target", true, 3, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 4, 1, nil)
			b0, _ := roundZeroQC(r)
			r.syncing = tc.active
			r.sync = syncer{target: b0.ID, targetRound: 0, peers: []sim.NodeID{2, 3}, asked: 2}
			target := b0.ID
			if tc.other {
				target++
			}
			r.Deliver(tc.from, &SyncResponse{Target: target, Blocks: []*Block{b0}})
			if got := r.ledger.Known(b0.ID); got != tc.applied {
				t.Errorf("block inserted %v, want %v", got, tc.applied)
			}
		})
	}
}

// TestSyncResponseBlocks: a sync response's blocks are inserted in order
// with their certificates processed; a nil block ends the response, a
// known block is skipped, and a block whose parent is not pending is
// neither inserted nor lets its QC certify anything.
func TestSyncResponseBlocks(t *testing.T) {
	for _, tc := range []struct {
		name             string
		known            bool // b0 inserted before the response
		blocks           func(b0, b1 *Block) []*Block
		inserted, certif bool // b1 inserted; b0 certified
	}{
		{"chain", false, func(b0, b1 *Block) []*Block { return []*Block{b0, b1} }, true, true},
		{"known block first", true, func(b0, b1 *Block) []*Block { return []*Block{b0, b1} }, true, true},
		{"committed block first", true, func(b0, b1 *Block) []*Block { return []*Block{b0, b1} }, true, false}, // at the root: nothing to certify
		{"nil block", false, func(b0, b1 *Block) []*Block { return []*Block{nil, b0, b1} }, false, false},
		{"parent not pending", false, func(b0, b1 *Block) []*Block { return []*Block{b1} }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 4, 1, nil)
			b0, qc := roundZeroQC(r)
			b1 := newBlock(1, 1, nil, qc)
			if tc.known && !r.executeAndInsert(b0) {
				t.Fatal("round-0 block not inserted")
			}
			if tc.name == "committed block first" {
				r.commit(b0.ID)
				if r.ledger.Height() != 1 {
					t.Fatal("round-0 block not committed")
				}
			}
			r.syncing = true
			r.sync = syncer{target: b1.ID, targetRound: 1, peers: []sim.NodeID{2}, asked: 2}
			r.Deliver(2, &SyncResponse{Target: b1.ID, Blocks: tc.blocks(b0, b1)})
			if got := r.ledger.Known(b1.ID); got != tc.inserted {
				t.Errorf("round-1 block inserted %v, want %v", got, tc.inserted)
			}
			if _, got := r.tree.certs.get(b0.ID); got != tc.certif {
				t.Errorf("round-0 block certified %v, want %v", got, tc.certif)
			}
			if tc.certif && r.HighQC().VoteInfo.Round != 0 {
				t.Errorf("high QC round %d after the sync, want 0", r.HighQC().VoteInfo.Round)
			}
		})
	}
}

// TestSyncAsksAgainAfterProgress: a response that inserted blocks short of
// the target makes the replica ask the same peer for more; one that
// brought nothing makes it try the next peer.
func TestSyncAsksAgainAfterProgress(t *testing.T) {
	for _, progress := range []bool{true, false} {
		r, env := newTestReplica(t, 1, 4, 1, nil)
		b0, qc := roundZeroQC(r)
		b1 := newBlock(1, 1, nil, qc)
		r.syncing = true
		r.sync = syncer{target: b1.ID, targetRound: 1, peers: []sim.NodeID{3, 2}, asked: 2}
		var blocks []*Block
		if progress {
			blocks = []*Block{b0}
		}
		env.take()
		r.Deliver(2, &SyncResponse{Target: b1.ID, Blocks: blocks})
		want := sim.NodeID(3)
		if progress {
			want = 2
		}
		var asked []sim.NodeID
		for _, s := range env.take() {
			if _, ok := s.msg.(*SyncRequest); ok {
				asked = append(asked, s.to)
			}
		}
		if len(asked) != 1 || asked[0] != want || r.sync.asked != want {
			t.Errorf("progress %v: asked %v (sync.asked %d), want replica %d", progress, asked, r.sync.asked, want)
		}
	}
}

// TestSignatureEdges: a signature verifies only for a member signer (not a
// negative id, not id n, even when made with that id's key) and only with
// the digest it names, in both signature modes.
func TestSignatureEdges(t *testing.T) {
	const n = 4
	for _, real := range []bool{false, true} {
		k1 := newKeyring(1, 1, n, 3, real)
		for _, id := range []sim.NodeID{-1, n, n + 1} {
			if id >= 0 && !real {
				if s := newKeyring(1, id, n, 3, real).sign(42); k1.verify(s, 42) {
					t.Errorf("real=%v: a signature of non-member %d verifies", real, id)
				}
			}
			if k1.verify(Signature{Signer: id, Digest: 42}, 42) {
				t.Errorf("real=%v: an unsigned signature of %d verifies", real, id)
			}
		}
		s := newKeyring(1, 0, n, 3, real).sign(42)
		s.Digest = 43
		if k1.verify(s, 42) {
			t.Errorf("real=%v: a signature naming another digest verifies", real)
		}
	}
}

// TestQCCommitsOnlyWithCommitState: a QC commits its block's parent only
// when its commit info carries a commit state (the 2-chain rule, set by
// voters only for consecutive rounds); a QC without one commits nothing.
func TestQCCommitsOnlyWithCommitState(t *testing.T) {
	for _, withState := range []bool{false, true} {
		r, _ := newTestReplica(t, 1, 4, 1, nil)
		b0, qc0 := roundZeroQC(r)
		b1 := newBlock(1, 1, nil, qc0)
		for _, b := range []*Block{b0, b1} {
			if !r.executeAndInsert(b) {
				t.Fatal("block not inserted")
			}
		}
		vi := VoteInfo{ID: b1.ID, Round: 1, ParentID: b0.ID, ParentRound: 0}
		qc1 := signedQC(r, vi, []sim.NodeID{0, 1, 2})
		if withState {
			qc1.LedgerCommitInfo.CommitStateID, _ = r.ledger.PendingState(b0.ID)
		}
		r.processQC(qc1)
		if got := r.ledger.Height() == 1 && r.ledger.CommittedBlock(b0.ID) != nil; got != withState {
			t.Errorf("commit state %v: round-0 block committed %v (height %d)", withState, got, r.ledger.Height())
		}
	}
}

// TestIsGenesisQC: the genesis QC is recognised by content (every replica
// builds its own), never when it carries signatures, and a QC of other
// content is not it.
func TestIsGenesisQC(t *testing.T) {
	for _, c := range []struct{ n, f int }{{4, 1}, {5, 1}, {7, 2}, {10, 3}} {
		r, _ := newTestReplica(t, 0, c.n, c.f, nil)
		_, other, _ := genesis() // another replica's genesis QC: another object
		signed := *other
		signed.Signatures = []Signature{{Signer: 1}}
		moved := *other
		moved.VoteInfo.Round = 0
		lci := *other
		lci.LedgerCommitInfo.CommitStateID = 5
		for _, tc := range []struct {
			name string
			qc   *QC
			want bool
		}{
			{"own", r.genesisQC, true},
			{"another replica's", other, true},
			{"with a signature", &signed, false},
			{"other vote info", &moved, false},
			{"other ledger commit info", &lci, false},
		} {
			if got := r.isGenesisQC(tc.qc); got != tc.want {
				t.Errorf("n=%d f=%d: isGenesisQC(%s) = %v, want %v", c.n, c.f, tc.name, got, tc.want)
			}
		}
	}
}
