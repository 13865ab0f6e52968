package diembft

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/internal/chained"
	"github.com/byzsim/byzsim/sim"
)

// Message kinds.
const (
	KindProposal     = "proposal"
	KindVote         = "vote"
	KindTimeout      = "timeout"
	KindSyncRequest  = "sync_request"
	KindSyncResponse = "sync_response"
)

// Encoded sizes of the message model, in bytes. Digests and ids are encoded
// as 32-byte SHA-256 values, rounds as 8 bytes, replica ids as 4 bytes,
// signatures as 64-byte Ed25519 signatures, whatever their in-memory form.
const (
	digestSize       = 32
	roundSize        = 8
	replicaSize      = 4
	lengthSize       = 4
	sigSize          = protocols.SignatureSize
	headerSize       = 8 // message type and length
	voteInfoSize     = 3*digestSize + 2*roundSize
	commitInfoSize   = 1 + 2*digestSize
	signedBySize     = replicaSize + sigSize
	blockHeaderSize  = replicaSize + roundSize + lengthSize + digestSize
	timeoutInfoFixed = roundSize + replicaSize + sigSize
)

// Block is a proposed block of client transactions.
type Block struct {
	Author  sim.NodeID
	Round   int64
	Payload []*protocols.Request
	// QC certifies the parent block.
	QC *QC
	// ID is hash(author, round, payload, qc.vote_info.id, qc signers).
	ID protocols.Digest

	payloadBytes int
	memo         uint64 // keyring fingerprint under which ID was checked
	// payload is the digest of Payload, computed with ID by newBlock or
	// by a successful check of ID (0 until then), for the payload of
	// payloadLen requests starting at payloadAt (a copy of the block with
	// another payload does not use it).
	payload    protocols.Digest
	payloadAt  **protocols.Request
	payloadLen int
	// committed boxes the Commit observation of the replicas that commit
	// this block object.
	committed chained.ObservationMemo[protocols.Commit]
	// digests are those of the vote info and ledger commit info last voted
	// for this block object (every correct voter votes the same).
	digests voteDigests
	// exec is the execution state after this block object, for the parent
	// state and payload digest it was computed from (stateAfter).
	exec struct{ parent, payload, state protocols.Digest }
	// hints[i] is where Payload[i] was last found in a committing
	// replica's mempool (Mempool.CommitPayload checks it).
	hints []int32
}

// entryHints returns the block's mempool hints, one per request.
func (b *Block) entryHints() []int32 {
	if len(b.hints) != len(b.Payload) {
		b.hints = make([]int32, len(b.Payload))
	}
	return b.hints
}

// newBlock builds a block and computes its id.
func newBlock(author sim.NodeID, round int64, payload []*protocols.Request, qc *QC) *Block {
	b := &Block{Author: author, Round: round, Payload: payload, QC: qc}
	for _, q := range payload {
		b.payloadBytes += q.Size()
	}
	id, pd := blockIDPayload(b)
	b.ID = id
	b.setPayloadDigest(pd)
	return b
}

// blockID computes a block's id from its fields.
func blockID(b *Block) protocols.Digest {
	id, _ := blockIDPayload(b)
	return id
}

// blockIDPayload computes a block's id and the digest of its payload.
func blockIDPayload(b *Block) (protocols.Digest, protocols.Digest) {
	h := chained.NewHasher(chained.TagBlock)
	h.AddInt(int64(b.Author))
	h.AddInt(b.Round)
	pd := chained.PayloadDigest(b.Payload)
	h.Add(uint64(pd))
	if b.QC != nil {
		h.Add(uint64(b.QC.VoteInfo.ID))
		h.Add(uint64(signersDigest(b.QC.Signatures)))
	}
	return h.Sum(), pd
}

// payloadDigest is the digest of the block's payload, computed once when
// the block was built or its id checked.
func (b *Block) payloadDigest() protocols.Digest {
	if b.payload == 0 || len(b.Payload) != b.payloadLen || len(b.Payload) == 0 || &b.Payload[0] != b.payloadAt {
		return chained.PayloadDigest(b.Payload)
	}
	return b.payload
}

