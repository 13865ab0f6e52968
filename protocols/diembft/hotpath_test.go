package diembft

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// TestVoteDigests checks the vote digest memo against the digests it
// remembers: every field of a record changes its digest, and a record seen
// before is hashed again after another replaced it.
func TestVoteDigests(t *testing.T) {
	base := VoteInfo{ID: 11, Round: 7, ParentID: 13, ParentRound: 6, ExecStateID: 17}
	infos := []VoteInfo{base, base, {ID: 12, Round: 7, ParentID: 13, ParentRound: 6, ExecStateID: 17}, base,
		{ID: 11, Round: 8, ParentID: 13, ParentRound: 6, ExecStateID: 17}, {ID: 11, Round: 7, ParentID: 14, ParentRound: 6, ExecStateID: 17},
		{ID: 11, Round: 7, ParentID: 13, ParentRound: 5, ExecStateID: 17}, {ID: 11, Round: 7, ParentID: 13, ParentRound: 6, ExecStateID: 18}, base}
	var m voteDigests
	for i, vi := range infos {
		if got, want := m.voteInfo(&vi), vi.Hash(); got != want {
			t.Fatalf("vote info %d %+v: digest %x, want %x", i, vi, uint64(got), uint64(want))
		}
	}
	lcis := []LedgerCommitInfo{{VoteInfoHash: 5}, {VoteInfoHash: 5}, {CommitStateID: 3, VoteInfoHash: 5}, {VoteInfoHash: 5}, {VoteInfoHash: 6}, {CommitStateID: 3, VoteInfoHash: 6}}
	for i, l := range lcis {
		if got, want := m.ledgerCommit(&l), l.Hash(); got != want {
			t.Fatalf("ledger commit info %d %+v: digest %x, want %x", i, l, uint64(got), uint64(want))
		}
	}
}

// replicaState is what processing a certificate can change in a replica.
type replicaState struct {
	round, highQC, highCommitQC, root int64
	committed, certs                  int
	lastTC                            *TC
	leaders                           [4]sim.NodeID
	observations                      int
}

func stateOf(r *Replica, observations int) replicaState {
	s := replicaState{
		round: r.pm.Round, highQC: r.tree.highQC.VoteInfo.Round, highCommitQC: r.tree.highCommitQC.VoteInfo.Round,
		root: r.ledger.RootRound(), committed: len(r.ledger.Log()), certs: len(r.tree.certs.small) + len(r.tree.certs.big),
		lastTC: r.pm.LastRoundTC, observations: observations,
	}
	for i := range s.leaders {
		s.leaders[i] = r.Leader(r.pm.Round + int64(i))
	}
	return s
}

