package results

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// PointsFile is the name of points.csv in an experiment's output directory.
const PointsFile = "points.csv"

// Point is one sweep point: the runs of a runs.csv that share their swept
// parameter values, with statistics of each headline metric over the
// repetitions (see AggregateOf). A run that failed its checks is left out
// of every aggregate (counted in Excluded), so that a mean never silently
// mixes failed runs with good ones; a metric that is undefined in a run (an
// empty field of runs.csv, e.g. the latency of a run that completed
// nothing) is left out of its aggregate. So a metric's N may be less than
// Runs.
type Point struct {
	// Params are the swept parameter values, in RunsTable.Params order.
	Params []string
	// Runs counts the repetitions, Passed those with verdict "pass", Failed
	// the others, Excluded the runs left out of every aggregate (the failed
	// ones), and Converged those with a convergence time.
	Runs, Passed, Failed, Excluded, Converged int
	// Trim is the number of smallest and of largest values dropped from
	// every metric before aggregating (see PointsTrimmed).
	Trim int

	RequestsCompleted Aggregate
	LatencyP50MS      Aggregate
	LatencyP90MS      Aggregate
	LatencyP99MS      Aggregate
	LatencyMaxMS      Aggregate
	LatencyMeanMS     Aggregate
	ThroughputRPS     Aggregate
	Messages          Aggregate
	Bytes             Aggregate
	// RoundChanges, TimeoutRoundChanges, ViewChanges and Timeouts aggregate
	// the counts of Summary.
	RoundChanges        Aggregate
	TimeoutRoundChanges Aggregate
	ViewChanges         Aggregate
	Timeouts            Aggregate
	// ConvergenceS aggregates the convergence times (s) of the runs that
	// converged only: a run that did not converge is censored, never a
	// number in the mean.
	ConvergenceS Aggregate
	Events       Aggregate
	VirtualS     Aggregate
}

// pointMetric is one headline metric of a run: its name in runs.csv and
// points.csv, how to read it from a row (NaN when undefined, +Inf when
// censored), and where its aggregate lives in a Point.
type pointMetric struct {
	name  string
	value func(r *RunRow) float64
	agg   func(p *Point) *Aggregate
}

// pointMetrics lists the metrics of a Point in the column order of runs.csv.
func pointMetrics() []pointMetric {
	return []pointMetric{
		{"requests_completed", func(r *RunRow) float64 { return float64(r.RequestsCompleted) }, func(p *Point) *Aggregate { return &p.RequestsCompleted }},
		{"latency_p50_ms", func(r *RunRow) float64 { return float64(r.LatencyMS.P50) }, func(p *Point) *Aggregate { return &p.LatencyP50MS }},
		{"latency_p90_ms", func(r *RunRow) float64 { return float64(r.LatencyMS.P90) }, func(p *Point) *Aggregate { return &p.LatencyP90MS }},
		{"latency_p99_ms", func(r *RunRow) float64 { return float64(r.LatencyMS.P99) }, func(p *Point) *Aggregate { return &p.LatencyP99MS }},
		{"latency_max_ms", func(r *RunRow) float64 { return float64(r.LatencyMS.Max) }, func(p *Point) *Aggregate { return &p.LatencyMaxMS }},
		{"latency_mean_ms", func(r *RunRow) float64 { return float64(r.LatencyMS.Mean) }, func(p *Point) *Aggregate { return &p.LatencyMeanMS }},
		{"throughput_rps", func(r *RunRow) float64 { return r.ThroughputRPS }, func(p *Point) *Aggregate { return &p.ThroughputRPS }},
		{"messages", func(r *RunRow) float64 { return float64(r.Messages) }, func(p *Point) *Aggregate { return &p.Messages }},
		{"bytes", func(r *RunRow) float64 { return float64(r.Bytes) }, func(p *Point) *Aggregate { return &p.Bytes }},
		{"round_changes", func(r *RunRow) float64 { return float64(r.RoundChanges) }, func(p *Point) *Aggregate { return &p.RoundChanges }},
		{"timeout_round_changes", func(r *RunRow) float64 { return float64(r.TimeoutRoundChanges) }, func(p *Point) *Aggregate { return &p.TimeoutRoundChanges }},
		{"view_changes", func(r *RunRow) float64 { return float64(r.ViewChanges) }, func(p *Point) *Aggregate { return &p.ViewChanges }},
		{"timeouts", func(r *RunRow) float64 { return float64(r.Timeouts) }, func(p *Point) *Aggregate { return &p.Timeouts }},
		{"convergence_s", func(r *RunRow) float64 {
			if r.Convergence == nil {
				return math.Inf(1) // censored: later than any measured time
			}
			return r.Convergence.Seconds()
		}, func(p *Point) *Aggregate { return &p.ConvergenceS }},
		{"events", func(r *RunRow) float64 { return float64(r.Events) }, func(p *Point) *Aggregate { return &p.Events }},
		{"virtual_s", func(r *RunRow) float64 { return r.Virtual.Seconds() }, func(p *Point) *Aggregate { return &p.VirtualS }},
	}
}