// stateAfter is chained.StateAfter(parent, b.payloadDigest()), the
// execution state after the block on parent's. Every replica executes the
// block on the same state: the last one computed is remembered in the
// block with the parent state and payload digest it came from.
func (b *Block) stateAfter(parent protocols.Digest) protocols.Digest {
	pd := b.payloadDigest()
	if m := &b.exec; m.state == 0 || m.parent != parent || m.payload != pd {
		m.parent, m.payload, m.state = parent, pd, chained.StateAfter(parent, pd)
	}
	return b.exec.state
}

// setPayloadDigest records pd as the digest of the block's payload.
func (b *Block) setPayloadDigest(pd protocols.Digest) {
	if len(b.Payload) == 0 {
		return // cheap to compute again
	}
	b.payload, b.payloadAt, b.payloadLen = pd, &b.Payload[0], len(b.Payload)
}

// Size is the block's encoded size.
func (b *Block) Size() int {
	if b == nil {
		return 0
	}
	pb := b.payloadBytes
	if pb == 0 {
		for _, q := range b.Payload {
			if q != nil {
				pb += q.Size()
			}
		}
	}
	return blockHeaderSize + pb + b.QC.Size()
}

func (b *Block) String() string {
	if b == nil {
		return "block{nil}"
	}
	return fmt.Sprintf("block{id:%x round:%d author:%d txns:%d qc:%v}", uint64(b.ID), b.Round, b.Author, len(b.Payload), b.QC)
}

// VoteInfo describes the block a vote is for.
type VoteInfo struct {
	ID          protocols.Digest // block id
	Round       int64            // block round
	ParentID    protocols.Digest
	ParentRound int64
	ExecStateID protocols.Digest // speculated execution state of the block
}

// Hash returns the digest of the vote info.
func (v *VoteInfo) Hash() protocols.Digest {
	h := chained.NewHasher(chained.TagVoteInfo)
	h.Add(uint64(v.ID))
	h.AddInt(v.Round)
	h.Add(uint64(v.ParentID))
	h.AddInt(v.ParentRound)
	h.Add(uint64(v.ExecStateID))
	return h.Sum()
}

// equal reports whether v and w are the same vote info: field by field,
// which costs less than the == of a five-field struct (a call to compare
// its memory).
func (v *VoteInfo) equal(w *VoteInfo) bool {
	return v.ID == w.ID && v.Round == w.Round && v.ParentID == w.ParentID && v.ParentRound == w.ParentRound && v.ExecStateID == w.ExecStateID
}

// LedgerCommitInfo is what a vote signs.
type LedgerCommitInfo struct {
	// CommitStateID is the state committed when the votes form a QC, or 0
	// (⊥) when no commit happens (the block does not extend its parent's
	// round by one: the 2-chain rule).
	CommitStateID protocols.Digest
	VoteInfoHash  protocols.Digest
}

// Hash returns the digest of the ledger commit info: what votes sign.
func (l *LedgerCommitInfo) Hash() protocols.Digest {
	h := chained.NewHasher(chained.TagLedgerCommit)
	h.Add(uint64(l.CommitStateID))
	h.Add(uint64(l.VoteInfoHash))
	return h.Sum()
}

// voteDigests remembers the digest of the last VoteInfo and of the last
// LedgerCommitInfo hashed through it, keyed by their whole value: a digest
// is a pure function of the record, so a remembered one is returned only
// for an equal record, and a different record replaces it. The zero value
// is empty (a digest is never 0).
type voteDigests struct {
	vi      VoteInfo
	viHash  protocols.Digest
	lci     LedgerCommitInfo
	lciHash protocols.Digest
}

// voteInfo returns vi.Hash().
func (m *voteDigests) voteInfo(vi *VoteInfo) protocols.Digest {
	if m.viHash == 0 || !m.vi.equal(vi) {
		m.vi, m.viHash = *vi, vi.Hash()
	}
	return m.viHash
}

// ledgerCommit returns l.Hash().
func (m *voteDigests) ledgerCommit(l *LedgerCommitInfo) protocols.Digest {
	if m.lciHash == 0 || m.lci != *l {
		m.lci, m.lciHash = *l, l.Hash()
	}
	return m.lciHash
}

