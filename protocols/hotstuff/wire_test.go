package hotstuff

import (
	"crypto/ed25519"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/wiretest"
	"github.com/byzsim/byzsim/sim"
)

// wireSamples are messages of every kind, with every optional part present
// and absent, and both kinds of signature.
func wireSamples() []sim.Message {
	var ed [ed25519.SignatureSize]byte
	for i := range ed {
		ed[i] = byte(i)
	}
	sig := Signature{Signer: 2, Digest: 77, tag: 99}
	edSig := Signature{Signer: 1, Digest: 78, ed: &ed}
	vi := VoteInfo{ID: 1, Round: 5, ParentID: 2, ParentRound: 4, GrandparentID: 4, GrandparentRound: 3, ExecStateID: 3}
	qc := &QC{VoteInfo: vi, LedgerCommitInfo: LedgerCommitInfo{CommitStateID: 9, VoteInfoHash: 8}, Signatures: []Signature{sig, edSig}, Author: 3, AuthorSignature: sig}
	tc := &TC{Round: 6, HighQCRounds: []int64{4, 5}, Signatures: []Signature{sig, sig}}
	req := &protocols.Request{Client: 5, ID: 3, Op: protocols.OpAppend, Value: -7, Payload: 12}
	block := newBlock(1, 6, []*protocols.Request{req, {Client: 6, ID: 1, Op: protocols.OpNoop}}, qc)
	return []sim.Message{
		&Proposal{Block: block, LastRoundTC: tc, HighCommitQC: qc, Signature: edSig},
		&Proposal{Block: newBlock(0, 1, nil, nil), Signature: sig},
		&Proposal{},
		&Vote{VoteInfo: vi, LedgerCommitInfo: qc.LedgerCommitInfo, HighCommitQC: qc, Sender: 2, Signature: sig},
		&Vote{VoteInfo: vi, Sender: 0, Signature: edSig},
		&Timeout{Info: TimeoutInfo{Round: 7, HighQC: qc, Sender: 1, Signature: sig}, LastRoundTC: tc, HighCommitQC: qc},
		&Timeout{Info: TimeoutInfo{Round: 1, Sender: 0, Signature: sig}},
		&SyncRequest{Target: 4, TargetRound: 3, CommittedHeight: 2, Sender: 1},
		&SyncResponse{Target: 4, Blocks: []*Block{block, newBlock(2, 7, nil, qc)}},
		&SyncResponse{Target: 5},
		req,
		&protocols.Reply{Client: 4, ID: 2, Replica: 1, Result: 11},
	}
}

func wireCodec() protocols.WireCodec { return protocols.WireCodec{Proto: Codec{}} }

// TestWireRoundTrip compares kinds and sizes: the in-memory parts of a
// message (memoized verification, cached payload sizes) do not travel, and
// the re-encoding must give the same bytes.
func TestWireRoundTrip(t *testing.T) {
	wiretest.RoundTrip(t, wireCodec(), wireSamples(), wiretest.SameKindAndSize)
}

func TestWireSignaturesSurvive(t *testing.T) {
	k := newKeyring(1, 0, 4, 3, true)
	s := k.sign(42)
	m := &Vote{Sender: 0, Signature: s}
	data, err := Codec{}.Append(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Codec{}.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	verifier := newKeyring(1, 1, 4, 3, true)
	if !verifier.verify(got.(*Vote).Signature, 42) {
		t.Fatal("a real signature does not verify after a round trip")
	}
	if verifier.verify(got.(*Vote).Signature, 43) {
		t.Fatal("a decoded signature verifies another digest")
	}
}

func TestWireRejects(t *testing.T) {
	wiretest.Rejects(t, wireCodec(), map[string][]byte{
		"empty":        {},
		"unknown tag":  {200},
		"huge count":   {wireSyncResponse, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff},
		"bad presence": {wireProposal, 2},
	})
}

// FuzzDecodeWire: whatever decodes re-encodes into a message of the same
// kind and size.
func FuzzDecodeWire(f *testing.F) {
	wiretest.Fuzz(f, wireCodec(), wireSamples(), wiretest.SameKindAndSize)
}

// BenchmarkWire encodes and decodes a proposal carrying a QC, a TC and two
// requests, one signature of Ed25519 size.
func BenchmarkWire(b *testing.B) {
	c := wireCodec()
	m := wireSamples()[0]
	buf, _ := c.Append(nil, m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = c.Append(buf[:0], m)
		if _, err := c.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
