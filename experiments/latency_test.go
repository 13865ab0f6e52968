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
// votes, proposal carrying the commit QC, replies) when f >= 1.
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
	}
	for _, tt := range tests {
		name := fmt.Sprintf("n=%d,d=%s,rounds_per_leader=%d", tt.n, tt.delay, tt.rpl)
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
				t.Errorf("median latency %.3f ms, want %.3f ms (7 link delays) within 1%%", got, tt.wantMS)
			}
		})
	}
}
