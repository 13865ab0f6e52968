package results

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/internal/stats"
)

// Side is one side of a comparison: the runs of one sweep point of an
// output directory.
type Side struct {
	// Dir is the output directory and Label how the side is named (the
	// argument it came from).
	Dir, Label string
	// Params names the swept parameters and Point is the sweep point.
	Params []string
	Point  Point
	// Rows are the point's runs, in runs.csv order.
	Rows []RunRow
}

// SelectPoint reads dir/runs.csv and returns the sweep point that sel
// names: "" when dir has a single point, a point number as in summary.md
// (1 is the first), or comma-separated key=value pairs of swept values
// that match exactly one point.
func SelectPoint(dir, sel string) (Side, error) {
	t, err := ReadRunsCSV(filepath.Join(dir, RunsFile))
	if err != nil {
		return Side{}, err
	}
	pts := Points(t)
	if len(pts) == 0 {
		return Side{}, fmt.Errorf("%s: %s has no run", dir, RunsFile)
	}
	list := func() string {
		var b strings.Builder
		for i, p := range pts {
			fmt.Fprintf(&b, "\n  %d: %s", i+1, pointText(t.Params, p.Params))
		}
		return b.String()
	}
	idx := -1
	switch {
	case sel == "":
		if len(pts) > 1 {
			return Side{}, fmt.Errorf("%s has %d sweep points; name one as %s:N or %s:key=value,... (points:%s)", dir, len(pts), dir, dir, list())
		}
		idx = 0
	default:
		if n, err := strconv.Atoi(sel); err == nil {
			if n < 1 || n > len(pts) {
				return Side{}, fmt.Errorf("%s: point %d: there are points 1 to %d:%s", dir, n, len(pts), list())
			}
			idx = n - 1
			break
		}
		want := map[string]string{}
		for _, kv := range strings.Split(sel, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || !slices.Contains(t.Params, k) {
				return Side{}, fmt.Errorf("%s: point selection %q: want N or key=value pairs of swept keys (swept: %s)", dir, kv, strings.Join(t.Params, ", "))
			}
			want[k] = v
		}
		for i, p := range pts {
			match := true
			for j, k := range t.Params {
				if v, ok := want[k]; ok && p.Params[j] != v {
					match = false
				}
			}
			if match {
				if idx >= 0 {
					return Side{}, fmt.Errorf("%s: %q matches several sweep points; name one more key or its number:%s", dir, sel, list())
				}
				idx = i
			}
		}
		if idx < 0 {
			return Side{}, fmt.Errorf("%s: %q matches no sweep point:%s", dir, sel, list())
		}
	}
	side := Side{Dir: dir, Params: t.Params, Point: pts[idx]}
	key := pointKey(pts[idx].Params)
	for _, r := range t.Rows {
		if pointKey(r.Params) == key {
			side.Rows = append(side.Rows, r)
		}
	}
	return side, nil
}

// pointText writes a point's parameters as "k=v, k=v" ("the only point"
// without any).
func pointText(keys, vals []string) string {
	if len(keys) == 0 {
		return "the only point"
	}
	parts := make([]string, len(keys))
	for i := range keys {
		parts[i] = keys[i] + "=" + vals[i]
	}
	return strings.Join(parts, ", ")
}

// Describe names the side's point: "k=v, k=v" or "the only point".
func (s *Side) Describe() string { return pointText(s.Params, s.Point.Params) }

// passed returns the runs of s that passed their checks.
func (s *Side) passed() []RunRow {
	var out []RunRow
	for _, r := range s.Rows {
		if r.Verdict == VerdictPass {
			out = append(out, r)
		}
	}
	return out
}

// Latencies returns the request latencies (ms) of the runs of s that
// passed, pooled, read from their latency.csv.
func (s *Side) Latencies() ([]float64, error) {
	var out []float64
	for _, r := range s.passed() {
		dir, err := SafeJoin(s.Dir, "runs", r.ID)
		if err != nil {
			return nil, err
		}
		recs, err := ReadLatencyCSV(filepath.Join(dir, LatencyFile))
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			out = append(out, float64(rec.Latency)/1e6)
		}
	}
	return out, nil
}

// Comparison is one row of byzsim compare: a metric of runs.csv over the
// runs of two sweep points that passed their checks, or the pooled request
// latencies.
type Comparison struct {
	Metric string
	// A and B aggregate the metric on each side.
	A, B Aggregate
	// Test names the test: "paired t" (pairs of runs with the same seed),
	// "Welch t", "Mann-Whitney U" or "Kolmogorov-Smirnov".
	Test string
	// Diff is B − A (of the means; of the medians for the latency rows)
	// and DiffCI95 the half-width of its 95% interval (NaN when not
	// computed); ChangePct is Diff relative to A's mean or median, in %.
	Diff, DiffCI95, ChangePct float64
	// Stat is the test statistic (t, U or D), DF the degrees of freedom of
	// a t-test, P the two-sided p-value; NaN when undefined.
	Stat, DF, P float64
}