// TestProcessSecondQC checks that processing a proposal's second
// certificate when it is the first one (processSecondQC's shortcut) leaves
// a replica as processing it again in full does: two identical runs are
// stopped where a replica lags another's high QC; one replica processes
// that QC twice in full, the other through processSecondQC.
func TestProcessSecondQC(t *testing.T) {
	for _, election := range []string{ElectionRoundRobin, ElectionReputation} {
		t.Run(election, func(t *testing.T) {
			checked := 0
			for lag := 0; lag < 40 && checked < 5; lag++ {
				var clusters [2]*cluster
				var observed [2]int
				for k := range clusters {
					c := newCluster(t, clusterOpts{n: 7, f: 2, seed: 3, params: protocols.Params{"election": election, "window_size": int64(2)},
						delay: sim.Uniform{Min: 2 * sim.Millisecond, Max: 20 * sim.Millisecond}})
					// Requests of no client (as the saturated workload's):
					// a commit replies to nobody, so the replica can be
					// driven outside an event.
					for _, r := range c.reps {
						for id := range uint64(60) {
							r.Preload(&protocols.Request{Client: -2, ID: id + 1, Op: protocols.OpAppend, Value: int64(id), Payload: 16})
						}
					}
					k := k
					c.w.Subscribe(func(_ sim.Time, node sim.NodeID, _ sim.Observation) {
						if node == 0 {
							observed[k]++
						}
					})
					c.w.Run(sim.Time(100+7*lag) * sim.Millisecond)
					clusters[k] = c
				}
				ahead := -1
				for i := 1; i < 7; i++ {
					if qc := clusters[0].reps[i].tree.highQC; qc.VoteInfo.Round > clusters[0].reps[0].tree.highQC.VoteInfo.Round && clusters[0].reps[0].ready(qc) {
						ahead = i
						break
					}
				}
				if ahead < 0 {
					continue
				}
				full, short := clusters[0].reps[0], clusters[1].reps[0]
				if stateOf(full, observed[0]) != stateOf(short, observed[1]) {
					t.Fatalf("lag %d: the two runs differ before the certificate", lag)
				}
				qcFull, qcShort := clusters[0].reps[ahead].tree.highQC, clusters[1].reps[ahead].tree.highQC
				full.processCertificateQC(qcFull)
				full.processCertificateQC(qcFull)
				short.processCertificateQC(qcShort)
				short.processSecondQC(qcShort, qcShort)
				a, b := stateOf(full, observed[0]), stateOf(short, observed[1])
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("lag %d: processed twice in full %+v, through processSecondQC %+v", lag, a, b)
				}
				checked++
			}
			if checked == 0 {
				t.Fatal("no replica ever lagged another's high QC")
			}
		})
	}
}

// TestProposalSignedMemo checks that a proposal's remembered signature
// check answers only for the signature, block and keys it verified: a copy
// of the proposal with another signature or block, or a replica of other
// keys, verifies again.
func TestProposalSignedMemo(t *testing.T) {
	leader, _ := newTestReplica(t, 0, 4, 1, nil)
	r, _ := newTestReplica(t, 1, 4, 1, nil)
	b := newBlock(0, 0, nil, leader.genesisQC)
	p := leader.makeProposal(0, nil, leader.genesisQC, leader.genesisQC)
	other := newBlock(0, 0, []*protocols.Request{{Client: 9, ID: 1}}, leader.genesisQC)
	for i := range 2 { // the second time from the memo
		if !r.proposalSigned(p) {
			t.Fatalf("check %d: a proposal signed by its author does not verify", i)
		}
	}
	forged := *p
	forged.Signature.tag++
	if r.proposalSigned(&forged) {
		t.Error("a copy of a verified proposal with a forged signature verifies")
	}
	moved := *p
	moved.Block = other
	if r.proposalSigned(&moved) {
		t.Error("a copy of a verified proposal for another block verifies")
	}
	if b.ID != p.Block.ID {
		t.Fatal("the test's block is not the proposal's")
	}
	stranger, _ := newTestReplicaSeeded(t, 1, 4, 1, nil, func(s *Replica) { s.keys = *newKeyring(99, 1, 4, Quorum(4, 1), false) })
	if stranger.proposalSigned(p) {
		t.Error("a proposal verified under one run's keys verifies under another's")
	}
}

