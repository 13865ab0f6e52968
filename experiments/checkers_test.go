package experiments

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// runChecks runs one experiment with overrides and returns its checks by
// name.
func runChecks(t *testing.T, file string, sets ...string) map[string]results.Check {
	t.Helper()
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := Load(file, reg, Options{Sets: append([]string{"output.plots=false"}, sets...)})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]results.Check{}
	for _, f := range rep.Failures {
		for _, c := range f.Checks {
			checks[c.Name] = c
		}
	}
	return checks
}

// TestCheckersCatchPlantedBugs turns on deliberately wrong DiemBFT rules
// and asserts that the checkers report the violation, while the same
// scenario with the correct rules passes the same check.
func TestCheckersCatchPlantedBugs(t *testing.T) {
	equivocator := `byzantine=[{replica=0, behaviour="equivocate"}]`
	silentRound5 := `fault=[{src="replica1", msg="*", rounds=[5], type="loss"}]`
	tests := []struct {
		name  string
		file  string
		sets  []string
		bug   string
		check string
		want  string
	}{
		{
			name:  "quorum of 2f (one less than 2f+1) certifies two blocks in a round",
			file:  "diembft/normal_operation.toml",
			sets:  []string{"protocol.n=4", "protocol.f=1", equivocator},
			bug:   "protocol.params.bug_small_quorum=true",
			check: "safety",
			want:  "certified",
		},
		{
			name:  "1-chain commit commits a block the others abandon",
			file:  "diembft/proposal_drop.toml",
			sets:  []string{"protocol.params.rounds_per_leader=1", silentRound5},
			bug:   "protocol.params.bug_one_chain_commit=true",
			check: "safety",
			want:  "committed",
		},
		{
			name:  "< for <= in safe_to_vote lets correct replicas vote twice in a round",
			file:  "diembft/normal_operation.toml",
			sets:  []string{"protocol.n=4", "protocol.f=1", `byzantine=[{replica=0, behaviour="equivocate_all"}]`},
			bug:   "protocol.params.bug_vote_lt=true",
			check: "safety",
			want:  "certified",
		},
		{
			name:  "votes to the current leader break the commit bound after GST",
			file:  "diembft/normal_operation.toml",
			bug:   "protocol.params.bug_vote_current_leader=true",
			check: "commit_bound",
			want:  "after replica",
		},
		{
			name:  "votes to the current leader never form certificates",
			file:  "diembft/normal_operation.toml",
			bug:   "protocol.params.bug_vote_current_leader=true",
			check: "liveness",
			want:  "timed out",
		},
	}
	// The planted bugs show in the reference scenarios under round-robin
	// leaders that propose whenever they can; the scenarios themselves run
	// the reference's reputation election and new-round proposals.
	roundRobin := []string{"protocol.params.election=round_robin", "protocol.params.propose_on=input"}
	for _, tt := range tests {
		tt.sets = append(append([]string(nil), roundRobin...), tt.sets...)
		t.Run(tt.name, func(t *testing.T) {
			if c, failed := runChecks(t, tt.file, tt.sets...)[tt.check]; failed && !c.OK {
				t.Fatalf("without the bug the %s check fails already: %s", tt.check, c.Detail)
			}
			c, failed := runChecks(t, tt.file, append(tt.sets, tt.bug)...)[tt.check]
			if !failed || c.OK {
				t.Fatalf("with %s the %s check passed", tt.bug, tt.check)
			}
			if !strings.Contains(c.Detail, tt.want) {
				t.Errorf("%s check detail does not mention %q: %s", tt.check, tt.want, c.Detail)
			}
		})
	}
}

// TestStopAtCommitTarget checks that [stop] commits ends a run once n − f
// correct replicas committed that many blocks.
func TestStopAtCommitTarget(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := Load("bench/peer-256.toml", reg, Options{Sets: []string{"protocol.n=4", "protocol.f=1", "stop.commits=10"}})
	if err != nil {
		t.Fatal(err)
	}
	rep := executePassing(t, plan, t.TempDir())
	s, err := results.ReadSummary(rep.Dir + "/runs/0/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.Ended != "3 replicas committed 10 entries" {
		t.Errorf("run ended %q", s.Ended)
	}
	if s.Commits < 30 || s.Commits > 40 {
		t.Errorf("%d commits observed, want 3 replicas × 10 (and the fourth's few)", s.Commits)
	}
}

// TestSafetyCheckerFarHeights: a commit at a height far beyond the others
// (a corrupted height) is checked like any other, and the table of heights
// does not grow to reach it.
func TestSafetyCheckerFarHeights(t *testing.T) {
	s := newSafetyChecker(3, []bool{false, false, false})
	for _, c := range []struct {
		node   sim.NodeID
		height int64
		digest protocols.Digest
	}{{0, 0, 1}, {1, 0, 1}, {0, 1 << 40, 2}, {1, 1 << 40, 3}, {2, 1 << 40, 2}, {2, 1, 4}, {0, 1, 5}} {
		s.commit(0, c.node, protocols.Commit{Height: c.height, Digest: c.digest})
	}
	if s.count != 2 {
		t.Errorf("%d violations (%q), want 2: height 1<<40 and height 1", s.count, s.violations)
	}
	if n := len(s.heights.near); n > 2 {
		t.Errorf("the table of heights holds %d entries, want 2 (heights 0 and 1)", n)
	}
}

