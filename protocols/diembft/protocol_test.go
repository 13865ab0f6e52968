package diembft

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

func TestProtocolDescriptor(t *testing.T) {
	p := Protocol()
	protocols.NewRegistry(p) // complete and registrable
	if p.MaxFaulty(4) != 1 || p.MaxFaulty(7) != 2 || p.MaxFaulty(3) != 0 {
		t.Error("MaxFaulty is not ⌊(n−1)/3⌋")
	}
	if !p.IsNextLeaderKind(KindVote) || p.IsNextLeaderKind(KindProposal) {
		t.Error("votes must be the next-leader kind")
	}
	for _, k := range []string{KindProposal, KindVote, KindTimeout, KindSyncRequest, KindSyncResponse} {
		if !p.HasKind(k) {
			t.Errorf("missing kind %s", k)
		}
	}
	for _, a := range []string{AttrCurrentRound, AttrLeader, AttrHighestVoteRound, AttrHighestQCRound} {
		if _, ok := p.Attribute(a); !ok {
			t.Errorf("missing attribute %s", a)
		}
	}
	defaults := protocols.Defaults(p.Params)
	r, err := p.New(protocols.Config{ID: 0, N: 4, F: 1, Params: defaults})
	if err != nil || r == nil {
		t.Fatalf("New with defaults: %v", err)
	}
	bad := []protocols.Params{
		{"election": "lottery"},
		{"timer_factor": int64(0)},
		{"block_size": int64(0)},
		{"transmission_delay_bound": sim.Time(0)},
		{"window_size": "five"},
	}
	for _, b := range bad {
		if r, err := p.New(protocols.Config{ID: 0, N: 4, F: 1, Params: b}); err == nil || r != nil {
			t.Errorf("params %v accepted", b)
		}
	}
	if _, err := p.New(protocols.Config{ID: 0, N: 3, F: 2}); err == nil {
		t.Error("n too small for f accepted")
	}
	if _, err := p.New(protocols.Config{ID: 0, N: 4, F: 1, Behaviour: "byzantine"}); err == nil {
		t.Error("unknown behaviour accepted")
	}
}

func TestLegitimate(t *testing.T) {
	a := []protocols.Digest{1, 2, 3}
	tests := []struct {
		name  string
		snaps []protocols.Snapshot
		want  bool
	}{
		{"agree", []protocols.Snapshot{{Round: 5, Log: a}, {Round: 6, Log: a[:2]}}, true},
		{"rounds apart", []protocols.Snapshot{{Round: 5, Log: a}, {Round: 7, Log: a}}, false},
		{"fork", []protocols.Snapshot{{Round: 5, Log: a}, {Round: 5, Log: []protocols.Digest{1, 9}}}, false},
		{"lagging log", []protocols.Snapshot{{Round: 5, Log: a}, {Round: 5, Log: nil}}, false},
		{"empty", nil, true},
	}
	for _, tt := range tests {
		if got := Legitimate(4, 1, tt.snaps); got != tt.want {
			t.Errorf("%s: Legitimate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMessageSizes(t *testing.T) {
	_, gqc, _ := genesis()
	q := &protocols.Request{Client: 5, ID: 1, Payload: 100}
	b := newBlock(0, 0, []*protocols.Request{q}, gqc)
	p := &Proposal{Block: b, HighCommitQC: gqc}
	if p.Size() != headerSize+blockHeaderSize+q.Size()+2*gqc.Size()+1+sigSize {
		t.Errorf("proposal size %d", p.Size())
	}
	qc3 := &QC{Signatures: make([]Signature, 3)}
	if qc3.Size()-gqc.Size() != 3*signedBySize {
		t.Error("QC size does not grow by one signed-by per signature")
	}
	// Malformed messages from a Byzantine peer must not panic.
	for _, m := range []interface{ Size() int }{&Proposal{}, &Vote{}, &Timeout{}, &SyncResponse{Blocks: []*Block{nil}}, &Proposal{Block: &Block{Payload: []*protocols.Request{nil}}}} {
		_ = m.Size()
		_ = m.(interface{ String() string }).String()
	}
}