// TestProposalValidMemo checks that a proposal's remembered check
// answers as a fresh checkProposal does: for the proposal it was made
// with, and not for a copy with another signature, block, high commit QC
// or last-round TC, nor under other keys or a smaller block size; and that
// a replica whose checks cost something runs them (and charges them) every
// time.
func TestProposalValidMemo(t *testing.T) {
	leader, _ := newTestReplica(t, 0, 4, 1, nil)
	r, _ := newTestReplica(t, 1, 4, 1, nil)
	b0, qc0 := roundZeroQC(r)
	if !r.executeAndInsert(b0) {
		t.Fatal("round 0's block is not inserted")
	}
	txns := []*protocols.Request{{Client: 9, ID: 1}, {Client: 9, ID: 2}}
	p := leader.makeProposal(1, txns, qc0, qc0)
	for i := range 2 { // the second time from the memo
		if !r.checkProposal(p) || !r.proposalValid(p) {
			t.Fatalf("check %d: a valid proposal does not verify", i)
		}
	}
	if p.checked.fingerprint != r.keys.fingerprint {
		t.Fatal("a valid proposal's check is not remembered")
	}
	badQC := signedQC(r, qc0.VoteInfo, []sim.NodeID{0, 1}) // below the quorum
	copies := []struct {
		name   string
		change func(*Proposal)
	}{
		{"another signature", func(c *Proposal) { c.Signature.tag++ }},
		{"another block", func(c *Proposal) { c.Block = newBlock(2, 1, txns, qc0) }},
		{"another high commit QC", func(c *Proposal) { c.HighCommitQC = badQC }},
		{"another last-round TC", func(c *Proposal) { c.LastRoundTC = &TC{Round: 0} }},
	}
	for _, tc := range copies {
		c := *p // the memo copied with it
		tc.change(&c)
		want := r.checkProposal(&c)
		if want {
			t.Fatalf("%s: the test's copy is valid", tc.name)
		}
		if got := r.proposalValid(&c); got != want {
			t.Errorf("%s: remembered check %v, fresh check %v", tc.name, got, want)
		}
	}
	stranger, _ := newTestReplicaSeeded(t, 1, 4, 1, nil, func(s *Replica) { s.keys = *newKeyring(99, 1, 4, Quorum(4, 1), false) })
	if stranger.proposalValid(p) || stranger.checkProposal(p) {
		t.Error("a proposal checked under one run's keys verifies under another's")
	}
	small, _ := newTestReplica(t, 1, 4, 1, protocols.Params{"block_size": int64(1)})
	if small.proposalValid(p) || small.checkProposal(p) {
		t.Error("a proposal of two requests verifies at a replica that takes blocks of one")
	}
}

// TestProposalValidOnlyRemembersWhatHoldsEverywhere checks that a check
// answered by validQC's shortcut (this replica holds a QC with the same
// vote and ledger commit info, so the certificate's signatures are not
// read) is not remembered in the proposal: another replica, which does not
// hold the QC, must still find the forged signatures. Each certificate of
// the proposal takes the shortcut in turn: the block's QC, and the high
// commit QC when it is another certificate.
func TestProposalValidOnlyRemembersWhatHoldsEverywhere(t *testing.T) {
	txns := []*protocols.Request{{Client: 9, ID: 1}}
	for _, c := range []struct{ n, f int }{{4, 1}, {5, 1}, {7, 2}, {10, 3}} {
		for _, forgedHighCommit := range []bool{false, true} {
			onlyRemembersWhatHoldsEverywhere(t, c.n, c.f, txns, forgedHighCommit)
		}
	}
}

// onlyRemembersWhatHoldsEverywhere is one case of
// TestProposalValidOnlyRemembersWhatHoldsEverywhere at (n, f).
func onlyRemembersWhatHoldsEverywhere(t *testing.T, n, f int, txns []*protocols.Request, forgedHighCommit bool) {
	t.Helper()
	leader, _ := newTestReplica(t, 0, n, f, nil)
	holder, _ := newTestReplica(t, 1, n, f, nil)
	other, _ := newTestReplica(t, 2, n, f, nil)
	_, qc0 := roundZeroQC(holder)
	holder.processQC(qc0)
	forged := *qc0
	forged.memo = 0
	forged.Signatures = append([]Signature(nil), qc0.Signatures...)
	for i := range forged.Signatures {
		forged.Signatures[i].tag ^= 0xdead // signatures that do not verify
	}
	blockQC, highCommit := &forged, &forged
	if forgedHighCommit {
		blockQC = holder.genesisQC
	}
	p := leader.makeProposal(1, txns, blockQC, highCommit)
	if !holder.proposalValid(p) || !holder.checkProposal(p) {
		t.Fatalf("n = %d, f = %d, forged high commit %v: the holder of the QC rejects the proposal", n, f, forgedHighCommit)
	}
	if p.checked.fingerprint != 0 {
		t.Errorf("n = %d, f = %d, forged high commit %v: a check that did not read the signatures is remembered", n, f, forgedHighCommit)
	}
	if other.checkProposal(p) {
		t.Fatalf("n = %d, f = %d, forged high commit %v: a replica without the QC accepts forged signatures", n, f, forgedHighCommit)
	}
	if other.proposalValid(p) {
		t.Errorf("n = %d, f = %d, forged high commit %v: a replica without the QC accepts the proposal from the memo", n, f, forgedHighCommit)
	}
}

