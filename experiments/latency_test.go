package experiments

import (
	"fmt"
	"math"
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
		{n: 4, f: 0, delay: "10ms", rpl: 1, wantMS: 10 * twoChainDelaysF0(4)},
		{n: 4, f: 0, delay: "10ms", rpl: 2, wantMS: 10 * twoChainDelaysF0(4)},
		{n: 3, f: 0, delay: "10ms", rpl: 3, wantMS: 10 * twoChainDelaysF0(3)},
		{n: 7, f: 0, delay: "4ms", rpl: 2, wantMS: 4 * twoChainDelaysF0(7)},
		{n: 1, f: 0, delay: "10ms", rpl: 1, wantMS: 10 * twoChainDelaysF0(1)},
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

// twoChainDelaysF0 is the number of link delays one request takes on the
// idle 2-chain path with f = 0 (docs/diembft.md). The client needs one
// reply, so it is done when the first replica commits and replies: the
// leader of round r+2, which commits the request's block on forming QC_{r+1}
// after 5 delays, and replies after 6. That holds whenever a quorum needs a
// vote from another replica (n ≥ 2, where diembft.Quorum(n, 0) ≥ 2), so every
// step crosses the network. With n = 1 the replica's own vote is a quorum and
// only the request and the reply cross it: 2 delays.
func twoChainDelaysF0(n int) float64 {
	if diembft.Quorum(n, 0) == 1 {
		return 2
	}
	return 6
}
