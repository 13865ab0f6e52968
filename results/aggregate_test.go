package results

import (
	"math"
	"testing"
)

func TestAggregateOf(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name            string
		xs              []float64
		n               int
		mean, std, ci95 float64
	}{
		{"empty", nil, 0, nan, nan, nan},
		{"only NaN", []float64{nan}, 0, nan, nan, nan},
		{"one", []float64{4}, 1, 4, nan, nan},
		// t(0.975, 2) = 4.302652729911275; ci = t·1/√3.
		{"three", []float64{1, 2, 3}, 3, 2, 1, 4.302652729911275 / math.Sqrt(3)},
		{"NaN ignored", []float64{1, nan, 3}, 2, 2, math.Sqrt(2), 12.706204736174698 * math.Sqrt(2) / math.Sqrt(2)},
	}
	same := func(a, b float64) bool {
		return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := AggregateOf(tt.xs)
			if a.N != tt.n || !same(float64(a.Mean), tt.mean) || !same(float64(a.Std), tt.std) || !same(float64(a.CI95), tt.ci95) {
				t.Errorf("AggregateOf(%v) = %+v, want n %d mean %v std %v ci95 %v", tt.xs, a, tt.n, tt.mean, tt.std, tt.ci95)
			}
		})
	}
}
