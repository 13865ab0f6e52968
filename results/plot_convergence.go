package results

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// maxTimelineSeries bounds the lines of the default throughput comparison.
const maxTimelineSeries = 6

// runMetric is a figure computed from the runs of one sweep point.
type runMetric struct {
	file, title, ylabel string
	// value summarizes the rows of one point, with an interval (NaN bounds:
	// use the point's CI); ok false leaves it out.
	value func(rows []RunRow) (MetricPoint, [2]float64, bool)
}

// transientMetrics are the default figures of a sweep whose runs measured
// convergence (they had transient faults).
func transientMetrics() []runMetric {
	return []runMetric{
		{"convergence-median", "Convergence time (median, 95% CI; non-converged runs censored)", "convergence time (s)", medianConvergence},
		{"converged-fraction", "Fraction of runs converged (95% Wilson interval)", "fraction converged", convergedFraction},
		{"transient-safety-violations", "Safety violations after the transient faults (mean, 95% CI)", "violations per run", transientViolations},
	}
}

// figureMetric is the default figure of a protocol-declared metric: the
// metric in column col of each row's Metrics, summarized as fig says.
func figureMetric(fig MetricFigure, col int) (runMetric, error) {
	var value func(rows []RunRow) (MetricPoint, [2]float64, bool)
	switch fig.Summary {
	case FigureTrimmedMean:
		value = func(rows []RunRow) (MetricPoint, [2]float64, bool) { return trimmedMetric(rows, col) }
	case FigureMean:
		value = func(rows []RunRow) (MetricPoint, [2]float64, bool) { return meanMetric(rows, col) }
	default:
		return runMetric{}, fmt.Errorf("results: metric %s: unknown figure summary %q (allowed: %s, %s)", fig.Metric, fig.Summary, FigureTrimmedMean, FigureMean)
	}
	return runMetric{fig.File, fig.Title, fig.YLabel, value}, nil
}

// plotTransientDefaults draws, when some run of t measured convergence,
// each transient metric against each swept parameter (as the default
// sweep plots do) and a throughput-over-time comparison of the first
// repetition of each point (at most maxTimelineSeries) with the fault
// markers of the first; and the figure of each protocol-declared metric
// of figs that some run of t has a value of.
func plotTransientDefaults(dir, out string, t RunsTable, pts []Point, axes []sweepAxis, figs []MetricFigure, formats []string) error {
	var metrics []runMetric
	if slices.ContainsFunc(t.Rows, func(r RunRow) bool { return r.Converged != nil }) {
		metrics = transientMetrics()
		if err := plotTimelineComparison(dir, filepath.Join(out, "throughput-comparison"), t, pts, formats); err != nil {
			return err
		}
	}
	for _, fig := range figs {
		col := t.Metric(fig.Metric)
		if col < 0 || !slices.ContainsFunc(t.Rows, func(r RunRow) bool { return r.Metrics[col] != "" }) {
			continue
		}
		m, err := figureMetric(fig, col)
		if err != nil {
			return err
		}
		metrics = append(metrics, m)
	}
	for xi, x := range axes {
		if len(x.values) < 2 || x.numbers == nil && !alone(axes, xi) {
			continue
		}
		for _, m := range metrics {
			mp := runMetricVsAxis(axes, xi, t, pts, m)
			if err := mp.Save(filepath.Join(out, m.file+"-vs-"+fileSafe(x.name)), formats...); err != nil {
				return err
			}
		}
	}
	return nil
}

