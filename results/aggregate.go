package results

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Aggregate summarizes one metric over the repetitions of a configuration.
type Aggregate struct {
	N    int   `json:"n"`
	Mean Float `json:"mean"`
	// Std is the sample standard deviation (n−1 in the denominator); NaN
	// for fewer than two values.
	Std Float `json:"std"`
	// CI95 is the half-width of the 95% confidence interval of the mean,
	// t(0.975, n−1)·Std/√n (Student's t); NaN for fewer than two values.
	CI95 Float `json:"ci95"`
}

// AggregateOf summarizes xs, ignoring NaN values (undefined metrics such as
// the latency of a run that completed nothing). Mean is NaN when no value
// is left.
func AggregateOf(xs []float64) Aggregate {
	vals := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	n := len(vals)
	a := Aggregate{N: n, Mean: Float(math.NaN()), Std: Float(math.NaN()), CI95: Float(math.NaN())}
	switch n {
	case 0:
		return a
	case 1:
		a.Mean = Float(vals[0])
		return a
	}
	mean, std := stat.MeanStdDev(vals, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	a.Mean, a.Std = Float(mean), Float(std)
	a.CI95 = Float(t * std / math.Sqrt(float64(n)))
	return a
}
