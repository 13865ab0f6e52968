package hotstuff_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/hotstuff"
	"github.com/byzsim/byzsim/results"
)

// TestThreeChainLatency checks the median request latency against the
// message-count analysis of the 3-chain commit path (docs/hotstuff.md):
// with constant link delay d, no CPU cost and one request at a time, a
// request completes after 9d (request, proposal, votes, and two more
// proposal-vote rounds before the QC that closes the 3-chain forms, then
// the proposal carrying it, and the replies) when f >= 1, two link delays
// more than DiemBFT's 7d, and after threeChainDelaysF0 link delays when
// f = 0. It runs every (n, f) with n = 3f+1 and n > 3f+1 up to n = 10.
func TestThreeChainLatency(t *testing.T) {
	reg := protocols.NewRegistry(hotstuff.Protocol())
	type point struct {
		n, f  int
		delay float64 // ms
		rpl   int
	}
	var tests []point
	delays := []float64{10, 3, 25, 40, 1}
	for n := 1; n <= 10; n++ {
		for f := 0; f <= hotstuff.MaxFaulty(n); f++ {
			rpl := 1 + (n+f)%3
			if hotstuff.Quorum(n, f) == 2 {
				rpl = 1 // see threeChainDelays
			}
			tests = append(tests, point{n: n, f: f, delay: delays[(n+f)%len(delays)], rpl: rpl})
		}
	}
	tests = append(tests, point{n: 16, f: 5, delay: 2, rpl: 2})
	for _, tt := range tests {
		want := tt.delay * threeChainDelays(tt.n, tt.f)
		if tt.rpl != 1 && hotstuff.Quorum(tt.n, tt.f) == 2 {
			t.Fatalf("no closed form for a quorum of 2 with rounds_per_leader %d", tt.rpl)
		}
		name := fmt.Sprintf("n=%d,f=%d,d=%gms,rounds_per_leader=%d", tt.n, tt.f, tt.delay, tt.rpl)
		t.Run(name, func(t *testing.T) {
			plan, err := experiments.Load("testdata/three-chain-latency.toml", reg, experiments.Options{Sets: []string{
				fmt.Sprintf("protocol.n=%d", tt.n), fmt.Sprintf("protocol.f=%d", tt.f),
				fmt.Sprintf("network.delay.value=\"%gms\"", tt.delay),
				fmt.Sprintf("protocol.params.rounds_per_leader=%d", tt.rpl),
			}})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: t.TempDir(), Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 0 {
				t.Fatalf("run failed its checks: %+v", rep.Failures[0].Checks)
			}
			s, err := results.ReadSummary(filepath.Join(rep.Dir, experiments.RunsDir, plan.Runs[0].ID, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if s.RequestsCompleted != 50 {
				t.Fatalf("%d requests completed, want 50", s.RequestsCompleted)
			}
			if got := float64(s.LatencyMS.P50); math.Abs(got-want) > 0.01*want {
				t.Errorf("median latency %.3f ms, want %.3f ms within 1%%", got, want)
			}
		})
	}
}

// threeChainDelays is the number of link delays one request takes on the
// idle 3-chain path (docs/hotstuff.md): 9 when f ≥ 1 (the client needs
// f+1 replies, so it waits for the replicas that learn the commit from the
// proposal carrying QC_{r+2}); 8 when f = 0 and the quorum is at least 3
// (n ≥ 4: one reply, from the leader that formed QC_{r+2}); 2 for n = 1,
// whose own vote is a quorum, so only the request and the reply cross the
// network. With a quorum of 2 (n = 2, 3 and f = 0) and a new leader every
// round, the vote the round's leader sends itself the moment it proposes
// reaches the next leader together with the proposal, which then adds its
// own: a round takes d instead of 2d, and the request 1 + 3 + 1 = 5 delays.
// (With a leader for several rounds this depends on where in its turn the
// request arrives, so the test keeps rounds_per_leader = 1 there.)
func threeChainDelays(n, f int) float64 {
	switch q := hotstuff.Quorum(n, f); {
	case q == 1:
		return 2
	case q == 2:
		return 5
	case f == 0:
		return 8
	}
	return 9
}
