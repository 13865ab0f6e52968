package results

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"

	"github.com/byzsim/byzsim/sim"
)

// maxCDFPoints bounds the points drawn per CDF line; larger series are
// sampled at evenly spaced ranks, which keeps SVG and PDF files small.
const maxCDFPoints = 2000

// CDFSeries is one line of a latency CDF: a name (e.g. a workload) and its
// latencies, in any order.
type CDFSeries struct {
	Name      string
	Latencies []sim.Time
}

// CDFSeriesOf groups latency records by workload, sorted by name.
func CDFSeriesOf(recs []LatencyRecord) []CDFSeries { return LatencyOf(recs).Series() }

// ValueSeries is one line of a CDF of arbitrary values, e.g. the
// convergence times of the seeds of one sweep point: a name and its values,
// in any order. A NaN or infinite value is censored (e.g. a run that never
// converged): it counts in the total but is never reached, so the line ends
// below 1.
type ValueSeries struct {
	Name   string
	Values []float64
}

// cdfPoints returns the empirical CDF of sorted latencies in milliseconds
// as a post-step line: (x₀, 0), then (xᵢ, (i+1)/n), sampled down to
// maxCDFPoints ranks (the last one always included).
func cdfPoints(sorted []sim.Time) plotter.XYs {
	ms := make([]float64, len(sorted))
	for i, t := range sorted {
		ms[i] = t.Milliseconds()
	}
	return cdfXYs(ms, len(ms))
}

// cdfXYs returns the empirical CDF of the sorted finite values of a sample
// of total values (total ≥ len(sorted); the others are censored) as a
// post-step line: (x₀, 0), then (xᵢ, (i+1)/total), sampled down to
// maxCDFPoints ranks (the last one always included).
func cdfXYs(sorted []float64, total int) plotter.XYs {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	ranks := min(n, maxCDFPoints)
	pts := make(plotter.XYs, 0, ranks+1)
	pts = append(pts, plotter.XY{X: sorted[0], Y: 0})
	for j := 1; j <= ranks; j++ {
		r := (j*n + ranks - 1) / ranks // ⌈j·n/ranks⌉, r = n for j = ranks
		pts = append(pts, plotter.XY{X: sorted[r-1], Y: float64(r) / float64(total)})
	}
	return pts
}

// cdfLine is one line of a CDF plot, ready to draw.
type cdfLine struct {
	legend string
	pts    plotter.XYs
}

// plotCDF draws CDF lines, one per entry in the order given, laid out by
// style, and saves it in the formats of SavePlot. Lines
// without points are listed in the legend only. With logX the x axis is
// logarithmic and each line starts at its first positive value.
func plotCDF(stem, title, xLabel, yLabel string, lines []cdfLine, logX bool, style PlotStyle, formats []string) error {
	f, err := cdfFigure(title, xLabel, yLabel, lines, logX, style)
	if err != nil {
		return err
	}
	return f.save(stem, formats)
}

// cdfFigure is the figure plotCDF saves.
func cdfFigure(title, xLabel, yLabel string, lines []cdfLine, logX bool, style PlotStyle) (*figure, error) {
	f := newFigure(style)
	p := f.p
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for i, cl := range lines {
		l := &plotter.Line{}
		if pts := positive(cl.pts, logX, false); len(pts) > 0 {
			var err error
			if l, err = plotter.NewLine(pts); err != nil {
				return nil, fmt.Errorf("results: CDF %q: %w", cl.legend, err)
			}
			p.Add(l)
			f.avoidSteps(pts)
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle = SeriesLineStyle(i)
		f.addLegend(cl.legend, l)
	}
	p.Y.Min, p.Y.Max = 0, 1
	ensureRange(&p.X, 0, 1)
	logAxes(p, logX, false)
	return f, nil
}

// PlotLatencyCDF draws the latency CDF of each series (x: latency in ms,
// y: fraction of requests with at most that latency), one line per series
// in the order given, and saves it with SavePlot. An empty title means
// "Latency CDF". Series with no latencies are listed in the legend only.
func PlotLatencyCDF(stem, title string, series []CDFSeries, formats ...string) error {
	return plotLatencyCDF(stem, title, "", false, series, PlotStyle{}, formats)
}

// plotLatencyCDF is PlotLatencyCDF with an x label (empty: "latency (ms)"),
// an optional log x axis and a style.
func plotLatencyCDF(stem, title, xLabel string, logX bool, series []CDFSeries, style PlotStyle, formats []string) error {
	f, err := latencyCDFFigure(title, xLabel, logX, series, style)
	if err != nil {
		return err
	}
	return f.save(stem, formats)
}

// latencyCDFFigure is the figure plotLatencyCDF saves.
func latencyCDFFigure(title, xLabel string, logX bool, series []CDFSeries, style PlotStyle) (*figure, error) {
	lines := make([]cdfLine, len(series))
	for i, s := range series {
		sorted := slices.Clone(s.Latencies)
		slices.Sort(sorted)
		lines[i] = cdfLine{fmt.Sprintf("%s (n=%d)", s.Name, len(sorted)), cdfPoints(sorted)}
	}
	return cdfFigure(cmp.Or(title, "Latency CDF"), cmp.Or(xLabel, "latency (ms)"), "fraction of requests", lines, logX, style)
}

// PlotCDF draws the empirical CDF of each series (x: a value, labelled
// xLabel with its unit, e.g. "convergence time (s)"; y: the fraction of the
// series' values that are at most x), one line per series in the order
// given, and saves it with SavePlot. Censored values (NaN, ±Inf) count in a
// series' total but are never reached; the legend gives each series' count
// and how many were censored. An empty title means "CDF", an empty yLabel
// "fraction of values". Series with no finite values are listed in the
// legend only.
func PlotCDF(stem, title, xLabel, yLabel string, series []ValueSeries, formats ...string) error {
	return plotValueCDF(stem, title, xLabel, yLabel, false, series, PlotStyle{}, formats)
}

// plotValueCDF is PlotCDF with an optional log x axis and a style.
func plotValueCDF(stem, title, xLabel, yLabel string, logX bool, series []ValueSeries, style PlotStyle, formats []string) error {
	lines := make([]cdfLine, len(series))
	for i, s := range series {
		sorted := make([]float64, 0, len(s.Values))
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				sorted = append(sorted, v)
			}
		}
		slices.Sort(sorted)
		legend := fmt.Sprintf("%s (n=%d)", s.Name, len(s.Values))
		if c := len(s.Values) - len(sorted); c > 0 {
			legend = fmt.Sprintf("%s (n=%d, %d censored)", s.Name, len(s.Values), c)
		}
		lines[i] = cdfLine{legend, cdfXYs(sorted, len(s.Values))}
	}
	return plotCDF(stem, cmp.Or(title, "CDF"), xLabel, cmp.Or(yLabel, "fraction of values"), lines, logX, style, formats)
}