// QC is a quorum certificate: a quorum of votes on one LedgerCommitInfo.
type QC struct {
	VoteInfo         VoteInfo
	LedgerCommitInfo LedgerCommitInfo
	// Signatures are the votes' signatures over LedgerCommitInfo.Hash(), by
	// distinct replicas.
	Signatures      []Signature
	Author          sim.NodeID
	AuthorSignature Signature // over qcSignaturesDigest

	memo uint64 // keyring fingerprint under which the QC was verified
	// certified and entered box the Certified and RoundChange observations
	// of the replicas that process this QC object.
	certified chained.ObservationMemo[protocols.Certified]
	entered   chained.ObservationMemo[protocols.RoundChange]
}

// Round is the round of the certified block.
func (qc *QC) Round() int64 { return qc.VoteInfo.Round }

// Size is the QC's encoded size.
func (qc *QC) Size() int {
	if qc == nil {
		return 0
	}
	return voteInfoSize + commitInfoSize + lengthSize + len(qc.Signatures)*signedBySize + signedBySize
}

func (qc *QC) String() string {
	if qc == nil {
		return "qc{nil}"
	}
	return fmt.Sprintf("qc{round:%d block:%x%s sigs:%d}", qc.VoteInfo.Round, uint64(qc.VoteInfo.ID), commitString(qc.LedgerCommitInfo.CommitStateID), len(qc.Signatures))
}

// signersDigest folds the signer ids of a signature list.
func signersDigest(sigs []Signature) protocols.Digest {
	h := chained.NewHasher(chained.TagQCSignatures)
	for _, s := range sigs {
		h.AddInt(int64(s.Signer))
	}
	return h.Sum()
}

// qcSignaturesDigest is what a QC's author signs: the signed digest and the
// signer set.
func qcSignaturesDigest(lci protocols.Digest, sigs []Signature) protocols.Digest {
	h := chained.NewHasher(chained.TagQCSignatures)
	h.Add(uint64(lci))
	h.Add(uint64(signersDigest(sigs)))
	return h.Sum()
}

// timeoutDigest is what a timeout signs: (round, high_qc.round).
func timeoutDigest(round, highQCRound int64) protocols.Digest {
	h := chained.NewHasher(chained.TagTimeout)
	h.AddInt(round)
	h.AddInt(highQCRound)
	return h.Sum()
}

// proposalDigest is what a proposal's author signs: the block id.
func proposalDigest(id protocols.Digest) protocols.Digest {
	h := chained.NewHasher(chained.TagProposal)
	h.Add(uint64(id))
	return h.Sum()
}

// TimeoutInfo is one replica's timeout of a round.
type TimeoutInfo struct {
	Round  int64
	HighQC *QC
	Sender sim.NodeID
	// Signature is over timeoutDigest(Round, HighQC.Round()).
	Signature Signature
}

// TC is a timeout certificate: a quorum of timeouts for one round.
type TC struct {
	Round int64
	// HighQCRounds[i] is the high-QC round of the timeout signed by
	// Signatures[i].
	HighQCRounds []int64
	Signatures   []Signature

	memo    uint64
	entered chained.ObservationMemo[protocols.RoundChange] // the RoundChange of the replicas it moves
}

// MaxHighQCRound is the highest high-QC round among the TC's timeouts.
func (tc *TC) MaxHighQCRound() int64 {
	m := int64(-1 << 62)
	for _, r := range tc.HighQCRounds {
		m = max(m, r)
	}
	return m
}

// Size is the TC's encoded size.
func (tc *TC) Size() int {
	if tc == nil {
		return 0
	}
	return roundSize + lengthSize + len(tc.Signatures)*(roundSize+signedBySize)
}

func (tc *TC) String() string {
	if tc == nil {
		return "tc{nil}"
	}
	return fmt.Sprintf("tc{round:%d sigs:%d max_hqc:%d}", tc.Round, len(tc.Signatures), tc.MaxHighQCRound())
}

// commitString shows a commit state id (" commit:…"), or nothing for ⊥
// (no commit: the 2-chain rule does not hold).
func commitString(id protocols.Digest) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf(" commit:%x", uint64(id))
}

// tcString shows a TC (" tc:…"), or nothing when there is none.
func tcString(tc *TC) string {
	if tc == nil {
		return ""
	}
	return " tc:" + tc.String()
}

// Proposal is a leader's block proposal, sent to every replica.
type Proposal struct {
	Block *Block
	// LastRoundTC is the TC for Block.Round−1 when Block.QC is not for that
	// round, else nil.
	LastRoundTC  *TC
	HighCommitQC *QC
	// Signature is the author's signature over proposalDigest(Block.ID).
	Signature Signature

	signed  signedMemo  // a verification of Signature (proposalSigned)
	checked checkedMemo // a whole check of the proposal (proposalValid)
}

