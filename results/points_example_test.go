package results_test

import (
	"fmt"

	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

func ExamplePointsTrimmed() {
	// Five repetitions of one sweep point; one run did not converge.
	conv := func(s float64) *sim.Time { t := sim.Time(s * float64(sim.Second)); return &t }
	t := results.RunsTable{Params: []string{"replicas"}}
	for i, c := range []*sim.Time{conv(1.2), conv(0.9), nil, conv(1.0), conv(1.4)} {
		t.Rows = append(t.Rows, results.RunRow{
			Params:        []string{"4"},
			Verdict:       results.VerdictPass,
			ThroughputRPS: []float64{100, 96, 20, 104, 98}[i],
			Convergence:   c,
		})
	}
	for _, k := range []int{0, 1} {
		p := results.PointsTrimmed(t, k)[0]
		fmt.Printf("trim %d: throughput n=%d mean=%.1f, convergence n=%d mean=%.2f s (%d of %d converged)\n",
			k, p.ThroughputRPS.N, p.ThroughputRPS.Mean, p.ConvergenceS.N, p.ConvergenceS.Mean, p.Converged, p.Runs)
	}
	// Output:
	// trim 0: throughput n=5 mean=83.6, convergence n=4 mean=1.12 s (4 of 5 converged)
	// trim 1: throughput n=3 mean=98.0, convergence n=3 mean=1.20 s (4 of 5 converged)
}