// PointMetrics returns the names of the metrics aggregated in a Point, in
// column order: requests_completed, latency_p50_ms, ..., virtual_s, the
// names of the columns of runs.csv.
func PointMetrics() []string {
	ms := pointMetrics()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.name
	}
	return out
}

// Metric returns the aggregate of the named metric (one of PointMetrics),
// and false for an unknown name.
func (p *Point) Metric(name string) (Aggregate, bool) {
	for _, m := range pointMetrics() {
		if m.name == name {
			return *m.agg(p), true
		}
	}
	return Aggregate{}, false
}

// Points groups the rows of t into sweep points and aggregates each metric
// over the repetitions of a point; it is PointsTrimmed(t, 0).
func Points(t RunsTable) []Point { return PointsTrimmed(t, 0) }

// PointsTrimmed groups the rows of t by their parameter values into sweep
// points, in the order of each point's first row (the plan order), and
// aggregates each metric over the point's repetitions that passed their
// checks (failed runs are counted in Failed and Excluded), after dropping the k
// smallest and the k largest of its values (k = 1 over 5 repetitions keeps
// the middle 3). Undefined values are left out before trimming. A run that
// did not converge ranks above every convergence time, so trimming drops
// censored runs first from the top; the censored runs left are never
// averaged. When a metric has 2k values or fewer, nothing is left and its
// aggregate is undefined (N = 0). It panics if k is negative.
func PointsTrimmed(t RunsTable, k int) []Point {
	if k < 0 {
		panic(fmt.Sprintf("results: PointsTrimmed: negative trim %d", k))
	}
	var groups [][]*RunRow
	index := map[string]int{}
	for i := range t.Rows {
		r := &t.Rows[i]
		key := pointKey(r.Params)
		g, ok := index[key]
		if !ok {
			g = len(groups)
			index[key] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], r)
	}
	metrics := pointMetrics()
	pts := make([]Point, len(groups))
	vals := make([]float64, 0, 8)
	for g, rows := range groups {
		p := &pts[g]
		p.Params = append([]string{}, rows[0].Params...)
		p.Runs = len(rows)
		p.Trim = k
		for _, r := range rows {
			if r.Verdict == VerdictPass {
				p.Passed++
			}
			if r.Convergence != nil {
				p.Converged++
			}
		}
		p.Failed = p.Runs - p.Passed
		p.Excluded = p.Failed
		for _, m := range metrics {
			vals = vals[:0]
			for _, r := range rows {
				if r.Verdict != VerdictPass {
					continue // excluded: failed its checks
				}
				if v := m.value(r); !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			*m.agg(p) = AggregateOf(finite(trim(vals, k)))
		}
	}
	return pts
}