// TestProposalValidCharges checks that a check answered from a proposal's
// memo charges what a fresh checkProposal charges, under a cost model that
// charges checks: for a proposal whose high commit QC is its block's QC or
// another one, with and without a last-round TC, over the genesis QC, at a replica that does
// or does not hold the certificates already.
func TestProposalValidCharges(t *testing.T) {
	leader, _ := newTestReplica(t, 0, 4, 1, nil)
	costly := func(s *Replica) { s.costs.Verify, s.costs.Hash64 = 3, 1 }
	first, _ := newTestReplicaSeeded(t, 1, 4, 1, nil, costly)
	b0, qc0 := roundZeroQC(first)
	b1 := newBlock(0, 1, nil, qc0)
	exec1 := chained.StateAfter(first.ledger.Root().State, (&Block{}).payloadDigest()) // not checked
	qc1 := signedQC(first, VoteInfo{ID: b1.ID, Round: 1, ParentID: b0.ID, ParentRound: 0, ExecStateID: exec1}, []sim.NodeID{0, 1, 2})
	var tcSigs []Signature
	for j := range 3 {
		tcSigs = append(tcSigs, newKeyring(7, sim.NodeID(j), 4, Quorum(4, 1), false).sign(timeoutDigest(1, 0)))
	}
	tc1 := &TC{Round: 1, HighQCRounds: []int64{0, 0, 0}, Signatures: tcSigs}
	txns := []*protocols.Request{{Client: 9, ID: 1}}
	prop := func(b *Block, tc *TC, hc *QC) *Proposal {
		return &Proposal{Block: b, LastRoundTC: tc, HighCommitQC: hc, Signature: leader.keys.sign(proposalDigest(b.ID))}
	}
	proposals := map[string]*Proposal{
		"the genesis QC":             prop(newBlock(0, 0, txns, first.genesisQC), nil, first.genesisQC),
		"high commit QC the block's": prop(newBlock(0, 1, txns, qc0), nil, qc0),
		"another high commit QC":     prop(newBlock(0, 2, txns, qc1), nil, qc0),
		"a last-round TC":            prop(newBlock(0, 2, txns, qc0), tc1, qc0),
	}
	for name, p := range proposals {
		if !first.checkProposal(p) || !first.proposalValid(p) {
			t.Fatalf("%s: the test's proposal is not valid", name)
		}
		memo, envM := newTestReplicaSeeded(t, 2, 4, 1, nil, costly)
		fresh, envF := newTestReplicaSeeded(t, 2, 4, 1, nil, costly)
		memo.tree.pruneCertified(5) // the genesis QC's too, as after commits
		fresh.tree.pruneCertified(5)
		for _, known := range []bool{false, true} {
			if known {
				for _, qc := range []*QC{qc0, qc1} {
					memo.tree.certs.add(qc.VoteInfo.ID, qc)
					fresh.tree.certs.add(qc.VoteInfo.ID, qc)
				}
			}
			m0, f0 := envM.now, envF.now
			if !memo.proposalValid(p) || !fresh.checkProposal(p) {
				t.Fatalf("%s: a valid proposal does not verify", name)
			}
			if envM.now-m0 != envF.now-f0 || envF.now == f0 {
				t.Errorf("%s, certificates held %v: charged %v from the memo, %v checked afresh", name, known, envM.now-m0, envF.now-f0)
			}
		}
	}
}

