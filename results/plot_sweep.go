package results

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PlotsDir is the directory of an experiment's plots, inside its output
// directory.
const PlotsDir = "plots"

// maxCDFSeries bounds the lines of the default convergence CDF; a sweep
// with more points gets none.
const maxCDFSeries = 12

// sweepMetric is a metric plotted by default against each swept parameter.
type sweepMetric struct {
	name   string // column of points.csv without suffix
	file   string // file name stem
	title  string
	ylabel string
}

func sweepMetrics() []sweepMetric {
	return []sweepMetric{
		{"throughput_rps", "throughput", "Throughput", "throughput (requests/s)"},
		{"latency_p50_ms", "latency-p50", "Latency p50", "latency p50 (ms)"},
	}
}

// sweepAxis is one swept parameter: its distinct values in order of first
// appearance and, when they all are numbers (or durations, in seconds),
// their numeric values.
type sweepAxis struct {
	name    string
	values  []string
	numbers map[string]float64 // nil when not numeric
	unit    string             // "s" for durations
	// group is the index of the first axis that moves together with this
	// one (keys of one [[sweep.zip]]): their values pair one to one over
	// the points; an axis alone is its own group.
	group int
}

// PlotSweepDefaults draws the default plots of a sweep from dir/runs.csv
// and dir/points.csv (computed from runs.csv with Points when missing) into
// dir/plots, in the given formats (DefaultFormats if none):
//
//   - for each swept parameter with at least two values that are all
//     numbers or all durations, throughput-vs-<param> and
//     latency-p50-vs-<param>: the mean over the repetitions that passed
//     their checks with 95% CI error bars (a line's legend says how many
//     runs failed and were left out), one line per value of the other swept parameter with the fewest
//     values (ties go to the first); any further parameters are held at
//     their first value, named in the title. A sweep of one parameter whose
//     values are not numbers plots against its values as labels.
//   - convergence-cdf when some run converged and the sweep has at most 12
//     points: the CDF of the convergence times over the repetitions, one
//     line per point, runs that did not converge counted as censored.
//   - the figures of convergence when some run measured it (see
//     plotTransientDefaults), and the figure of each metric of figs that
//     some run has a value of: the metric against each swept parameter.
//
// The plots follow from the CSV files alone, so they are byte-identical
// when re-rendered.
func PlotSweepDefaults(dir string, figs []MetricFigure, formats ...string) error {
	t, pts, out, err := readSweep(dir)
	if err != nil {
		return err
	}
	axes := sweepAxes(t.Params, pts)
	for xi, x := range axes {
		if len(x.values) < 2 || x.numbers == nil && !alone(axes, xi) {
			continue
		}
		for _, m := range sweepMetrics() {
			mp := metricVsAxis(axes, xi, pts, m)
			stem := filepath.Join(out, m.file+"-vs-"+fileSafe(x.name))
			if err := mp.Save(stem, formats...); err != nil {
				return err
			}
		}
	}
	if err := plotConvergenceCDF(filepath.Join(out, "convergence-cdf"), t, pts, formats); err != nil {
		return err
	}
	return plotTransientDefaults(dir, out, t, pts, axes, figs, formats)
}

// readSweep reads dir/runs.csv and its points (see sweepPoints), and makes
// the plots directory, whose path it returns.
func readSweep(dir string) (RunsTable, []Point, string, error) {
	t, err := ReadRunsCSV(filepath.Join(dir, RunsFile))
	if err != nil {
		return t, nil, "", err
	}
	pts, err := sweepPoints(dir, t)
	if err != nil {
		return t, nil, "", err
	}
	out := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return t, nil, "", fmt.Errorf("results: %w", err)
	}
	return t, pts, out, nil
}

// sweepPoints reads dir/points.csv, or computes the points of t when the
// file does not exist.
func sweepPoints(dir string, t RunsTable) ([]Point, error) {
	path := filepath.Join(dir, PointsFile)
	params, pts, err := ReadPointsCSV(path)
	if errors.Is(err, os.ErrNotExist) {
		return Points(t), nil
	}
	if err != nil {
		return nil, err
	}
	if !slices.Equal(params, t.Params) {
		return nil, fmt.Errorf("results: %s: parameters %q differ from those of %s, %q",
			path, params, RunsFile, t.Params)
	}
	return pts, nil
}

// sweepAxes returns the swept parameters with their distinct values.
func sweepAxes(params []string, pts []Point) []sweepAxis {
	axes := make([]sweepAxis, len(params))
	for i, name := range params {
		a := sweepAxis{name: name}
		for _, p := range pts {
			if !slices.Contains(a.values, p.Params[i]) {
				a.values = append(a.values, p.Params[i])
			}
		}
		a.numbers, a.unit = numericValues(a.values)
		a.group = i
		for j := range i {
			if axes[j].group == j && len(a.values) > 1 && oneToOne(pts, i, j) {
				a.group = j
				break
			}
		}
		axes[i] = a
	}
	return axes
}

// oneToOne reports whether the values of parameters i and j pair one to
// one over the points (they move together, as zipped keys do).
func oneToOne(pts []Point, i, j int) bool {
	ij, ji := map[string]string{}, map[string]string{}
	for _, p := range pts {
		a, b := p.Params[i], p.Params[j]
		if v, ok := ij[a]; ok && v != b {
			return false
		}
		if v, ok := ji[b]; ok && v != a {
			return false
		}
		ij[a], ji[b] = b, a
	}
	return true
}