// TestSafetyCheckerAgrees checks the inlined answers of the safety
// checker (commitAgrees, certifiedAgrees, with which the run skips the
// checker's call): an answer of agreement leaves the checker as it was
// (no violation, nothing recorded), and a correct replica's first commit or
// certificate of a height or round, or a conflicting one, is not
// answered so.
func TestSafetyCheckerAgrees(t *testing.T) {
	far := int64(maxSeenGap) * 3
	type obs struct {
		node     sim.NodeID
		n        int64 // height or round
		digest   protocols.Digest
		mustPass bool // a first or conflicting one: must reach the checker
	}
	steps := []obs{
		{0, 0, 1, true}, {1, 0, 1, false}, {3, 0, 2, false}, {1, 0, 2, true}, {2, 0, 1, false},
		{0, 1, 5, true}, {3, 1, 6, false}, {1, 1, 6, true}, {0, far, 7, true}, {1, far, 7, false},
		{2, far, 8, true}, {0, -1, 9, false}, {1, 2, 3, true}, {2, 2, 3, false},
	}
	for _, kind := range []string{"commit", "certified"} {
		t.Run(kind, func(t *testing.T) {
			s := newSafetyChecker(4, []bool{false, false, false, true})
			for i, o := range steps {
				if kind == "certified" && o.n < 0 {
					continue // a negative round is a round like another for certificates
				}
				before := fmt.Sprintf("%+v", *s)
				var agrees bool
				if kind == "commit" {
					c := protocols.Commit{Height: o.n, Digest: o.digest}
					agrees = s.commitAgrees(o.node, c)
					s.commit(0, o.node, c)
				} else {
					c := protocols.Certified{Round: o.n, Digest: o.digest}
					agrees = s.certifiedAgrees(o.node, c)
					s.certified(0, o.node, c)
				}
				after := fmt.Sprintf("%+v", *s)
				if agrees && after != before {
					t.Errorf("step %d %+v: answered as agreeing, but the checker changed", i, o)
				}
				if agrees && o.mustPass {
					t.Errorf("step %d %+v: a first or conflicting observation answered as agreeing", i, o)
				}
			}
			if s.count != 3 {
				t.Errorf("%d violations (%q), want 3", s.count, s.violations)
			}
		})
	}
}

// TestSafetyCheckerCertificates: two different blocks certified for one
// round are a violation, whatever the round (dense, far beyond the others,
// negative) and however the rounds come; the same block certified again is
// not, nor is a Byzantine replica's observation.
func TestSafetyCheckerCertificates(t *testing.T) {
	type cert struct {
		node   sim.NodeID
		round  int64
		digest protocols.Digest
	}
	far := int64(maxSeenGap) * 3
	// A round first seen beyond the table's reach, then within it once
	// the rounds between were seen.
	var reached []cert
	reached = append(reached, cert{0, far, 1})
	for r := int64(0); r < far; r += maxSeenGap / 2 {
		reached = append(reached, cert{1, r, 5})
	}
	reached = append(reached, cert{1, far, 2}, cert{2, far, 2})
	for _, c := range []struct {
		name  string
		certs []cert
		want  int
	}{
		{"dense, agreeing", []cert{{0, 1, 7}, {1, 1, 7}, {0, 2, 8}, {2, 2, 8}, {1, 0, 9}, {0, 0, 9}}, 0},
		{"dense, conflicting", []cert{{0, 1, 7}, {1, 1, 8}, {2, 1, 7}, {0, 2, 8}, {2, 2, 9}}, 2},
		{"out of order", []cert{{0, 5, 1}, {1, 3, 2}, {2, 5, 1}, {2, 3, 3}}, 1},
		{"at the gap's edge", []cert{{0, maxSeenGap - 1, 1}, {1, maxSeenGap - 1, 2}, {0, 2*maxSeenGap - 1, 1}, {1, 2*maxSeenGap - 1, 1}}, 1},
		{"far", []cert{{0, far, 1}, {1, far, 2}, {0, 1 << 40, 3}, {2, 1 << 40, 3}, {1, 1 << 40, 4}}, 2},
		{"reached", reached, 2},
		{"negative", []cert{{0, -1, 1}, {1, -1, 2}, {2, -5, 3}, {0, -5, 3}}, 1},
		{"byzantine", []cert{{0, 1, 1}, {3, 1, 2}, {3, far, 2}, {0, far, 1}}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSafetyChecker(4, []bool{false, false, false, true})
			for i, ce := range c.certs {
				s.certified(sim.Time(i), ce.node, protocols.Certified{Round: ce.round, Digest: ce.digest})
			}
			if s.count != c.want {
				t.Errorf("%d violations (%q), want %d", s.count, s.violations, c.want)
			}
		})
	}
}
