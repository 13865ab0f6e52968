package stats

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) != math.IsNaN(want) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", what, got, want, tol)
	}
}

// TestKolmogorovQ checks the tail of Kolmogorov's distribution against its
// published quantiles: K(0.8276) = 0.50, K(1.2238) = 0.90,
// K(1.3581) = 0.95, K(1.6276) = 0.99, and 1 − K(1) = 0.2700 (both series
// meet there).
func TestKolmogorovQ(t *testing.T) {
	for _, c := range []struct{ lambda, q float64 }{
		{0, 1}, {0.8276, 0.50}, {1.2238, 0.10}, {1.3581, 0.05}, {1.6276, 0.01}, {1, 0.2700},
		{math.Nextafter(1, 0), 0.2700}, {5, 0},
	} {
		near(t, "KolmogorovQ", KolmogorovQ(c.lambda), c.q, 2e-4)
	}
}

// TestWelch checks the first example of the Welch's t-test article of
// Wikipedia (two samples of 15): t = 2.46 (sign: b − a), ν = 25.0,
// p = 0.021.
func TestWelch(t *testing.T) {
	a := []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4}
	b := []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4}
	r := Welch(a, b)
	near(t, "t", r.T, 2.46, 0.005)
	near(t, "df", r.DF, 25.0, 0.05)
	near(t, "p", r.P, 0.021, 0.0005)
	near(t, "diff", r.Diff, 22.98667-20.82, 1e-4)
	// The interval excludes 0 exactly when p < 0.05.
	if r.Diff-r.CI95 <= 0 {
		t.Errorf("CI %g ± %g includes 0 with p = %g", r.Diff, r.CI95, r.P)
	}
	if !math.IsNaN(Welch(a[:1], b).P) {
		t.Error("Welch with one value in a sample is not undefined")
	}
	c := Welch([]float64{3, 3, 3}, []float64{5, 5})
	if c.Diff != 2 || c.CI95 != 0 || c.P != 0 {
		t.Errorf("constant samples: %+v, want diff 2, CI 0, p 0", c)
	}
	if s := Welch([]float64{3, 3}, []float64{3, 3}); s.P != 1 {
		t.Errorf("equal constant samples: p = %g, want 1", s.P)
	}
}

// TestPaired: d = {1, 2, 2, 1}, mean 1.5, sd √(1/3), t = 1.5/(√(1/3)/2) =
// 3√3 = 5.196, df 3; for 3 degrees of freedom t/√3 = 3 and
// F(t) = 1/2 + (atan 3 + 3/10)/π, so p = 2(1 − F) = 0.013847.
func TestPaired(t *testing.T) {
	r := Paired([]float64{1, 2, 3, 4}, []float64{2, 4, 5, 5})
	near(t, "diff", r.Diff, 1.5, 1e-12)
	near(t, "t", r.T, 3*math.Sqrt(3), 1e-9)
	near(t, "df", r.DF, 3, 0)
	near(t, "p", r.P, 2*(0.5-(math.Atan(3)+0.3)/math.Pi), 1e-9)
	near(t, "p", r.P, 0.013847, 1e-6)
}

// TestMannWhitney checks hand-computed values. {1,2,3} vs {4,5,6}: U = 9,
// z = (4.5 − 0.5)/√5.25 = 1.7457, p = 0.080856 (the asymptotic p-value
// with continuity correction that SciPy's mannwhitneyu reports). With ties,
// {1,2,2,3} vs {2,3,4,5}: mid-ranks give R_b = 3 + 5.5 + 7 + 8 = 23.5,
// U = 13.5, variance 16/12·(9 − 30/56) = 11.2857, z = 5/3.35942 = 1.48835,
// p = 0.13667.
func TestMannWhitney(t *testing.T) {
	r := MannWhitney([]float64{1, 2, 3}, []float64{4, 5, 6})
	near(t, "U", r.Stat, 9, 0)
	near(t, "effect", r.Effect, 1, 0)
	near(t, "p", r.P, 0.080856, 2e-6)
	// Symmetric: swapping the samples gives U' = na·nb − U and the same p.
	s := MannWhitney([]float64{4, 5, 6}, []float64{1, 2, 3})
	near(t, "U swapped", s.Stat, 0, 0)
	near(t, "p swapped", s.P, r.P, 1e-15)

	r = MannWhitney([]float64{1, 2, 2, 3}, []float64{2, 3, 4, 5})
	near(t, "U ties", r.Stat, 13.5, 1e-12)
	near(t, "p ties", r.P, 0.13667, 1e-4)

	if r := MannWhitney([]float64{7, 7}, []float64{7, 7, 7}); r.P != 1 || r.Effect != 0.5 {
		t.Errorf("all tied: %+v, want p 1, effect 0.5", r)
	}
	if r := MannWhitney(nil, []float64{1}); !math.IsNaN(r.P) {
		t.Errorf("empty sample: p = %g, want NaN", r.P)
	}
}

// TestKolmogorovSmirnov: {1,2,3} vs {4,5,6} have D = 1; m = 1.5,
// λ = (√1.5 + 0.12 + 0.11/√1.5) = 1.43456, Q(λ) = 2(e^{−2λ²} − e^{−8λ²}) =
// 0.03262. Identical samples have D = 0 and p = 1.
func TestKolmogorovSmirnov(t *testing.T) {
	r := KolmogorovSmirnov([]float64{3, 1, 2}, []float64{6, 4, 5})
	near(t, "D", r.Stat, 1, 0)
	near(t, "p", r.P, 0.03262, 2e-5)
	r = KolmogorovSmirnov([]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1})
	near(t, "D equal", r.Stat, 0, 0)
	near(t, "p equal", r.P, 1, 0)
	// {1,2,3,4} vs {3,4,5,6}: the CDFs differ most at 2: 2/4 − 0 = 0.5.
	r = KolmogorovSmirnov([]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6})
	near(t, "D half", r.Stat, 0.5, 1e-12)
}

func BenchmarkMannWhitney(b *testing.B) {
	a, c := make([]float64, 24000), make([]float64, 24000)
	for i := range a {
		a[i], c[i] = float64(i%997), float64((i*7)%1009)
	}
	for b.Loop() {
		MannWhitney(a, c)
	}
}
