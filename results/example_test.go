package results_test

import (
	"fmt"

	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

func ExampleQuantile() {
	sorted := []sim.Time{10, 20, 30, 40}
	for _, q := range []float64{0.5, 0.75, 0.9} {
		fmt.Println(q, results.Quantile(q, sorted))
	}
	// Output:
	// 0.5 20
	// 0.75 30
	// 0.9 40
}

func ExampleLatency() {
	l := results.NewLatency()
	l.Add("write", 0, 12*sim.Millisecond)
	l.Add("write", 5*sim.Millisecond, 30*sim.Millisecond)
	l.Add("read", 0, 4*sim.Millisecond)
	s := l.Overall()
	fmt.Println(l.Total(), s.P50, s.Max, l.Workloads())
	// Output: 3 12 30 [read write]
}
