package diembft

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Verification of received records. Every check charges its modelled CPU
// cost. A record's validity is a pure function of its contents and the
// run's keys, so a verified certificate or block memoizes it under the
// keyring fingerprint: the wall-clock work is done once per run, the
// virtual cost is charged to every replica that verifies it.

func (r *Replica) isGenesisQC(qc *QC) bool {
	g := r.genesisQC // the genesis QC has no signatures: most QCs answer before reading it
	return len(qc.Signatures) == 0 && (qc == g || qc.VoteInfo == g.VoteInfo && qc.LedgerCommitInfo == g.LedgerCommitInfo)
}

// validQC verifies a QC: its vote info matches the signed ledger commit
// info, and a quorum of distinct replicas signed it.
func (r *Replica) validQC(qc *QC) bool {
	if qc == nil {
		return false
	}
	if r.isGenesisQC(qc) {
		return true
	}
	if known, ok := r.tree.certs.get(qc.VoteInfo.ID); ok && (known == qc || known.LedgerCommitInfo == qc.LedgerCommitInfo && known.VoteInfo == qc.VoteInfo) {
		return true // already verified by this replica
	}
	c := &r.costs
	r.charge(c.Verify*sim.Time(len(qc.Signatures)+1) + c.Hash64*3)
	if qc.memo == r.keys.fingerprint {
		return true
	}
	// At least Quorum(n, f) distinct signers: two QCs of one round then
	// share ≥ f+1 signers, one of them correct, which votes once a round.
	if len(qc.Signatures) < r.quorum || len(qc.Signatures) > r.n || qc.VoteInfo.ParentRound >= qc.VoteInfo.Round {
		return false
	}
	if qc.VoteInfo.Hash() != qc.LedgerCommitInfo.VoteInfoHash {
		return false
	}
	d := qc.LedgerCommitInfo.Hash()
	seen := newBitset(r.n)
	for _, s := range qc.Signatures {
		if !seen.Add(s.Signer) || !r.keys.verify(s, d) {
			return false
		}
	}
	if qc.AuthorSignature.Signer != qc.Author || !r.keys.verify(qc.AuthorSignature, qcSignaturesDigest(d, qc.Signatures)) {
		return false
	}
	qc.memo = r.keys.fingerprint
	return true
}

// validTC verifies a TC: a quorum of distinct replicas signed (round, their
// high-QC round).
func (r *Replica) validTC(tc *TC) bool {
	if tc == nil {
		return false
	}
	r.charge(r.costs.Verify * sim.Time(len(tc.Signatures)))
	if tc.memo == r.keys.fingerprint {
		return true
	}
	// At least Quorum(n, f) distinct signers: the TC then shares ≥ f+1
	// signers with the QC of any committed block, one of them correct.
	if len(tc.Signatures) < r.quorum || len(tc.Signatures) > r.n || len(tc.HighQCRounds) != len(tc.Signatures) {
		return false
	}
	seen := newBitset(r.n)
	for i, s := range tc.Signatures {
		if tc.HighQCRounds[i] >= tc.Round || !seen.Add(s.Signer) || !r.keys.verify(s, timeoutDigest(tc.Round, tc.HighQCRounds[i])) {
			return false
		}
	}
	tc.memo = r.keys.fingerprint
	return true
}

// validBlock checks a block's shape and id (its QC is checked apart).
func (r *Replica) validBlock(b *Block) bool {
	if b == nil || b.QC == nil || len(b.Payload) > r.s.blockSize || b.Round <= b.QC.VoteInfo.Round {
		return false
	}
	r.chargeHash(b)
	if b.memo == r.keys.fingerprint {
		return true
	}
	for _, q := range b.Payload {
		if q == nil {
			return false
		}
	}
	id, pd := blockIDPayload(b)
	if id != b.ID {
		return false
	}
	b.memo = r.keys.fingerprint
	b.setPayloadDigest(pd)
	return true
}

// checkProposal verifies a proposal: block, author signature, QC, TC and
// high commit QC.
func (r *Replica) checkProposal(p *Proposal) bool {
	b := p.Block
	if !r.validBlock(b) || p.Signature.Signer != b.Author {
		return false
	}
	r.charge(r.costs.Verify)
	if !r.proposalSigned(p) || !r.validQC(b.QC) {
		return false
	}
	if !sameQC(p.HighCommitQC, b.QC) && !r.validQC(p.HighCommitQC) {
		return false
	}
	return p.LastRoundTC == nil || r.validTC(p.LastRoundTC)
}

// sameQC reports whether two certificates of one message are the same
// certificate: the same pointer, or equal vote info, ledger commit info,
// signatures and author signature. An implementation that finds the same
// certificate twice in one message (a proposal whose high commit QC is its
// block's QC; a timeout whose high QC is its high commit QC) verifies it
// once: the second copy has the same bytes as the verified one.
func sameQC(a, b *QC) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.VoteInfo != b.VoteInfo || a.LedgerCommitInfo != b.LedgerCommitInfo ||
		a.Author != b.Author || !sameSignature(a.AuthorSignature, b.AuthorSignature) || len(a.Signatures) != len(b.Signatures) {
		return false
	}
	for i := range a.Signatures {
		if !sameSignature(a.Signatures[i], b.Signatures[i]) {
			return false
		}
	}
	return true
}

// sameSignature reports whether two signatures are identical.
func sameSignature(a, b Signature) bool {
	if a.Signer != b.Signer || a.Digest != b.Digest || a.tag != b.tag || (a.ed == nil) != (b.ed == nil) {
		return false
	}
	return a.ed == nil || *a.ed == *b.ed
}