// runMetricVsAxis is metricVsAxis for a metric computed from the runs of
// each point. Every run counts, failed or not (a run that did not converge
// or violated safety is what these metrics measure); a line's legend says
// how many of its runs failed their checks.
func runMetricVsAxis(axes []sweepAxis, xi int, t RunsTable, pts []Point, m runMetric) MetricPlot {
	x := axes[xi]
	si := seriesAxis(axes, xi)
	mp := MetricPlot{Title: m.title, XLabel: withTied(axes, xi), YLabel: m.ylabel}
	if x.unit != "" {
		mp.XLabel += " (" + x.unit + ")"
	}
	if x.numbers == nil {
		mp.XLabels = x.values
	}
	seriesOf := []string{""}
	if si >= 0 {
		seriesOf = axes[si].values
	}
	for _, sv := range seriesOf {
		s := MetricSeries{Name: "all runs"}
		var ivs [][2]float64
		if si >= 0 {
			s.Name = axes[si].name + "=" + sv
		}
		runs, failed := 0, 0
		for _, p := range pts {
			if si >= 0 && p.Params[si] != sv || !holdsFirst(axes, p, xi, si) {
				continue
			}
			runs, failed = runs+p.Runs, failed+p.Failed
			var rows []RunRow
			for _, r := range t.Rows {
				if slices.Equal(r.Params, p.Params) {
					rows = append(rows, r)
				}
			}
			pt, iv, ok := m.value(rows)
			if !ok {
				continue
			}
			pt.X = x.numbers[p.Params[xi]]
			if x.numbers == nil {
				pt.X = float64(slices.Index(x.values, p.Params[xi]))
			}
			s.Points = append(s.Points, pt)
			ivs = append(ivs, iv)
		}
		s.Name += includedNote(failed, runs)
		order := make([]int, len(s.Points))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare[float64](s.Points[a].X, s.Points[b].X) })
		sorted := make([]MetricPoint, len(order))
		s.Intervals = make([][2]float64, len(order))
		for i, j := range order {
			sorted[i], s.Intervals[i] = s.Points[j], ivs[j]
			if math.IsNaN(ivs[j][0]) && isFinite(s.Points[j].CI) {
				s.Intervals[i] = [2]float64{s.Points[j].Y - s.Points[j].CI, s.Points[j].Y + s.Points[j].CI}
			}
		}
		s.Points = sorted
		mp.Series = append(mp.Series, s)
	}
	return mp
}

// includedNote is the legend note of a line of which failed of runs runs
// failed their checks and still count: "" when none failed.
func includedNote(failed, runs int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of %d runs failed checks, included)", failed, runs)
}

// convergenceValues returns the convergence times (s) of the runs that
// measured convergence, +Inf for those that did not converge (censored).
func convergenceValues(rows []RunRow) []float64 {
	var v []float64
	for _, r := range rows {
		switch {
		case r.Converged == nil:
		case r.Convergence != nil && *r.Converged:
			v = append(v, r.Convergence.Seconds())
		default:
			v = append(v, math.Inf(1))
		}
	}
	return v
}

