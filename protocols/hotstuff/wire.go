package hotstuff

import (
	"crypto/ed25519"
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Wire tags of HotStuff's messages.
const (
	wireProposal = protocols.TagProtocol + iota
	wireVote
	wireTimeout
	wireSyncRequest
	wireSyncResponse
)

// Smallest encodings, bounding counts read from untrusted bytes.
const (
	minSigWire   = 4 + 8 + 1 + 8
	minBlockWire = 4 + 8 + 8 + 4 + 1
)

// Codec is HotStuff's protocols.Codec: a tag byte, then the message's fields
// little-endian; optional parts (a QC, a TC) start with a presence byte.
type Codec struct{}

// Append implements protocols.Codec.
func (Codec) Append(buf []byte, msg sim.Message) ([]byte, error) {
	w := protocols.Writer{B: buf}
	var err error
	switch m := msg.(type) {
	case *Proposal:
		w.U8(wireProposal)
		w.Bool(m.Block != nil)
		if m.Block != nil {
			err = putBlock(&w, m.Block)
		}
		putTC(&w, m.LastRoundTC)
		putQC(&w, m.HighCommitQC)
		putSig(&w, m.Signature)
	case *Vote:
		w.U8(wireVote)
		putVoteInfo(&w, &m.VoteInfo)
		putLCI(&w, &m.LedgerCommitInfo)
		putQC(&w, m.HighCommitQC)
		w.Node(m.Sender)
		putSig(&w, m.Signature)
	case *Timeout:
		w.U8(wireTimeout)
		w.I64(m.Info.Round)
		putQC(&w, m.Info.HighQC)
		w.Node(m.Info.Sender)
		putSig(&w, m.Info.Signature)
		putTC(&w, m.LastRoundTC)
		putQC(&w, m.HighCommitQC)
	case *SyncRequest:
		w.U8(wireSyncRequest)
		w.U64(uint64(m.Target))
		w.I64(m.TargetRound)
		w.I64(m.CommittedHeight)
		w.Node(m.Sender)
	case *SyncResponse:
		w.U8(wireSyncResponse)
		w.U64(uint64(m.Target))
		w.Len(len(m.Blocks))
		for _, b := range m.Blocks {
			if b == nil {
				return buf, fmt.Errorf("hotstuff: sync_response with a nil block")
			}
			if err = putBlock(&w, b); err != nil {
				break
			}
		}
	default:
		return buf, fmt.Errorf("hotstuff: cannot encode message %T", msg)
	}
	if err != nil {
		return buf, err
	}
	return w.B, nil
}

// Decode implements protocols.Codec.
func (Codec) Decode(data []byte) (sim.Message, error) {
	if len(data) == 0 {
		return nil, protocols.ErrShort
	}
	r := protocols.NewReader(data[1:])
	var msg sim.Message
	switch data[0] {
	case wireProposal:
		m := &Proposal{}
		if r.Bool() {
			m.Block = getBlock(r)
		}
		m.LastRoundTC = getTC(r)
		m.HighCommitQC = getQC(r)
		m.Signature = getSig(r)
		msg = m
	case wireVote:
		m := &Vote{}
		m.VoteInfo = getVoteInfo(r)
		m.LedgerCommitInfo = getLCI(r)
		m.HighCommitQC = getQC(r)
		m.Sender = r.Node()
		m.Signature = getSig(r)
		msg = m
	case wireTimeout:
		m := &Timeout{}
		m.Info.Round = r.I64()
		m.Info.HighQC = getQC(r)
		m.Info.Sender = r.Node()
		m.Info.Signature = getSig(r)
		m.LastRoundTC = getTC(r)
		m.HighCommitQC = getQC(r)
		msg = m
	case wireSyncRequest:
		msg = &SyncRequest{Target: protocols.Digest(r.U64()), TargetRound: r.I64(), CommittedHeight: r.I64(), Sender: r.Node()}
	case wireSyncResponse:
		m := &SyncResponse{Target: protocols.Digest(r.U64())}
		n := r.Len(minBlockWire)
		for i := 0; i < n && r.Err() == nil; i++ {
			m.Blocks = append(m.Blocks, getBlock(r))
		}
		msg = m
	default:
		return nil, fmt.Errorf("hotstuff: unknown message tag %d", data[0])
	}
	if err := r.End(); err != nil {
		return nil, fmt.Errorf("hotstuff: %s: %w", msg.Kind(), err)
	}
	return msg, nil
}

func putSig(w *protocols.Writer, s Signature) {
	w.Node(s.Signer)
	w.U64(uint64(s.Digest))
	if s.ed != nil {
		w.U8(1)
		w.Bytes(s.ed[:])
		return
	}
	w.U8(0)
	w.U64(s.tag)
}

func getSig(r *protocols.Reader) Signature {
	s := Signature{Signer: r.Node(), Digest: protocols.Digest(r.U64())}
	switch r.U8() {
	case 0:
		s.tag = r.U64()
	case 1:
		if b := r.Bytes(ed25519.SignatureSize); b != nil {
			var e [ed25519.SignatureSize]byte
			copy(e[:], b)
			s.ed = &e
		}
	default:
		r.Fail(fmt.Errorf("bad signature kind"))
	}
	return s
}

func putSigs(w *protocols.Writer, sigs []Signature) {
	w.Len(len(sigs))
	for _, s := range sigs {
		putSig(w, s)
	}
}

func getSigs(r *protocols.Reader) []Signature {
	n := r.Len(minSigWire)
	if n == 0 {
		return nil
	}
	sigs := make([]Signature, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		sigs = append(sigs, getSig(r))
	}
	return sigs
}

func putVoteInfo(w *protocols.Writer, v *VoteInfo) {
	w.U64(uint64(v.ID))
	w.I64(v.Round)
	w.U64(uint64(v.ParentID))
	w.I64(v.ParentRound)
	w.U64(uint64(v.GrandparentID))
	w.I64(v.GrandparentRound)
	w.U64(uint64(v.ExecStateID))
}

func getVoteInfo(r *protocols.Reader) VoteInfo {
	return VoteInfo{ID: protocols.Digest(r.U64()), Round: r.I64(), ParentID: protocols.Digest(r.U64()), ParentRound: r.I64(), GrandparentID: protocols.Digest(r.U64()), GrandparentRound: r.I64(), ExecStateID: protocols.Digest(r.U64())}
}

func putLCI(w *protocols.Writer, l *LedgerCommitInfo) {
	w.U64(uint64(l.CommitStateID))
	w.U64(uint64(l.VoteInfoHash))
}

func getLCI(r *protocols.Reader) LedgerCommitInfo {
	return LedgerCommitInfo{CommitStateID: protocols.Digest(r.U64()), VoteInfoHash: protocols.Digest(r.U64())}
}

func putQC(w *protocols.Writer, qc *QC) {
	w.Bool(qc != nil)
	if qc == nil {
		return
	}
	putVoteInfo(w, &qc.VoteInfo)
	putLCI(w, &qc.LedgerCommitInfo)
	putSigs(w, qc.Signatures)
	w.Node(qc.Author)
	putSig(w, qc.AuthorSignature)
}

func getQC(r *protocols.Reader) *QC {
	if !r.Bool() {
		return nil
	}
	qc := &QC{VoteInfo: getVoteInfo(r), LedgerCommitInfo: getLCI(r)}
	qc.Signatures = getSigs(r)
	qc.Author = r.Node()
	qc.AuthorSignature = getSig(r)
	return qc
}

func putTC(w *protocols.Writer, tc *TC) {
	w.Bool(tc != nil)
	if tc == nil {
		return
	}
	w.I64(tc.Round)
	w.Len(len(tc.HighQCRounds))
	for _, h := range tc.HighQCRounds {
		w.I64(h)
	}
	putSigs(w, tc.Signatures)
}

func getTC(r *protocols.Reader) *TC {
	if !r.Bool() {
		return nil
	}
	tc := &TC{Round: r.I64()}
	n := r.Len(8)
	if n > 0 {
		tc.HighQCRounds = make([]int64, n)
		for i := range tc.HighQCRounds {
			tc.HighQCRounds[i] = r.I64()
		}
	}
	tc.Signatures = getSigs(r)
	return tc
}

func putBlock(w *protocols.Writer, b *Block) error {
	w.Node(b.Author)
	w.I64(b.Round)
	w.U64(uint64(b.ID))
	w.Len(len(b.Payload))
	for _, q := range b.Payload {
		if q == nil {
			return fmt.Errorf("hotstuff: block with a nil request")
		}
		if err := w.Request(q); err != nil {
			return err
		}
	}
	putQC(w, b.QC)
	return nil
}

// getBlock reads a block; its ID is the sender's claim, which receivers
// verify as they do in simulation.
func getBlock(r *protocols.Reader) *Block {
	b := &Block{Author: r.Node(), Round: r.I64(), ID: protocols.Digest(r.U64())}
	n := r.Len(protocols.RequestMinSize)
	for i := 0; i < n && r.Err() == nil; i++ {
		q := r.Request()
		if q == nil {
			break
		}
		b.Payload = append(b.Payload, q)
		b.payloadBytes += q.Size()
	}
	b.QC = getQC(r)
	return b
}
