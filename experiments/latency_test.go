package experiments

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
)

// TestTwoChainLatency checks the median request latency against the
// message-count analysis of the 2-chain commit path (docs/diembft.md): with
// constant link delay d, no CPU cost and one request at a time, a request
// completes after 7d (request, proposal, votes, proposal carrying the QC,
// votes, proposal carrying the commit QC, replies) when f >= 1, and after
// twoChainDelaysF0 link delays when f = 0.
func TestTwoChainLatency(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	tests := []struct {
		n, f   int
		delay  string
		rpl    int
		wantMS float64
	}{
		{n: 4, f: 1, delay: "10ms", rpl: 2, wantMS: 70},
		{n: 4, f: 1, delay: "3ms", rpl: 1, wantMS: 21},
		{n: 7, f: 2, delay: "25ms", rpl: 2, wantMS: 175},
		{n: 10, f: 3, delay: "40ms", rpl: 1, wantMS: 280},
		{n: 16, f: 5, delay: "1ms", rpl: 3, wantMS: 7},
		// f = 0: a replica's messages to itself do not cross the network.
		{n: 4, f: 0, delay: "10ms", rpl: 1, wantMS: 10 * twoChainDelaysF0(4, 1, 50)},
		{n: 4, f: 0, delay: "10ms", rpl: 2, wantMS: 10 * twoChainDelaysF0(4, 2, 50)},
		{n: 3, f: 0, delay: "10ms", rpl: 3, wantMS: 10 * twoChainDelaysF0(3, 3, 50)},
		{n: 7, f: 0, delay: "4ms", rpl: 2, wantMS: 4 * twoChainDelaysF0(7, 2, 50)},
		{n: 1, f: 0, delay: "10ms", rpl: 1, wantMS: 10 * twoChainDelaysF0(1, 1, 50)},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("n=%d,f=%d,d=%s,rounds_per_leader=%d", tt.n, tt.f, tt.delay, tt.rpl)
		t.Run(name, func(t *testing.T) {
			plan, err := Load("testdata/two-chain-latency.toml", reg, Options{Sets: []string{
				fmt.Sprintf("protocol.n=%d", tt.n), fmt.Sprintf("protocol.f=%d", tt.f),
				fmt.Sprintf("network.delay.value=%q", tt.delay),
				fmt.Sprintf("protocol.params.rounds_per_leader=%d", tt.rpl),
			}})
			if err != nil {
				t.Fatal(err)
			}
			rep := executePassing(t, plan, t.TempDir())
			s, err := results.ReadSummary(rep.Dir + "/runs/0/summary.json")
			if err != nil {
				t.Fatal(err)
			}
			if s.RequestsCompleted != 50 {
				t.Fatalf("%d requests completed, want 50", s.RequestsCompleted)
			}
			got := float64(s.LatencyMS.P50)
			if math.Abs(got-tt.wantMS) > 0.01*tt.wantMS {
				t.Errorf("median latency %.3f ms, want %.3f ms within 1%%", got, tt.wantMS)
			}
		})
	}
}

// twoChainDelaysF0 is the median, over requests 0 … count−1, of the link
// delays one request takes on the idle 2-chain path with f = 0
// (docs/diembft.md): a quorum is one vote, so the leader's own vote, which
// does not cross the network, certifies its block. Request k reaches the
// leader of round r = 3k (each request moves the chain by three rounds:
// its block, the empty block that certifies it, the empty block that
// commits the latter); the request and the reply cost one delay each, and
// the vote from round r to r+1 and from r+1 to r+2 one delay each only when
// the two rounds have different leaders (leader(r) = ⌊r / rpl⌋ mod n).
func twoChainDelaysF0(n, rpl, count int) float64 {
	leader := func(r int) int { return r / rpl % n }
	delays := make([]float64, count)
	for k := range delays {
		r := 3 * k
		d := 2
		for _, step := range [][2]int{{r, r + 1}, {r + 1, r + 2}} {
			if leader(step[0]) != leader(step[1]) {
				d++
			}
		}
		delays[k] = float64(d)
	}
	slices.Sort(delays)
	return delays[count/2]
}