// LatencyMetric is the name of the comparison rows of the pooled request
// latencies (the distribution tests).
const LatencyMetric = "latency_ms"

// Paired reports whether the runs of a and b that passed can be paired by
// seed: the same seeds on both sides, each once.
func Paired(a, b *Side) bool {
	pa, pb := a.passed(), b.passed()
	if len(pa) < 2 || len(pa) != len(pb) {
		return false
	}
	seeds := map[uint64]int{}
	for _, r := range pa {
		seeds[r.Seed]++
	}
	for _, r := range pb {
		seeds[r.Seed]--
	}
	for _, r := range pa {
		if seeds[r.Seed] != 0 {
			return false
		}
	}
	return len(seeds) == len(pa)
}

// Compare compares every metric of PointMetrics between a and b (B
// against A), with the paired t-test when the runs pair by seed (see
// Paired), else Welch's, then the pooled request latencies with the
// Mann–Whitney U and Kolmogorov–Smirnov tests (lat are those latencies,
// from Side.Latencies; no latency rows when both are empty).
func Compare(a, b *Side, latA, latB []float64) []Comparison {
	paired := Paired(a, b)
	pa, pb := a.passed(), b.passed()
	bySeed := map[uint64]*RunRow{}
	for i := range pb {
		bySeed[pb[i].Seed] = &pb[i]
	}
	var out []Comparison
	for _, m := range pointMetrics() {
		var xs, ys []float64
		for i := range pa {
			if v := m.value(&pa[i]); !math.IsNaN(v) && !math.IsInf(v, 0) {
				xs = append(xs, v)
			}
		}
		for i := range pb {
			if v := m.value(&pb[i]); !math.IsNaN(v) && !math.IsInf(v, 0) {
				ys = append(ys, v)
			}
		}
		c := Comparison{Metric: m.name, A: AggregateOf(xs), B: AggregateOf(ys)}
		var t stats.TTest
		if paired {
			// Pairs in which both runs define the metric.
			var px, py []float64
			for i := range pa {
				x, y := m.value(&pa[i]), m.value(bySeed[pa[i].Seed])
				if !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0) {
					px, py = append(px, x), append(py, y)
				}
			}
			t = stats.Paired(px, py)
			c.Test = fmt.Sprintf("paired t (%d seeds)", len(px))
		} else {
			t = stats.Welch(xs, ys)
			c.Test = "Welch t"
		}
		c.Diff = float64(c.B.Mean) - float64(c.A.Mean)
		c.DiffCI95, c.Stat, c.DF, c.P = t.CI95, t.T, t.DF, t.P
		c.ChangePct = change(float64(c.A.Mean), c.Diff)
		out = append(out, c)
	}
	if len(latA) == 0 && len(latB) == 0 {
		return out
	}
	ma, mb := median(latA), median(latB)
	nan := math.NaN()
	base := Comparison{Metric: LatencyMetric,
		A:    Aggregate{N: len(latA), Mean: Float(ma), Std: Float(nan), CI95: Float(nan)},
		B:    Aggregate{N: len(latB), Mean: Float(mb), Std: Float(nan), CI95: Float(nan)},
		Diff: mb - ma, DiffCI95: nan, ChangePct: change(ma, mb-ma), DF: nan}
	mw := stats.MannWhitney(latA, latB)
	c := base
	c.Test, c.Stat, c.P = "Mann-Whitney U", mw.Stat, mw.P
	out = append(out, c)
	ks := stats.KolmogorovSmirnov(latA, latB)
	c = base
	c.Test, c.Stat, c.P = "Kolmogorov-Smirnov", ks.Stat, ks.P
	return append(out, c)
}

// change returns diff relative to base in %; NaN when base is 0 or
// undefined.
func change(base, diff float64) float64 {
	if base == 0 || math.IsNaN(base) {
		return math.NaN()
	}
	return 100 * diff / math.Abs(base)
}

// median returns the median of xs (NaN when empty), without changing xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// LowerIsBetter reports, for a metric that byzsim compare can gate on,
// whether a smaller value is better; ok is false for the other metrics
// (events, virtual_s), which have no better direction.
func LowerIsBetter(metric string) (lower, ok bool) {
	switch metric {
	case "requests_completed", "throughput_rps":
		return false, true
	case "events", "virtual_s":
		return false, false
	}
	if slices.Contains(PointMetrics(), metric) || metric == LatencyMetric {
		return true, true
	}
	return false, false
}

// GateMetrics lists the metrics byzsim compare --fail-if-worse accepts.
func GateMetrics() []string {
	var out []string
	for _, m := range append(PointMetrics(), LatencyMetric) {
		if _, ok := LowerIsBetter(m); ok {
			out = append(out, m)
		}
	}
	return out
}
