// Package stats holds the two-sample tests byzsim compare reports: Welch's
// and the paired t-test on per-run metrics, and the Mann–Whitney U and
// two-sample Kolmogorov–Smirnov tests on latency distributions. The
// statistics and distributions come from gonum's stat and stat/distuv;
// what gonum lacks (Welch–Satterthwaite degrees of freedom, the U
// statistic with its tie-corrected normal approximation, the
// Kolmogorov–Smirnov p-value) is computed here.
package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TTest is the outcome of a t-test of the difference of two means.
type TTest struct {
	// Diff is mean(b) − mean(a) (Welch) or the mean of the differences
	// b_i − a_i (paired).
	Diff float64
	// CI95 is the half-width of the 95% confidence interval of Diff; 0
	// when both samples are constant.
	CI95 float64
	// T is the t statistic and DF its degrees of freedom; T is NaN when
	// the standard error is 0.
	T, DF float64
	// P is the two-sided p-value. With a standard error of 0 (constant
	// samples) it is 1 when Diff is 0 and 0 otherwise: a difference
	// without any spread is certain.
	P float64
}

// undefinedT is the outcome of a test that cannot be computed.
func undefinedT() TTest {
	nan := math.NaN()
	return TTest{Diff: nan, CI95: nan, T: nan, DF: nan, P: nan}
}

// tFromSE completes a test from its difference, standard error and
// degrees of freedom.
func tFromSE(diff, se, df float64) TTest {
	if se == 0 {
		p := 0.0
		if diff == 0 {
			p = 1
		}
		return TTest{Diff: diff, CI95: 0, T: math.NaN(), DF: df, P: p}
	}
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	t := diff / se
	return TTest{
		Diff: diff,
		CI95: dist.Quantile(0.975) * se,
		T:    t,
		DF:   df,
		P:    math.Min(1, 2*dist.Survival(math.Abs(t))),
	}
}

// Welch tests whether b's mean differs from a's without assuming equal
// variances: t = (mean b − mean a)/√(s²a/na + s²b/nb) with the
// Welch–Satterthwaite degrees of freedom. Each sample needs two values;
// else every field is NaN.
func Welch(a, b []float64) TTest {
	na, nb := float64(len(a)), float64(len(b))
	if len(a) < 2 || len(b) < 2 {
		return undefinedT()
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	qa, qb := va/na, vb/nb
	se2 := qa + qb
	df := na + nb - 2 // both constant: the pooled degrees of freedom
	if se2 > 0 {
		df = se2 * se2 / (qa*qa/(na-1) + qb*qb/(nb-1))
	}
	return tFromSE(mb-ma, math.Sqrt(se2), df)
}

// Paired tests whether the mean of b_i − a_i differs from 0 (a and b of the
// same length, pair i being, e.g., the runs of one seed): a one-sample t
// on the differences with n − 1 degrees of freedom. It needs two pairs;
// else every field is NaN. It panics if the lengths differ.
func Paired(a, b []float64) TTest {
	if len(a) != len(b) {
		panic("stats: Paired: samples of different lengths")
	}
	if len(a) < 2 {
		return undefinedT()
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = b[i] - a[i]
	}
	m, sd := stat.MeanStdDev(d, nil)
	n := float64(len(d))
	return tFromSE(m, sd/math.Sqrt(n), n-1)
}

// RankTest is the outcome of a rank or distribution test of two samples.
type RankTest struct {
	// Stat is the statistic: U of b for Mann–Whitney (the number of pairs
	// in which b's value is larger, ties counting one half), D for
	// Kolmogorov–Smirnov.
	Stat float64
	// Effect is U/(na·nb), the probability that a value of b exceeds one
	// of a (ties count one half), for Mann–Whitney; D for
	// Kolmogorov–Smirnov.
	Effect float64
	// P is the two-sided p-value of the large-sample approximation.
	P float64
}

// MannWhitney tests whether values of b tend to be larger or smaller than
// those of a. U is computed from the mid-ranks of the pooled samples; the
// p-value is the normal approximation with the tie correction of the
// variance and a continuity correction of 1/2, good for samples of about
// ten values or more each. Either sample empty: every field is NaN.
func MannWhitney(a, b []float64) RankTest {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		nan := math.NaN()
		return RankTest{Stat: nan, Effect: nan, P: nan}
	}
	type obs struct {
		v    float64
		inB  bool
		rank float64
	}
	all := make([]obs, 0, na+nb)
	for _, v := range a {
		all = append(all, obs{v: v})
	}
	for _, v := range b {
		all = append(all, obs{v: v, inB: true})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	n := float64(na + nb)
	ties := 0.0 // Σ (t³ − t) over groups of ties
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			all[k].rank = mid
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	rb := 0.0
	for _, o := range all {
		if o.inB {
			rb += o.rank
		}
	}
	fa, fb := float64(na), float64(nb)
	u := rb - fb*(fb+1)/2
	mean := fa * fb / 2
	variance := fa * fb / 12 * ((n + 1) - ties/(n*(n-1)))
	p := 1.0
	if variance > 0 {
		z := math.Max(0, math.Abs(u-mean)-0.5) / math.Sqrt(variance)
		p = math.Min(1, 2*distuv.UnitNormal.Survival(z))
	}
	return RankTest{Stat: u, Effect: u / (fa * fb), P: p}
}

// KolmogorovSmirnov tests whether a and b come from the same distribution:
// D is the largest distance between their empirical CDFs (gonum's
// stat.KolmogorovSmirnov), the p-value Kolmogorov's limiting distribution
// at λ = (√m + 0.12 + 0.11/√m)·D with m = na·nb/(na+nb) (Stephens' small-
// sample correction). Either sample empty: every field is NaN.
func KolmogorovSmirnov(a, b []float64) RankTest {
	if len(a) == 0 || len(b) == 0 {
		nan := math.NaN()
		return RankTest{Stat: nan, Effect: nan, P: nan}
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	d := stat.KolmogorovSmirnov(x, nil, y, nil)
	m := float64(len(a)) * float64(len(b)) / float64(len(a)+len(b))
	sm := math.Sqrt(m)
	return RankTest{Stat: d, Effect: d, P: KolmogorovQ((sm + 0.12 + 0.11/sm) * d)}
}

// KolmogorovQ returns P(K > λ) for Kolmogorov's distribution K, the limit
// of √n·D: 2·Σ_{j≥1} (−1)^{j−1}·exp(−2j²λ²) for λ ≥ 1, and 1 − K(λ) with
// K(λ) = √(2π)/λ·Σ_{j≥1} exp(−(2j−1)²π²/(8λ²)) below, where that series
// converges fast.
func KolmogorovQ(lambda float64) float64 {
	switch {
	case math.IsNaN(lambda):
		return math.NaN()
	case lambda <= 0:
		return 1
	case lambda < 1:
		s := 0.0
		for j := 1; j <= 20; j++ {
			k := float64(2*j - 1)
			s += math.Exp(-k * k * math.Pi * math.Pi / (8 * lambda * lambda))
		}
		return math.Min(1, math.Max(0, 1-math.Sqrt(2*math.Pi)/lambda*s))
	}
	s, sign := 0.0, 1.0
	for j := 1; j <= 100; j++ {
		fj := float64(j)
		term := math.Exp(-2 * fj * fj * lambda * lambda)
		s += sign * term
		if term < 1e-17 {
			break
		}
		sign = -sign
	}
	return math.Min(1, math.Max(0, 2*s))
}
