package hotstuff

import (
	"fmt"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestEveryNF runs every (n, f) the protocol accepts for n = 1 … 10: fault
// free, every request completes without a timeout; with the first f
// replicas crashed (replica0 leads rounds 0 and 1), every request still
// completes through timeouts, and the correct replicas' logs agree.
func TestEveryNF(t *testing.T) {
	for n := 1; n <= 10; n++ {
		for f := 0; f <= MaxFaulty(n); f++ {
			for _, crash := range []bool{false, true} {
				if crash && f == 0 {
					continue
				}
				t.Run(fmt.Sprintf("n=%d/f=%d/crash=%v", n, f, crash), func(t *testing.T) {
					c := newCluster(t, clusterOpts{n: n, f: f, costs: protocols.DefaultCosts()})
					c.client.batch(0, 20)
					var ids []int
					for i := range n {
						if crash && i < f {
							c.w.Crash(sim.NodeID(i))
							continue
						}
						ids = append(ids, i)
					}
					c.runUntilDone(60 * sim.Second)
					if got := len(c.client.done); got != 20 {
						t.Fatalf("completed %d/20 requests by %v", got, c.w.Now())
					}
					if c.client.conflict {
						t.Fatal("client saw conflicting results")
					}
					if err := consistent(c.correct(ids...)); err != nil {
						t.Fatal(err)
					}
					if err := c.oneCertPerRound(); err != nil {
						t.Fatal(err)
					}
					if !crash && c.timeouts != 0 {
						t.Errorf("%d timeouts in a fault-free run", c.timeouts)
					}
					if crash && c.timeouts == 0 {
						t.Error("no timeout with a crashed leader")
					}
				})
			}
		}
	}
}

// TestNewRejectsBadNF: n < 3f+1 is refused at every n.
func TestNewRejectsBadNF(t *testing.T) {
	for n := 1; n <= 10; n++ {
		f := MaxFaulty(n) + 1
		if _, err := New(protocols.Config{ID: 0, N: n, F: f}); err == nil {
			t.Errorf("n = %d, f = %d accepted", n, f)
		}
	}
}