// seriesAxis returns the axis giving the lines of a plot against axis xi:
// the one with the fewest values (ties go to the first) outside xi's
// group; -1 if none.
func seriesAxis(axes []sweepAxis, xi int) int {
	si := -1
	for i, a := range axes {
		if a.group != axes[xi].group && a.group == i && (si < 0 || len(a.values) < len(axes[si].values)) {
			si = i
		}
	}
	return si
}

// withTied returns the label of axis xi naming the axes that move with
// it: "protocol.n (with protocol.f)".
func withTied(axes []sweepAxis, xi int) string {
	var tied []string
	for i, a := range axes {
		if i != xi && a.group == axes[xi].group {
			tied = append(tied, a.name)
		}
	}
	if len(tied) == 0 {
		return axes[xi].name
	}
	return axes[xi].name + " (with " + strings.Join(tied, ", ") + ")"
}

// numericValues returns the values as numbers when all are finite numbers,
// or as seconds when all are durations ("500ms"), with the unit; nil if
// neither.
func numericValues(vals []string) (map[string]float64, string) {
	nums := make(map[string]float64, len(vals))
	for _, v := range vals {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !isFinite(f) {
			nums = nil
			break
		}
		nums[v] = f
	}
	if nums != nil {
		return nums, ""
	}
	nums = make(map[string]float64, len(vals))
	for _, v := range vals {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, ""
		}
		nums[v] = d.Seconds()
	}
	return nums, "s"
}

// alone reports whether axis xi is the only axis of the sweep (with the
// axes that move with it).
func alone(axes []sweepAxis, xi int) bool {
	for _, a := range axes {
		if a.group != axes[xi].group {
			return false
		}
	}
	return true
}

// metricVsAxis builds the plot of metric m against axis xi.
func metricVsAxis(axes []sweepAxis, xi int, pts []Point, m sweepMetric) MetricPlot {
	x := axes[xi]
	si := seriesAxis(axes, xi)
	var fixed []string
	for i, a := range axes {
		if !movesWith(axes, i, xi, si) && a.group == i {
			fixed = append(fixed, a.name+"="+a.values[0])
		}
	}
	mp := MetricPlot{
		Title:  m.title + " vs " + x.name,
		XLabel: withTied(axes, xi),
		YLabel: m.ylabel,
	}
	if x.unit != "" {
		mp.XLabel += " (" + x.unit + ")"
	}
	if len(fixed) > 0 {
		mp.Title += " (" + strings.Join(fixed, ", ") + ")"
	}
	if x.numbers == nil {
		mp.XLabels = x.values
	}
	seriesOf := []string{""}
	if si >= 0 {
		seriesOf = axes[si].values
	}
	for _, sv := range seriesOf {
		s := MetricSeries{Name: "mean"}
		if si >= 0 {
			s.Name = axes[si].name + "=" + sv
		}
		runs, failed := 0, 0
		for _, p := range pts {
			if si >= 0 && p.Params[si] != sv || !holdsFirst(axes, p, xi, si) {
				continue
			}
			runs, failed = runs+p.Runs, failed+p.Excluded
			a, _ := p.Metric(m.name)
			xv := x.numbers[p.Params[xi]]
			if x.numbers == nil {
				xv = float64(slices.Index(x.values, p.Params[xi]))
			}
			s.Points = append(s.Points, MetricPoint{X: xv, Y: float64(a.Mean), CI: float64(a.CI95)})
		}
		s.Name += failedNote(failed, runs)
		slices.SortStableFunc(s.Points, func(a, b MetricPoint) int {
			switch {
			case a.X < b.X:
				return -1
			case a.X > b.X:
				return 1
			}
			return 0
		})
		mp.Series = append(mp.Series, s)
	}
	return mp
}

// holdsFirst reports whether p has the first value of every axis that
// does not move with xi or si.
func holdsFirst(axes []sweepAxis, p Point, xi, si int) bool {
	for i, a := range axes {
		if !movesWith(axes, i, xi, si) && p.Params[i] != a.values[0] {
			return false
		}
	}
	return true
}

// movesWith reports whether axis i is in the group of axis xi or of axis
// si (-1: none).
func movesWith(axes []sweepAxis, i, xi, si int) bool {
	return axes[i].group == axes[xi].group || si >= 0 && axes[i].group == axes[si].group
}

// plotConvergenceCDF draws the convergence-time CDF of each point, if some
// run converged and there are at most maxCDFSeries points.
func plotConvergenceCDF(stem string, t RunsTable, pts []Point, formats []string) error {
	if len(pts) > maxCDFSeries || !slices.ContainsFunc(t.Rows, func(r RunRow) bool { return r.Convergence != nil }) {
		return nil
	}
	series := make([]ValueSeries, len(pts))
	for i, p := range pts {
		series[i].Name = pointName(t.Params, p.Params)
		for _, r := range t.Rows {
			if !slices.Equal(r.Params, p.Params) {
				continue
			}
			v := math.Inf(1)
			if r.Convergence != nil {
				v = r.Convergence.Seconds()
			}
			series[i].Values = append(series[i].Values, v)
		}
	}
	return PlotCDF(stem, "Convergence time over repetitions", "convergence time (s)", "fraction of runs", series, formats...)
}

// pointName names a point by its parameters, "k=v, k2=v2", or "all runs"
// when nothing is swept.
func pointName(params, vals []string) string {
	if len(params) == 0 {
		return "all runs"
	}
	parts := make([]string, len(params))
	for i := range params {
		parts[i] = params[i] + "=" + vals[i]
	}
	return strings.Join(parts, ", ")
}

// fileSafe replaces the characters of s other than letters, digits, '.',
// '-' and '_' by '_', for use in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
