package hotstuff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// leaderSends starts replica 0 of n = 4, the leader of round 0, under
// behaviour b with two requests in its mempool, and describes what it
// sends: "proposal>all A" for a broadcast, "proposal>j B" for a send to j,
// where A, B, … name the distinct blocks in order of first appearance.
func leaderSends(t *testing.T, b string) (*Replica, []string) {
	t.Helper()
	r, err := New(protocols.Config{ID: 0, N: 4, F: 1, Params: protocols.Params{}, Seed: 7, Behaviour: b})
	if err != nil {
		t.Fatal(err)
	}
	r.Preload(&protocols.Request{Client: -1, ID: 1, Op: protocols.OpAppend, Value: 1}, &protocols.Request{Client: -1, ID: 2, Op: protocols.OpAppend, Value: 2})
	env := newFakeEnv(0, 4)
	r.Start(env)
	blocks := map[protocols.Digest]string{}
	var out []string
	for _, s := range env.take() {
		p, ok := s.msg.(*Proposal)
		if !ok {
			out = append(out, fmt.Sprintf("%s>%d", s.msg.Kind(), s.to))
			continue
		}
		name, seen := blocks[p.Block.ID]
		if !seen {
			name = string(rune('A' + len(blocks)))
			blocks[p.Block.ID] = name
		}
		to := "all"
		if s.to != sim.None {
			to = fmt.Sprint(s.to)
		}
		out = append(out, fmt.Sprintf("proposal>%s %s", to, name))
	}
	return r, out
}

// TestBehaviourProposals is what the round-0 leader sends under each
// behaviour, and whether its safety rules let it vote twice in a round.
func TestBehaviourProposals(t *testing.T) {
	for _, tc := range []struct {
		behaviour  string
		want       []string
		votesTwice bool
	}{
		{"", []string{"proposal>all A"}, false},
		{BehaviourSilent, nil, false},
		{BehaviourDoubleVote, []string{"proposal>all A"}, true},
		// Halves: replicas 0-1 see fork A, 2-3 fork B; itself both.
		{BehaviourEquivocate, []string{"proposal>0 A", "proposal>0 B", "proposal>1 A", "proposal>2 B", "proposal>3 B"}, true},
		{BehaviourEquivocateAll, []string{"proposal>0 A", "proposal>0 B", "proposal>1 A", "proposal>1 B", "proposal>2 A", "proposal>2 B", "proposal>3 A", "proposal>3 B"}, true},
	} {
		t.Run(tc.behaviour, func(t *testing.T) {
			r, got := leaderSends(t, tc.behaviour)
			if !slices.Equal(got, tc.want) {
				t.Errorf("sends:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if r.safety.revote != tc.votesTwice {
				t.Errorf("votes twice: %v, want %v", r.safety.revote, tc.votesTwice)
			}
			if r.Behaviour() != tc.behaviour {
				t.Errorf("Behaviour() = %q, want %q", r.Behaviour(), tc.behaviour)
			}
		})
	}
}

// TestBehaviourSwitchBackHonest: after any behaviour and back to honest,
// the leader proposes one block to everyone and its safety rules are the
// honest ones.
func TestBehaviourSwitchBackHonest(t *testing.T) {
	for _, b := range behaviours().Named() {
		r, err := New(protocols.Config{ID: 0, N: 4, F: 1, Params: protocols.Params{}, Seed: 7, Behaviour: b.Name})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.SetBehaviour("lying"); err == nil || r.Behaviour() != b.Name {
			t.Fatalf("%s: unknown behaviour accepted or behaviour lost (%v, now %q)", b.Name, err, r.Behaviour())
		}
		if err := r.SetBehaviour(""); err != nil {
			t.Fatal(err)
		}
		r.Preload(&protocols.Request{Client: -1, ID: 1, Op: protocols.OpAppend, Value: 1})
		env := newFakeEnv(0, 4)
		r.Start(env)
		if got := env.broadcasts(KindProposal); got != 1 || len(env.sent) != 1 || r.safety.revote {
			t.Errorf("%s then honest: %d proposal broadcasts of %d sends, votes twice %v", b.Name, got, len(env.sent), r.safety.revote)
		}
	}
}