// checkVote verifies a vote and returns the digest of its ledger commit
// info (the pending-votes index).
func (r *Replica) checkVote(v *Vote) (protocols.Digest, bool) {
	r.charge(r.costs.Verify + 2*r.costs.Hash64)
	if v.Signature.Signer != v.Sender || r.buf.received.voteInfo(&v.VoteInfo) != v.LedgerCommitInfo.VoteInfoHash {
		return 0, false
	}
	key := r.buf.received.ledgerCommit(&v.LedgerCommitInfo)
	if !r.keys.verify(v.Signature, key) || !r.validQC(v.HighCommitQC) {
		return 0, false
	}
	return key, true
}

// checkTimeout verifies a timeout message.
func (r *Replica) checkTimeout(t *Timeout) bool {
	ti := &t.Info
	if ti.HighQC == nil || ti.Signature.Signer != ti.Sender {
		return false
	}
	r.charge(r.costs.Verify)
	if !r.keys.verify(ti.Signature, timeoutDigest(ti.Round, ti.HighQC.VoteInfo.Round)) || !r.validQC(ti.HighQC) {
		return false
	}
	if !sameQC(t.HighCommitQC, ti.HighQC) && !r.validQC(t.HighCommitQC) {
		return false
	}
	return t.LastRoundTC == nil || r.validTC(t.LastRoundTC)
}

// proposalSigned verifies the author's signature of a proposal over its
// block id. Every replica verifies the same proposal object: a valid
// signature is remembered in it with the keys it verified under (the
// keyring fingerprint), the block id and the signature, and a later check
// of the same ones is answered from memory (the caller charges its cost
// either way).
func (r *Replica) proposalSigned(p *Proposal) bool {
	m, id := &p.signed, p.Block.ID
	if m.fingerprint == r.keys.fingerprint && m.fingerprint != 0 && m.id == id && sameSignature(m.sig, p.Signature) {
		return true
	}
	if !r.keys.verify(p.Signature, proposalDigest(id)) {
		return false
	}
	*m = signedMemo{fingerprint: r.keys.fingerprint, id: id, sig: p.Signature}
	return true
}

// proposalValid is checkProposal answered from the proposal's memo: every
// replica checks the same proposal object. A memo answers only for the
// block, certificates and signature it was made with (a copy with any of
// them replaced is checked again), under the same keys and block size, and
// is made only when the check's answer is the same at every replica: when
// each certificate was verified from its signatures (its own memo) or is
// the genesis QC, not accepted because this replica holds an equal one
// (validQC's shortcut, which another replica cannot take). A check answered
// from the memo charges what checkProposal charges for a valid proposal
// (chargeProposalChecks). Blocks and certificates are never changed in
// place once sent: the memo keys on their pointers.
func (r *Replica) proposalValid(p *Proposal) bool {
	m := &p.checked
	if m.fingerprint == r.keys.fingerprint && m.fingerprint != 0 && m.block == p.Block && m.highCommit == p.HighCommitQC &&
		m.tc == p.LastRoundTC && m.blockSize == r.s.blockSize && sameSignature(m.sig, p.Signature) {
		if r.costs.Verify|r.costs.Hash64 != 0 {
			r.chargeProposalChecks(p)
		}
		return true
	}
	if !r.checkProposal(p) {
		return false
	}
	if !r.verifiedEverywhere(p) {
		return true
	}
	*m = checkedMemo{fingerprint: r.keys.fingerprint, blockSize: r.s.blockSize, block: p.Block, highCommit: p.HighCommitQC, tc: p.LastRoundTC, sig: p.Signature}
	return true
}

// verifiedEverywhere reports whether the valid proposal p's certificates
// would verify at any replica with this replica's keys: each QC is the
// genesis QC or carries the memo of a verification from its signatures
// (the high commit QC may be the block's QC again, as checkProposal
// allows). A TC that passed validTC always does: it has no shortcut.
func (r *Replica) verifiedEverywhere(p *Proposal) bool {
	fp := r.keys.fingerprint
	qc := p.Block.QC
	if qc.memo != fp && !r.isGenesisQC(qc) {
		return false
	}
	hc := p.HighCommitQC
	return hc.memo == fp || r.isGenesisQC(hc) || sameQC(hc, qc)
}

// chargeProposalChecks charges what checkProposal charges for the valid
// proposal p, in the same order: the block's hash, the author's
// signature, each certificate that validQC and validTC would verify.
func (r *Replica) chargeProposalChecks(p *Proposal) {
	b := p.Block
	r.chargeHash(b)
	r.charge(r.costs.Verify)
	r.chargeQCCheck(b.QC)
	if !sameQC(p.HighCommitQC, b.QC) {
		r.chargeQCCheck(p.HighCommitQC)
	}
	if tc := p.LastRoundTC; tc != nil {
		r.charge(r.costs.Verify * sim.Time(len(tc.Signatures)))
	}
}

// chargeQCCheck charges what validQC charges for the valid qc: nothing for
// the genesis QC or one this replica already holds, else its signatures
// and hashes.
func (r *Replica) chargeQCCheck(qc *QC) {
	if r.isGenesisQC(qc) {
		return
	}
	if known, ok := r.tree.certs.get(qc.VoteInfo.ID); ok && (known == qc || known.LedgerCommitInfo == qc.LedgerCommitInfo && known.VoteInfo == qc.VoteInfo) {
		return
	}
	c := &r.costs
	r.charge(c.Verify*sim.Time(len(qc.Signatures)+1) + c.Hash64*3)
}
