package diembft

import (
	"sort"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestTwinsClassify: Twins' drop rules see proposals, votes and timeouts
// by their types, and everything else as other.
func TestTwinsClassify(t *testing.T) {
	tw := Protocol().Twins
	if tw == nil {
		t.Fatal("DiemBFT declares no Twins support")
	}
	tests := []struct {
		msg  sim.Message
		want protocols.MessageClass
	}{
		{&Proposal{}, protocols.ClassProposal},
		{&Vote{}, protocols.ClassVote},
		{&Timeout{}, protocols.ClassTimeout},
		{&SyncRequest{}, protocols.ClassOther},
		{&SyncResponse{}, protocols.ClassOther},
		{&protocols.Request{}, protocols.ClassOther},
		{&protocols.Reply{}, protocols.ClassOther},
	}
	for _, tt := range tests {
		if got := tw.Classify(tt.msg); got != tt.want {
			t.Errorf("Classify(%T) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// TestTwinsParams: each planted bug switches on its own rule in the
// replica's settings and no other; the parameters carry Δ, the timer
// factor and one transaction per block; an unknown bug is an error naming
// the allowed ones.
func TestTwinsParams(t *testing.T) {
	tw := Protocol().Twins
	tests := []struct {
		bug  string
		want Bugs
	}{
		{"", Bugs{}},
		{BugConflictingVotes, Bugs{VoteLT: true}},
		{BugOneChainCommit, Bugs{OneChainCommit: true}},
		{BugSmallQuorum, Bugs{SmallQuorum: true}},
		{BugVoteToCurrentLeader, Bugs{VoteCurrentLeader: true}},
	}
	for _, tt := range tests {
		var bugs []string
		if tt.bug != "" {
			bugs = []string{tt.bug}
		}
		p, err := tw.Params(800*sim.Millisecond, 5, bugs)
		if err != nil {
			t.Fatalf("%q: %v", tt.bug, err)
		}
		s, err := parseParams(p, 1)
		if err != nil {
			t.Fatalf("%q: %v", tt.bug, err)
		}
		if s.bugs != tt.want || s.delta != 800*sim.Millisecond || s.roundTimer != 4*sim.Second || s.blockSize != 1 {
			t.Errorf("%q: bugs %+v, Δ %v, round timer %v, block size %d; want bugs %+v, Δ 800ms, timer 4s, block size 1",
				tt.bug, s.bugs, s.delta, s.roundTimer, s.blockSize, tt.want)
		}
		if tt.bug != "" {
			b, ok := tw.Bug(tt.bug)
			if by, ok2 := tw.BugByParam(b.Param); !ok || !ok2 || by.Name != tt.bug || p[b.Param] != true {
				t.Errorf("%q: Bug/BugByParam disagree with the parameters (%+v)", tt.bug, b)
			}
		}
	}
	if _, err := tw.Params(sim.Second, 4, []string{"typo"}); err == nil || !strings.Contains(err.Error(), "allowed: conflicting_votes, one_chain_commit, small_quorum, vote_to_current_leader") {
		t.Errorf("unknown bug: %v", err)
	}
	if !sort.StringsAreSorted(tw.BugNames()) {
		t.Errorf("bugs not sorted: %v", tw.BugNames())
	}
	if tw.Quorum(4, 1) != 3 || tw.Quorum(5, 1) != 4 || tw.Quorum(7, 2) != 5 {
		t.Error("Twins quorum is not ⌈(n+f+1)/2⌉")
	}
	if _, ok := Protocol().Param(tw.DeltaParam); !ok {
		t.Errorf("DeltaParam %q is no parameter", tw.DeltaParam)
	}
	if _, ok := Protocol().Param(tw.TimerFactorParam); !ok {
		t.Errorf("TimerFactorParam %q is no parameter", tw.TimerFactorParam)
	}
}