// checkedMemo records that a proposal passed checkProposal under the keys
// of fingerprint, at a replica that takes blocks of at most blockSize
// requests, with the block, high commit QC, last-round TC and signature it
// had then.
type checkedMemo struct {
	fingerprint uint64
	blockSize   int
	block       *Block
	highCommit  *QC
	tc          *TC
	sig         Signature
}

// signedMemo records that signature sig over the digest of id verified
// under the keys of fingerprint.
type signedMemo struct {
	fingerprint uint64
	id          protocols.Digest
	sig         Signature
}

// Vote is a replica's vote, sent to the leader of the next round.
type Vote struct {
	VoteInfo         VoteInfo
	LedgerCommitInfo LedgerCommitInfo
	HighCommitQC     *QC
	Sender           sim.NodeID
	// Signature is over LedgerCommitInfo.Hash().
	Signature Signature
}

// Timeout is a replica's timeout message, sent to every replica.
type Timeout struct {
	Info         TimeoutInfo
	LastRoundTC  *TC
	HighCommitQC *QC
}

// SyncRequest asks a peer for the blocks from the requester's committed
// height up to Target.
type SyncRequest struct {
	Target          protocols.Digest
	TargetRound     int64
	CommittedHeight int64
	Sender          sim.NodeID
}

// SyncResponse carries a chain of blocks, oldest first. Each block is
// certified by the QC of its successor (the last one by the certificate
// that made the requester ask).
type SyncResponse struct {
	Target protocols.Digest
	Blocks []*Block
}

// Kind implements sim.Message.
func (*Proposal) Kind() string { return KindProposal }

// Kind implements sim.Message.
func (*Vote) Kind() string { return KindVote }

// Kind implements sim.Message.
func (*Timeout) Kind() string { return KindTimeout }

// Kind implements sim.Message.
func (*SyncRequest) Kind() string { return KindSyncRequest }

// Kind implements sim.Message.
func (*SyncResponse) Kind() string { return KindSyncResponse }

// Size implements sim.Message.
func (p *Proposal) Size() int {
	return headerSize + p.Block.Size() + 1 + p.LastRoundTC.Size() + p.HighCommitQC.Size() + sigSize
}

// Size implements sim.Message.
func (v *Vote) Size() int {
	return headerSize + voteInfoSize + commitInfoSize + v.HighCommitQC.Size() + signedBySize
}

// Size implements sim.Message.
func (t *Timeout) Size() int {
	return headerSize + timeoutInfoFixed + t.Info.HighQC.Size() + 1 + t.LastRoundTC.Size() + t.HighCommitQC.Size()
}

// Size implements sim.Message.
func (*SyncRequest) Size() int { return headerSize + digestSize + 2*roundSize + replicaSize + sigSize }

// Size implements sim.Message.
func (s *SyncResponse) Size() int {
	n := headerSize + digestSize + lengthSize
	for _, b := range s.Blocks {
		n += b.Size()
	}
	return n
}

func (p *Proposal) String() string {
	return fmt.Sprintf("proposal{%v%s hcqc:%v}", p.Block, tcString(p.LastRoundTC), p.HighCommitQC)
}

func (v *Vote) String() string {
	return fmt.Sprintf("vote{sender:%d round:%d block:%x parent_round:%d%s}", v.Sender, v.VoteInfo.Round, uint64(v.VoteInfo.ID), v.VoteInfo.ParentRound, commitString(v.LedgerCommitInfo.CommitStateID))
}

func (t *Timeout) String() string {
	return fmt.Sprintf("timeout{sender:%d round:%d high_qc:%v%s}", t.Info.Sender, t.Info.Round, t.Info.HighQC, tcString(t.LastRoundTC))
}

func (s *SyncRequest) String() string {
	return fmt.Sprintf("sync_request{sender:%d target:%x round:%d height:%d}", s.Sender, uint64(s.Target), s.TargetRound, s.CommittedHeight)
}

func (s *SyncResponse) String() string {
	return fmt.Sprintf("sync_response{target:%x blocks:%d}", uint64(s.Target), len(s.Blocks))
}
