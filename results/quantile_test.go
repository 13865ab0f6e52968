package results

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/byzsim/byzsim/sim"
)

func times(vs ...int64) []sim.Time {
	out := make([]sim.Time, len(vs))
	for i, v := range vs {
		out[i] = sim.Time(v)
	}
	return out
}

func TestQuantile(t *testing.T) {
	hundred := make([]sim.Time, 100)
	for i := range hundred {
		hundred[i] = sim.Time(i + 1)
	}
	tests := []struct {
		name string
		q    float64
		data []sim.Time
		want float64
	}{
		{"empty", 0.5, nil, math.NaN()},
		{"one value p0", 0, times(7), 7},
		{"one value p50", 0.5, times(7), 7},
		{"one value p100", 1, times(7), 7},
		{"two values p50 is the lower", 0.5, times(1, 2), 1},
		{"two values p51", 0.51, times(1, 2), 2},
		{"four values p50", 0.5, times(1, 2, 3, 4), 2},
		{"four values p90", 0.9, times(1, 2, 3, 4), 4},
		{"p0 is the minimum", 0, times(3, 5, 9), 3},
		{"p100 is the maximum", 1, times(3, 5, 9), 9},
		{"hundred p50", 0.5, hundred, 50},
		{"hundred p90", 0.9, hundred, 90},
		{"hundred p99", 0.99, hundred, 99},
		{"ten p90", 0.9, hundred[:10], 9},
		{"ties", 0.5, times(4, 4, 4, 8), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.data)
			got := Quantile(tt.q, tt.data)
			if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
				t.Errorf("Quantile(%v, %v) = %v, want %v", tt.q, tt.data, got, tt.want)
			}
			if !slices.Equal(before, tt.data) {
				t.Errorf("Quantile modified its input: %v, was %v", tt.data, before)
			}
		})
	}
}

func TestQuantileMatchesGonumEmpirical(t *testing.T) {
	for n := 1; n <= 300; n++ {
		data := make([]sim.Time, n)
		x := make([]float64, n)
		for i := range data {
			data[i] = sim.Time(i*i + 3)
			x[i] = float64(data[i])
		}
		for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
			got := Quantile(q, data)
			want := stat.Quantile(q, stat.Empirical, x, nil)
			if got != want {
				t.Fatalf("n=%d q=%v: Quantile = %v, gonum stat.Quantile(Empirical) = %v", n, q, got, want)
			}
		}
	}
}

func TestQuantilePanicsOutsideUnitInterval(t *testing.T) {
	for _, q := range []float64{-0.1, 1.1, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Quantile(%v) did not panic", q)
				}
			}()
			Quantile(q, times(1))
		}()
	}
}

func TestStatsOf(t *testing.T) {
	ms := int64(sim.Millisecond)
	tests := []struct {
		name string
		data []sim.Time
		want LatencyStats
	}{
		{"empty", nil, LatencyStats{Float(math.NaN()), Float(math.NaN()), Float(math.NaN()), Float(math.NaN()), Float(math.NaN())}},
		{"one", times(5 * ms), LatencyStats{5, 5, 5, 5, 5}},
		{"three", times(1*ms, 2*ms, 6*ms), LatencyStats{P50: 2, P90: 6, P99: 6, Max: 6, Mean: 3}},
		{"sub-millisecond exact", times(1500, 2500), LatencyStats{P50: 0.0015, P90: 0.0025, P99: 0.0025, Max: 0.0025, Mean: 0.002}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statsOf(tt.data)
			g := []Float{got.P50, got.P90, got.P99, got.Max, got.Mean}
			w := []Float{tt.want.P50, tt.want.P90, tt.want.P99, tt.want.Max, tt.want.Mean}
			for i := range g {
				if !(g[i] == w[i] || math.IsNaN(float64(g[i])) && math.IsNaN(float64(w[i]))) {
					t.Errorf("statsOf(%v) = %+v, want %+v", tt.data, got, tt.want)
					break
				}
			}
		})
	}
}
