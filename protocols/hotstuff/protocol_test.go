package hotstuff

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
	for _, a := range []string{AttrCurrentRound, AttrLeader, AttrHighestVoteRound, AttrLockedRound} {
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

// snap is a snapshot of a replica in round with committed log, whose own
// state is legitimate unless edit changes it.
func snap(round int64, log []protocols.Digest, edit func(*State)) protocols.Snapshot {
	st := State{Round: round, Height: int64(len(log)), HighestVoteRound: round, LockedRound: round - 2,
		HighQCRound: round - 1, HighQCKnown: true, TimerArmed: true}
	if edit != nil {
		edit(&st)
	}
	return protocols.Snapshot{Round: round, Log: log, State: st}
}

// TestLegitimate proves the predicate true on legitimate states and false
// on hand-made illegitimate ones, each breaking one clause.
func TestLegitimate(t *testing.T) {
	a := []protocols.Digest{1, 2, 3}
	tests := []struct {
		name  string
		snaps []protocols.Snapshot
		want  bool
	}{
		{"agree", []protocols.Snapshot{snap(5, a, nil), snap(6, a[:2], nil)}, true},
		{"one replica", []protocols.Snapshot{snap(5, a, nil)}, true},
		{"empty", nil, true},
		{"rounds apart", []protocols.Snapshot{snap(5, a, nil), snap(7, a, nil)}, false},
		{"fork", []protocols.Snapshot{snap(5, a, nil), snap(5, []protocols.Digest{1, 9}, nil)}, false},
		{"lagging log", []protocols.Snapshot{snap(5, a, nil), snap(5, nil, nil)}, false},
		{"voted in a future round", []protocols.Snapshot{snap(5, a, nil), snap(5, a, func(s *State) { s.HighestVoteRound = 1000 })}, false},
		{"lock ahead", []protocols.Snapshot{snap(5, a, func(s *State) { s.LockedRound = 9 }), snap(5, a, nil)}, false},
		{"high qc ahead", []protocols.Snapshot{snap(5, a, func(s *State) { s.HighQCRound = 5 }), snap(5, a, nil)}, false},
		{"high qc of an unknown block", []protocols.Snapshot{snap(5, a, func(s *State) { s.HighQCKnown = false }), snap(5, a, nil)}, false},
		{"timer stopped", []protocols.Snapshot{snap(5, a, nil), snap(5, a, func(s *State) { s.TimerArmed = false })}, false},
		{"no state", []protocols.Snapshot{{Round: 5, Log: a}}, false},
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