// MedianCI returns the median of xs and the distribution-free 95%
// confidence interval of the median from order statistics: ranks j and k
// (1-based) with j = ⌊n/2 − 1.96·√n/2⌋ and k = ⌈1 + n/2 + 1.96·√n/2⌉,
// clipped to 1 … n. Values may be +Inf (censored observations, ranked above
// every number). The median is NaN for no values; the interval is NaN for
// fewer than 6 values.
func MedianCI(xs []float64) (median, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n%2 == 1 {
		median = s[n/2]
	} else {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	if n < 6 {
		return median, math.NaN(), math.NaN()
	}
	h := 1.96 * math.Sqrt(float64(n)) / 2
	j := max(int(math.Floor(float64(n)/2-h)), 1)
	k := min(int(math.Ceil(1+float64(n)/2+h)), n)
	return median, s[j-1], s[k-1]
}

// medianConvergence is the median convergence time with its 95% interval;
// a median that is censored (half the runs or more did not converge) is
// left out, and an upper bound that is censored is drawn up to the largest
// measured time.
func medianConvergence(rows []RunRow) (MetricPoint, [2]float64, bool) {
	v := convergenceValues(rows)
	med, lo, hi := MedianCI(v)
	if !isFinite(med) {
		return MetricPoint{}, nan2, false
	}
	if math.IsInf(hi, 1) {
		hi = med
		for _, x := range v {
			if isFinite(x) {
				hi = max(hi, x)
			}
		}
	}
	return MetricPoint{Y: med, CI: math.NaN()}, [2]float64{lo, hi}, true
}

var nan2 = [2]float64{math.NaN(), math.NaN()}

// WilsonInterval returns the 95% Wilson score interval of a proportion of
// k successes in n trials.
func WilsonInterval(k, n int) (lo, hi float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile(0.975)
	p, nf := float64(k)/float64(n), float64(n)
	den := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / den
	w := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return max(c-w, 0), min(c+w, 1)
}

func convergedFraction(rows []RunRow) (MetricPoint, [2]float64, bool) {
	k, n := 0, 0
	for _, r := range rows {
		if r.Converged != nil {
			n++
			if *r.Converged {
				k++
			}
		}
	}
	if n == 0 {
		return MetricPoint{}, nan2, false
	}
	lo, hi := WilsonInterval(k, n)
	return MetricPoint{Y: float64(k) / float64(n), CI: math.NaN()}, [2]float64{lo, hi}, true
}

func transientViolations(rows []RunRow) (MetricPoint, [2]float64, bool) {
	var v []float64
	for _, r := range rows {
		if r.Converged != nil {
			v = append(v, float64(r.TransientSafetyViolations))
		}
	}
	if len(v) == 0 {
		return MetricPoint{}, nan2, false
	}
	a := AggregateOf(v)
	return MetricPoint{Y: float64(a.Mean), CI: float64(a.CI95)}, nan2, true
}

// TrimmedMean is the thesis's statistic: with at least 5 values, the mean
// after dropping the minimum and the maximum; with fewer, the plain mean.
func TrimmedMean(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) >= 5 {
		s = s[1 : len(s)-1]
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return sum / float64(len(s))
}

// metricValues returns the values of the metric in column col of the rows
// that have one.
func metricValues(rows []RunRow, col int) []float64 {
	var v []float64
	for _, r := range rows {
		if x, ok := r.MetricFloat(col); ok {
			v = append(v, x)
		}
	}
	return v
}

// meanMetric is the mean of a metric over the rows that have a value, with
// its 95% CI.
func meanMetric(rows []RunRow, col int) (MetricPoint, [2]float64, bool) {
	v := metricValues(rows, col)
	if len(v) == 0 {
		return MetricPoint{}, nan2, false
	}
	a := AggregateOf(v)
	return MetricPoint{Y: float64(a.Mean), CI: float64(a.CI95)}, nan2, true
}

// trimmedMetric is the trimmed mean of a metric over the rows that have a
// value, with bars from the minimum to the maximum.
func trimmedMetric(rows []RunRow, col int) (MetricPoint, [2]float64, bool) {
	v := metricValues(rows, col)
	if len(v) == 0 {
		return MetricPoint{}, nan2, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return MetricPoint{Y: TrimmedMean(v), CI: math.NaN()}, [2]float64{s[0], s[len(s)-1]}, true
}

// plotTimelineComparison draws the throughput over time of the first run
// of each point (at most maxTimelineSeries points), with the markers of
// the first of them: the runs of one sweep share their seed and their
// fault times, so the markers hold for all.
func plotTimelineComparison(dir, stem string, t RunsTable, pts []Point, formats []string) error {
	if len(pts) > maxTimelineSeries || len(pts) == 0 {
		return nil
	}
	var series []ThroughputSeries
	var markers []Marker
	for _, p := range pts {
		i := slices.IndexFunc(t.Rows, func(r RunRow) bool { return slices.Equal(r.Params, p.Params) })
		if i < 0 {
			continue
		}
		rd := filepath.Join(dir, "runs", t.Rows[i].ID)
		rows, err := ReadTimelineCSV(filepath.Join(rd, TimelineFile))
		if err != nil {
			return fmt.Errorf("results: throughput comparison: %w", err)
		}
		if markers == nil {
			s, err := ReadSummary(filepath.Join(rd, SummaryFile))
			if err != nil {
				return fmt.Errorf("results: throughput comparison: %w", err)
			}
			markers = nonNil(s.Markers)
		}
		series = append(series, ThroughputSeries{Name: pointName(t.Params, p.Params), Rows: rows})
	}
	return PlotThroughput(stem, "Throughput over time, first repetition of each point", series, markers, formats...)
}