// TestAddVoteLastSet checks the block tree's remembered last vote set: a
// vote for a set that was pruned, or dropped by a corruption, opens a new
// set instead of going to the remembered one.
func TestAddVoteLastSet(t *testing.T) {
	r, _ := newTestReplica(t, 0, 4, 1, nil)
	vi := VoteInfo{ID: 7, Round: 5, ParentID: 6, ParentRound: 4, ExecStateID: 9}
	lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
	key := lci.Hash()
	vote := func(sender sim.NodeID) *Vote {
		return &Vote{VoteInfo: vi, LedgerCommitInfo: lci, Sender: sender, Signature: Signature{Signer: sender, Digest: key}}
	}
	count := func() int {
		if s := r.tree.votes[key]; s != nil {
			return len(s.sigs)
		}
		return 0
	}
	for _, id := range []sim.NodeID{1, 2} {
		if r.tree.addVote(vote(id), key, 4, 3) != nil {
			t.Fatal("two votes formed a QC of quorum 3")
		}
	}
	if count() != 2 {
		t.Fatalf("set holds %d votes, want 2", count())
	}
	r.tree.pruneVotes(6)
	if r.tree.addVote(vote(3), key, 4, 3) != nil || count() != 1 {
		t.Fatalf("after pruning, a vote joined the dropped set (set holds %d votes, want 1)", count())
	}
	r.tree.addVote(vote(2), key, 4, 3)
	for seed := uint64(0); r.tree.votes[key] != nil; seed++ { // a corruption that drops the set
		if seed == 64 {
			t.Fatal("no corruption dropped the vote set")
		}
		if err := r.Corrupt(rand.New(rand.NewPCG(seed, 3)), []string{ScopePendingVotes}); err != nil {
			t.Fatal(err)
		}
	}
	if r.tree.addVote(vote(1), key, 4, 3) != nil || count() != 1 {
		t.Fatalf("after a corruption dropped the set, a vote joined it (set holds %d votes, want 1)", count())
	}
}

// TestBlockStateAfter checks the execution state a block remembers: it is
// StateAfter of the parent state asked and of the block's payload, for
// every parent state in turn, and for a copy of the block that carries
// another payload.
func TestBlockStateAfter(t *testing.T) {
	reqs := []*protocols.Request{{Client: 9, ID: 1, Value: 1}, {Client: 9, ID: 2, Value: 2}}
	b := newBlock(1, 3, reqs, nil)
	for i, parent := range []protocols.Digest{5, 5, 6, 5, 0, 5} {
		if got, want := b.stateAfter(parent), chained.StateAfter(parent, chained.PayloadDigest(reqs)); got != want {
			t.Fatalf("step %d, parent %x: state %x, want %x", i, uint64(parent), uint64(got), uint64(want))
		}
	}
	other := []*protocols.Request{{Client: 9, ID: 3, Value: 3}}
	for _, payload := range [][]*protocols.Request{other, nil, reqs[:1]} {
		b.stateAfter(5)
		c := *b // a copy keeps b's memos (of parent 5)
		c.Payload = payload
		if got, want := c.stateAfter(5), chained.StateAfter(5, chained.PayloadDigest(payload)); got != want {
			t.Fatalf("copy with %d requests: state %x, want %x", len(payload), uint64(got), uint64(want))
		}
	}
}

