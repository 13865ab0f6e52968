package hotstuff

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
	voteInfoSize     = 4*digestSize + 3*roundSize
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
	// committed boxes the Commit observation of the replicas that commit
	// this block object (see chained.ObservationMemo).
	committed chained.ObservationMemo[protocols.Commit]
}

// newBlock builds a block and computes its id.
func newBlock(author sim.NodeID, round int64, payload []*protocols.Request, qc *QC) *Block {
	b := &Block{Author: author, Round: round, Payload: payload, QC: qc}
	for _, q := range payload {
		b.payloadBytes += q.Size()
	}
	b.ID = blockID(b)
	return b
}

// blockID computes a block's id from its fields.
func blockID(b *Block) protocols.Digest {
	h := chained.NewHasher(chained.TagBlock)
	h.AddInt(int64(b.Author))
	h.AddInt(b.Round)
	h.Add(uint64(chained.PayloadDigest(b.Payload)))
	if b.QC != nil {
		h.Add(uint64(b.QC.VoteInfo.ID))
		h.Add(uint64(signersDigest(b.QC.Signatures)))
	}
	return h.Sum()
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
	return fmt.Sprintf("block{id:%x author:%d round:%d txns:%d qc:%v}", uint64(b.ID), b.Author, b.Round, len(b.Payload), b.QC)
}

// VoteInfo describes the block a vote is for.
type VoteInfo struct {
	ID          protocols.Digest // block id
	Round       int64            // block round
	ParentID    protocols.Digest
	ParentRound int64
	// GrandparentID and GrandparentRound are those of the block the
	// parent's QC certifies: a QC then shows the whole 3-chain.
	GrandparentID    protocols.Digest
	GrandparentRound int64
	ExecStateID      protocols.Digest // speculated execution state of the block
}

// Hash returns the digest of the vote info.
func (v *VoteInfo) Hash() protocols.Digest {
	h := chained.NewHasher(chained.TagVoteInfo)
	h.Add(uint64(v.ID))
	h.AddInt(v.Round)
	h.Add(uint64(v.ParentID))
	h.AddInt(v.ParentRound)
	h.Add(uint64(v.GrandparentID))
	h.AddInt(v.GrandparentRound)
	h.Add(uint64(v.ExecStateID))
	return h.Sum()
}

// LedgerCommitInfo is what a vote signs.
type LedgerCommitInfo struct {
	// CommitStateID is the state committed when the votes form a QC, or 0
	// (⊥) when no commit happens (the block, its parent and its
	// grandparent do not have consecutive rounds: the 3-chain rule).
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
	// of the replicas this QC object certifies a block for or moves.
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
	return fmt.Sprintf("qc{block:%x round:%d commit:%x sigs:%d}", uint64(qc.VoteInfo.ID), qc.VoteInfo.Round, uint64(qc.LedgerCommitInfo.CommitStateID), len(qc.Signatures))
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

// Proposal is a leader's block proposal, sent to every replica.
type Proposal struct {
	Block *Block
	// LastRoundTC is the TC for Block.Round−1 when Block.QC is not for that
	// round, else nil.
	LastRoundTC  *TC
	HighCommitQC *QC
	// Signature is the author's signature over proposalDigest(Block.ID).
	Signature Signature
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
	return fmt.Sprintf("proposal{%v tc:%v hcqc:%v}", p.Block, p.LastRoundTC, p.HighCommitQC)
}

func (v *Vote) String() string {
	return fmt.Sprintf("vote{sender:%d block:%x round:%d commit:%x}", v.Sender, uint64(v.VoteInfo.ID), v.VoteInfo.Round, uint64(v.LedgerCommitInfo.CommitStateID))
}

func (t *Timeout) String() string {
	return fmt.Sprintf("timeout{sender:%d round:%d high_qc:%v tc:%v}", t.Info.Sender, t.Info.Round, t.Info.HighQC, t.LastRoundTC)
}

func (s *SyncRequest) String() string {
	return fmt.Sprintf("sync_request{sender:%d target:%x round:%d height:%d}", s.Sender, uint64(s.Target), s.TargetRound, s.CommittedHeight)
}

func (s *SyncResponse) String() string {
	return fmt.Sprintf("sync_response{target:%x blocks:%d}", uint64(s.Target), len(s.Blocks))
}
