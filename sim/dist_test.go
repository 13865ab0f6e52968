package sim

import (
	"math"
	"slices"
	"testing"
)

// ksStatistic returns the Kolmogorov–Smirnov distance between the empirical
// distribution of samples (in nanoseconds) and cdf (in seconds). Samples are
// integers, so ties are handled: at each distinct value v the empirical CDF
// just below and at v is compared with cdf(v − 1ns) and cdf(v).
func ksStatistic(samples []Time, cdf func(float64) float64) float64 {
	s := slices.Clone(samples)
	slices.Sort(s)
	n := float64(len(s))
	d := 0.0
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		below := float64(i) / n // empirical P(X < v)
		at := float64(j) / n    // empirical P(X ≤ v)
		d = max(d, math.Abs(cdf((s[i]-1).Seconds())-below), math.Abs(cdf(s[i].Seconds())-at))
		i = j
	}
	return d
}

func TestDistributions(t *testing.T) {
	const (
		n = 20_000
		// Critical value of the one-sample KS test at α = 0.001:
		// sqrt(−ln(α/2)/2)/sqrt(n).
		alpha = 0.001
		ms    = Millisecond
	)
	crit := math.Sqrt(-math.Log(alpha/2)/2) / math.Sqrt(n)
	tests := []struct {
		name string
		d    Dist
	}{
		{"constant", Constant{D: 3 * ms}},
		{"constant zero", Constant{}},
		{"uniform", Uniform{Min: ms, Max: 3 * ms}},
		{"normal", Normal{Mu: 10 * ms, Sigma: 2 * ms}},
		{"normal truncated at 0", Normal{Mu: ms, Sigma: 2 * ms}},
		{"normal far tail", Normal{Mu: -4 * ms, Sigma: ms}},
		{"exponential", Exponential{M: 5 * ms}},
		{"lognormal", LogNormal{Median: 20 * ms, Sigma: 0.6}},
		{"shifted exponential", Shifted{Base: 40 * ms, Jitter: Exponential{M: 2 * ms}}},
		{"shifted uniform", Shifted{Base: 7 * ms, Jitter: Uniform{Min: 0, Max: ms}}},
		{"shifted without jitter", Shifted{Base: 7 * ms}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Stream(2024, "dist", int64(i))
			samples := make([]Time, n)
			sum := 0.0
			for k := range samples {
				x := tc.d.Sample(r)
				if x < 0 {
					t.Fatalf("negative sample %v", x)
				}
				samples[k] = x
				sum += float64(x)
			}
			if d := ksStatistic(samples, tc.d.CDF); d > crit {
				t.Errorf("%v: KS distance %.4f > critical %.4f", tc.d, d, crit)
			}
			mean := sum / n
			sd := 0.0
			for _, x := range samples {
				sd += (float64(x) - mean) * (float64(x) - mean)
			}
			sd = math.Sqrt(sd / (n - 1))
			if tol := 5*sd/math.Sqrt(n) + 2; math.Abs(mean-float64(tc.d.Mean())) > tol {
				t.Errorf("%v: sample mean %.0fns, Mean() %v (tolerance %.0fns)", tc.d, mean, tc.d.Mean(), tol)
			}
			if tc.d.String() == "" {
				t.Errorf("empty String()")
			}
		})
	}
}

// TestKSDetectsMismatch guards the test above: a wrong CDF must fail it.
func TestKSDetectsMismatch(t *testing.T) {
	const n = 20_000
	crit := math.Sqrt(-math.Log(0.001/2)/2) / math.Sqrt(n)
	r := Stream(1, "ks")
	samples := make([]Time, n)
	for k := range samples {
		samples[k] = Exponential{M: 5 * Millisecond}.Sample(r)
	}
	if d := ksStatistic(samples, Exponential{M: 5500 * Microsecond}.CDF); d <= crit {
		t.Fatalf("KS distance %.4f against a 10%% wrong mean is within the critical %.4f", d, crit)
	}
}

func TestDistMeanFormulas(t *testing.T) {
	tests := []struct {
		d    Dist
		want Time
	}{
		{Uniform{Min: 2, Max: 4}, 3},
		{Normal{Mu: 5, Sigma: 0}, 5},
		{Normal{Mu: -5, Sigma: 0}, 0},
		// Half-normal: σ·sqrt(2/π).
		{Normal{Mu: 0, Sigma: Second}, Time(math.Round(float64(Second) * math.Sqrt(2/math.Pi)))},
		// Far tail: about σ/α above the truncation point.
		{Normal{Mu: -100 * Second, Sigma: Second}, 9998 * Microsecond}, // σ(α + 1/α − 2/α³) − 100s
		{LogNormal{Median: Second, Sigma: 0}, Second},
		{Shifted{Base: 4, Jitter: Constant{D: 3}}, 7},
	}
	for _, tc := range tests {
		if got := tc.d.Mean(); got != tc.want {
			t.Errorf("%v.Mean() = %d, want %d", tc.d, got, tc.want)
		}
	}
}