// TestVoteUsesInsertedStates checks the speculative states passed from
// executing a block to voting for it: a vote carries the block's state and
// its parent's as the ledger has them, whether the block was executed just
// now, executed before, another block's states were passed, or none.
func TestVoteUsesInsertedStates(t *testing.T) {
	payload := func(v int64) []*protocols.Request {
		return []*protocols.Request{{Client: -2, ID: uint64(v), Value: v}}
	}
	for _, tc := range []struct {
		name string
		prep func(r *Replica, b, other *Block) insertedStates
	}{
		{"executed just now", func(r *Replica, b, _ *Block) insertedStates {
			in, _ := r.executeAndInsertToVote(b)
			return in
		}},
		{"executed before", func(r *Replica, b, _ *Block) insertedStates {
			r.executeAndInsert(b)
			in, _ := r.executeAndInsertToVote(b)
			return in
		}},
		{"another block's states", func(r *Replica, b, other *Block) insertedStates {
			r.executeAndInsert(b)
			in, _ := r.executeAndInsertToVote(other)
			return in
		}},
		{"no states", func(r *Replica, b, _ *Block) insertedStates {
			r.executeAndInsert(b)
			return insertedStates{}
		}},
		{"no states, the block's state forgotten after it was executed", func(r *Replica, b, _ *Block) insertedStates {
			r.executeAndInsert(b)
			r.ledger.Forget(b.ID)
			return insertedStates{}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestReplica(t, 1, 4, 1, nil)
			b := newBlock(0, 0, payload(1), r.genesisQC)
			other := newBlock(2, 0, payload(2), r.genesisQC)
			in := tc.prep(r, b, other)
			v := r.makeVote(b, nil, in)
			if v == nil {
				t.Fatal("no vote")
			}
			exec, _ := r.ledger.PendingState(b.ID)
			parent, _ := r.ledger.PendingState(b.QC.VoteInfo.ID)
			if v.VoteInfo.ExecStateID != exec || v.LedgerCommitInfo.CommitStateID != parent {
				t.Fatalf("vote states %x, %x; the ledger's %x, %x", uint64(v.VoteInfo.ExecStateID), uint64(v.LedgerCommitInfo.CommitStateID), uint64(exec), uint64(parent))
			}
		})
	}
}

// TestVoteTablesMadeOnUse: the block tree's vote tables are nil while
// empty (pruneVotes reads no map header) and made again on the next vote;
// a quorum of votes still forms one QC, and a sender still opens at most
// maxOpenPerRound sets a round, before and after the tables were dropped.
func TestVoteTablesMadeOnUse(t *testing.T) {
	for _, c := range []struct{ n, f int }{{4, 1}, {5, 1}, {7, 2}, {8, 2}, {10, 3}, {31, 10}} {
		r, _ := newTestReplica(t, 0, c.n, c.f, nil)
		q := Quorum(c.n, c.f)
		if r.tree.votes != nil || r.tree.opened != nil {
			t.Fatalf("n=%d: a new replica holds vote tables", c.n)
		}
		for round := int64(5); round < 8; round++ {
			vi := VoteInfo{ID: protocols.Digest(100 + round), Round: round, ParentID: 6, ParentRound: round - 1, ExecStateID: 9}
			lci := LedgerCommitInfo{VoteInfoHash: vi.Hash()}
			key := lci.Hash()
			formed := 0
			for s := range c.n {
				v := &Vote{VoteInfo: vi, LedgerCommitInfo: lci, Sender: sim.NodeID(s), Signature: Signature{Signer: sim.NodeID(s), Digest: key}}
				if set := r.tree.addVote(v, key, c.n, q); set != nil {
					formed++
					if len(set.sigs) != q || s != q-1 {
						t.Fatalf("n=%d f=%d round %d: a set of %d votes formed at the vote of %d, want %d at %d", c.n, c.f, round, len(set.sigs), s, q, q-1)
					}
				}
			}
			if formed != 1 {
				t.Fatalf("n=%d f=%d round %d: %d QCs formed, want 1", c.n, c.f, round, formed)
			}
			// Sender 0, which opened the set above, opens two more for
			// other infos this round: the first is allowed (its second
			// set), the next refused.
			for i, want := range []bool{true, false} {
				vi2 := vi
				vi2.ExecStateID = protocols.Digest(1000 + i)
				lci2 := LedgerCommitInfo{VoteInfoHash: vi2.Hash()}
				k2 := lci2.Hash()
				r.tree.addVote(&Vote{VoteInfo: vi2, LedgerCommitInfo: lci2, Sender: 0, Signature: Signature{Signer: 0, Digest: k2}}, k2, c.n, q)
				if got := r.tree.votes[k2] != nil; got != want {
					t.Fatalf("n=%d f=%d round %d: sender's set %d opened %v, want %v", c.n, c.f, round, i+2, got, want)
				}
			}
			r.tree.pruneVotes(round + 1)
			if r.tree.votes != nil || r.tree.opened != nil {
				t.Fatalf("n=%d f=%d round %d: pruning every set left tables (%d sets, %d rounds)", c.n, c.f, round, len(r.tree.votes), len(r.tree.opened))
			}
		}
	}
}