// pointKey is a map key for a list of parameter values; each value is
// prefixed by its length, so distinct lists have distinct keys.
func pointKey(vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// trim sorts xs in place and returns it without its k smallest and k
// largest values (empty when len(xs) ≤ 2k).
func trim(xs []float64, k int) []float64 {
	if k == 0 {
		return xs
	}
	if len(xs) <= 2*k {
		return xs[:0]
	}
	slices.Sort(xs)
	return xs[k : len(xs)-k]
}

// finite returns xs without its infinite (censored) values, in place.
func finite(xs []float64) []float64 {
	return slices.DeleteFunc(xs, func(x float64) bool { return math.IsInf(x, 0) })
}

// pointsCounts are the columns of points.csv between the parameters and
// the metrics.
func pointsCounts() []string {
	return []string{"runs", "passed", "failed", "excluded", "converged", "trim"}
}

// aggregateSuffixes are the columns of each metric in points.csv.
func aggregateSuffixes() []string { return []string{"n", "mean", "std", "ci95"} }

// pointsTrailing is the fixed part of the points.csv header, after the
// parameter columns.
func pointsTrailing() []string {
	h := pointsCounts()
	for _, m := range PointMetrics() {
		for _, s := range aggregateSuffixes() {
			h = append(h, m+"_"+s)
		}
	}
	return h
}

// WritePointsCSV writes points.csv atomically: one row per point, in the
// order given, with the parameter columns named by params, then runs,
// passed, failed, excluded, converged and trim, then n, mean, std and ci95
// of every metric of
// PointMetrics (e.g. latency_p50_ms_mean). Undefined values are empty.
func WritePointsCSV(path string, params []string, pts []Point) error {
	return writePointsCSV(nil, path, params, pts)
}

// writePointsCSV is WritePointsCSV into the batch b (on its own if b is
// nil).
func writePointsCSV(b *Batch, path string, params []string, pts []Point) error {
	trailing := pointsTrailing()
	for i, p := range params {
		if p == "" || slices.Contains(trailing, p) || slices.Contains(params[:i], p) {
			return fmt.Errorf("results: %s: parameter name %q is empty, reserved or repeated", path, p)
		}
	}
	for i, p := range pts {
		if len(p.Params) != len(params) {
			return fmt.Errorf("results: %s: point %d has %d parameter values, want %d", path, i, len(p.Params), len(params))
		}
	}
	header := append(slices.Clone(params), trailing...)
	metrics := pointMetrics()
	return writeCSVTo(b, path, header, func(emit func(...string) error) error {
		rec := make([]string, 0, len(header))
		for i := range pts {
			p := &pts[i]
			rec = append(rec[:0], p.Params...)
			rec = append(rec, fmtInt(int64(p.Runs)), fmtInt(int64(p.Passed)), fmtInt(int64(p.Failed)),
				fmtInt(int64(p.Excluded)), fmtInt(int64(p.Converged)), fmtInt(int64(p.Trim)))
			for _, m := range metrics {
				a := m.agg(p)
				rec = append(rec, fmtInt(int64(a.N)), formatFloat(float64(a.Mean)),
					formatFloat(float64(a.Std)), formatFloat(float64(a.CI95)))
			}
			if err := emit(rec...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadPointsCSV reads a points.csv written by WritePointsCSV and returns the
// parameter names (the columns before "runs") and the points.
func ReadPointsCSV(path string) ([]string, []Point, error) {
	c, err := readCSV(path)
	if err != nil {
		return nil, nil, err
	}
	trail := pointsTrailing()
	h := c.header
	np := len(h) - len(trail)
	if np < 0 || !slices.Equal(h[np:], trail) {
		return nil, nil, fmt.Errorf("results: %s:1: not a points.csv header (want parameters..., %s)", path, strings.Join(pointsCounts(), ", "))
	}
	params := slices.Clone(h[:np])
	metrics := pointMetrics()
	pts := make([]Point, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
		pt := Point{
			Params:    slices.Clone(c.rows[i][:np]),
			Runs:      p.count(np),
			Passed:    p.count(np + 1),
			Failed:    p.count(np + 2),
			Excluded:  p.count(np + 3),
			Converged: p.count(np + 4),
			Trim:      p.count(np + 5),
		}
		col := np + len(pointsCounts())
		for _, m := range metrics {
			*m.agg(&pt) = Aggregate{
				N:    p.count(col),
				Mean: Float(p.float(col + 1)),
				Std:  Float(p.float(col + 2)),
				CI95: Float(p.float(col + 3)),
			}
			col += len(aggregateSuffixes())
		}
		if p.err != nil {
			return nil, nil, p.err
		}
		pts[i] = pt
	}
	return params, pts, nil
}

// WriteSweepPoints reads dir/runs.csv and writes dir/points.csv with the
// points of its runs, each metric trimmed by k (see PointsTrimmed; 0 keeps
// every value), and dir/summary.md with the untrimmed points (see
// SummaryMarkdown).
func WriteSweepPoints(dir string, k int) error {
	t, err := ReadRunsCSV(filepath.Join(dir, RunsFile))
	if err != nil {
		return err
	}
	// Both files are synced to disk at once.
	var b Batch
	defer b.Abort()
	if err := writeSweepPoints(&b, dir, t, k); err != nil {
		return err
	}
	return b.Commit()
}

// WriteRunsAndPoints writes runs.csv into dir from t, then points.csv and
// summary.md as WriteSweepPoints writes them from that runs.csv, the three
// files synced to disk at once (see Batch): the same files as WriteRunsCSV
// then WriteSweepPoints, with one wait for the disk instead of two.
func WriteRunsAndPoints(dir string, t RunsTable, k int) error {
	var b Batch
	defer b.Abort()
	if _, err := WriteRunsAndPointsTo(&b, dir, t, k); err != nil {
		return err
	}
	return b.Commit()
}

// WriteRunsAndPointsTo is WriteRunsAndPoints into the batch b: the files
// are in place once b is committed, so a caller can add more files. It
// returns runs.csv as it reads back (ReadRunsCSV), which the points come
// from.
func WriteRunsAndPointsTo(b *Batch, dir string, t RunsTable, k int) (RunsTable, error) {
	path := filepath.Join(dir, RunsFile)
	var runs bytes.Buffer
	if err := encodeRunsCSV(&runs, path, t); err != nil {
		return RunsTable{}, err
	}
	read, err := parseRunsCSV(path, runs.Bytes())
	if err != nil {
		return RunsTable{}, err
	}
	if err := b.WriteFile(path, runs.Bytes()); err != nil {
		return RunsTable{}, err
	}
	return read, writeSweepPoints(b, dir, read, k)
}

// writeSweepPoints writes points.csv and summary.md into dir from the runs
// t into the batch b.
func writeSweepPoints(b *Batch, dir string, t RunsTable, k int) error {
	if err := writePointsCSV(b, filepath.Join(dir, PointsFile), t.Params, PointsTrimmed(t, k)); err != nil {
		return err
	}
	md := SummaryMarkdown(filepath.Base(filepath.Clean(dir)), t, Points(t))
	return b.WriteFile(filepath.Join(dir, SummaryMDFile), md)
}

// count parses a count: a non-negative int.
func (p *fieldParser) count(col int) int {
	v := p.int(col)
	if v < 0 {
		p.fail(col, errNegative)
		return 0
	}
	if v > math.MaxInt32 {
		p.fail(col, fmt.Errorf("%d is too large", v))
		return 0
	}
	return int(v)
}
