package results

import (
	"math"

	"github.com/byzsim/byzsim/sim"
)

// LatencyStats are the headline latency figures of a set of requests, in
// milliseconds. All are NaN (null in JSON, empty in CSV) for an empty set.
type LatencyStats struct {
	P50  Float `json:"p50"`
	P90  Float `json:"p90"`
	P99  Float `json:"p99"`
	Max  Float `json:"max"`
	Mean Float `json:"mean"`
}

// Quantile returns the nearest-rank q-quantile of sorted (ascending) data:
// the smallest value v such that at least a fraction q of the values are
// ≤ v, i.e. sorted[⌈q·n⌉−1] (sorted[0] for q = 0). It does not interpolate,
// so the result is always one of the values; it agrees with gonum's
// stat.Quantile(q, stat.Empirical, sorted, nil). The rank is computed in
// integer arithmetic from q rounded to millionths, so p99 of 100 values is
// exactly the 99th value. It returns NaN for no data and panics if q is
// outside [0, 1].
func Quantile(q float64, sorted []sim.Time) float64 {
	if q < 0 || q > 1 || math.IsNaN(q) {
		panic("results: quantile outside [0, 1]")
	}
	n := int64(len(sorted))
	if n == 0 {
		return math.NaN()
	}
	const scale = 1_000_000
	qs := int64(math.Round(q * scale))
	rank := (qs*n + scale - 1) / scale // ⌈q·n⌉
	if rank < 1 {
		rank = 1
	}
	return float64(sorted[rank-1])
}

// statsOf computes LatencyStats of sorted latencies. The mean is the exact
// sum of the nanoseconds divided by the count.
func statsOf(sorted []sim.Time) LatencyStats {
	n := len(sorted)
	if n == 0 {
		nan := Float(math.NaN())
		return LatencyStats{P50: nan, P90: nan, P99: nan, Max: nan, Mean: nan}
	}
	ms := func(ns float64) Float { return Float(ns / float64(sim.Millisecond)) }
	var sum int64
	for _, v := range sorted {
		sum += int64(v)
	}
	return LatencyStats{
		P50:  ms(Quantile(0.50, sorted)),
		P90:  ms(Quantile(0.90, sorted)),
		P99:  ms(Quantile(0.99, sorted)),
		Max:  ms(float64(sorted[n-1])),
		Mean: ms(float64(sum) / float64(n)),
	}
}