// TestProcessVoteQC checks that processing a vote's high commit QC through
// processVoteQC (which skips a settled QC) leaves a replica as processQC
// does, at several (n, f): two identical runs are stopped at a few times,
// and replica 0 of each processes the same sequence of the replicas' high
// QCs and high commit QCs, one through processQC, the other through
// processVoteQC, with corruptions of the block tree and of the high QCs,
// a QC of the same round put in place of a high QC, and the strategy
// switched between honest and one that does not commit (the QCs of a
// later run are processed so, then again once the replica commits: their
// commits were not done). Each of settled's conditions decides some
// cases: the certificate index (a corruption dropped the QC's block), the
// high QCs (a QC of the same round).
func TestProcessVoteQC(t *testing.T) {
	var hits, byCerts, byHigh int
	for _, nf := range [][2]int{{4, 1}, {5, 1}, {7, 2}, {10, 3}} {
		for _, stop := range []sim.Time{150, 400, 900} {
			var reps [2]*Replica
			var observed [2]int
			var cands [2][]*QC
			var ahead []*QC // the QCs of a third run, stopped later
			for k := range 3 {
				c := newCluster(t, clusterOpts{n: nf[0], f: nf[1], seed: 5, delay: sim.Uniform{Min: 2 * sim.Millisecond, Max: 20 * sim.Millisecond}})
				for _, r := range c.reps {
					for id := range uint64(80) {
						r.Preload(&protocols.Request{Client: -2, ID: id + 1, Op: protocols.OpAppend, Value: int64(id), Payload: 16})
					}
				}
				k := k
				c.w.Subscribe(func(_ sim.Time, node sim.NodeID, _ sim.Observation) {
					if node == 0 && k < 2 {
						observed[k]++
					}
				})
				if k == 2 {
					c.w.Run((stop + 60) * sim.Millisecond)
					for _, r := range c.reps {
						ahead = append(ahead, r.tree.highCommitQC, r.tree.highQC)
					}
					break
				}
				c.w.Run(stop * sim.Millisecond)
				reps[k] = c.reps[0]
				for _, r := range c.reps {
					cands[k] = append(cands[k], r.tree.highCommitQC, r.tree.highQC)
				}
			}
			full, short := reps[0], reps[1]
			same := func(what string) {
				t.Helper()
				a, b := stateOf(full, observed[0]), stateOf(short, observed[1])
				ca, cb := certsOf(full), certsOf(short)
				ha, hb := full.tree.highQC.VoteInfo, short.tree.highQC.VoteInfo
				if fmt.Sprint(a, ca, ha) != fmt.Sprint(b, cb, hb) {
					t.Fatalf("n=%d f=%d stop %d ms, %s:\nprocessQC      %+v %v %+v\nprocessVoteQC  %+v %v %+v", nf[0], nf[1], stop, what, a, ca, ha, b, cb, hb)
				}
			}
			// The later run's QCs, processed while the replica does not
			// commit, then again, newest first and oldest first, once it
			// does: their commits are not done, though the QCs are known.
			slices.SortStableFunc(ahead, func(a, b *QC) int { return cmp.Compare(a.VoteInfo.Round, b.VoteInfo.Round) })
			for i, b := range []string{BehaviourEquivocate, "", ""} {
				for _, r := range reps {
					if err := r.SetBehaviour(b); err != nil {
						t.Fatal(err)
					}
				}
				for k := range ahead {
					if i == 1 {
						k = len(ahead) - 1 - k
					}
					full.processQC(ahead[k])
					short.processVoteQC(ahead[k])
					same(fmt.Sprintf("pass %d, a later QC of round %d", i, ahead[k].VoteInfo.Round))
				}
			}
			rng := rand.New(rand.NewPCG(uint64(nf[0]), uint64(stop)))
			j := 0
			for step := range 200 {
				name := ""
				switch op := rng.IntN(16); {
				case op < 10:
					if op >= 5 {
						j = rng.IntN(len(cands[0]))
					}
					qc := cands[1][j]
					name = fmt.Sprintf("process %d (round %d)", j, qc.VoteInfo.Round)
					if qc == short.buf.settledQC {
						loose := func(high *QC) bool { return high != nil && qc.VoteInfo.Round <= high.VoteInfo.Round }
						_, seen := short.tree.certs.get(qc.VoteInfo.ID)
						keep := maxQC(qc, short.tree.highQC) == short.tree.highQC && maxQC(qc, short.tree.highCommitQC) == short.tree.highCommitQC
						switch {
						case short.settled(qc):
							hits++
						case keep && !seen:
							byCerts++
						case !keep && loose(short.tree.highQC) && loose(short.tree.highCommitQC):
							byHigh++
						}
					}
					full.processQC(cands[0][j])
					short.processVoteQC(qc)
				case op < 12:
					name = "corrupt the block tree"
					seed := rng.Uint64()
					for _, r := range reps {
						if err := r.Corrupt(rand.New(rand.NewPCG(seed, 1)), []string{ScopeBlockTree}); err != nil {
							t.Fatal(err)
						}
					}
				case op < 13:
					scope := []string{ScopeHighQC, ScopeHighCommitQC}[rng.IntN(2)]
					name = "corrupt " + scope
					seed := rng.Uint64()
					for _, r := range reps {
						if err := r.Corrupt(rand.New(rand.NewPCG(seed, 2)), []string{scope}); err != nil {
							t.Fatal(err)
						}
					}
				case op < 15:
					name = "a QC of the same round as high QC"
					for _, r := range reps {
						other := *r.tree.highQC
						other.VoteInfo.ID ^= 1
						r.tree.highQC = &other
					}
				default:
					b := []string{"", BehaviourEquivocate}[rng.IntN(2)]
					name = "behaviour " + b
					for _, r := range reps {
						if err := r.SetBehaviour(b); err != nil {
							t.Fatal(err)
						}
					}
				}
				same(fmt.Sprintf("step %d (%s)", step, name))
			}
		}
	}
	t.Logf("settled %d times; decided by the certificate index %d, the high QCs %d", hits, byCerts, byHigh)
	if hits == 0 || byCerts == 0 || byHigh == 0 {
		t.Errorf("settled %d times; decided by the certificate index %d, the high QCs %d: want each > 0", hits, byCerts, byHigh)
	}
}

// certsOf lists the rounds and ids of a replica's certificate index in id
// order.
func certsOf(r *Replica) []VoteInfo {
	var out []VoteInfo
	x := r.tree.certs
	if x.big != nil {
		for _, qc := range x.big {
			out = append(out, qc.VoteInfo)
		}
	}
	for _, e := range x.small {
		out = append(out, e.qc.VoteInfo)
	}
	slices.SortFunc(out, func(a, b VoteInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
