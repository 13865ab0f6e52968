package results

import (
	"cmp"
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

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

// cdfPoints returns the empirical CDF of sorted latencies in milliseconds
// as a post-step line: (x₀, 0), then (xᵢ, (i+1)/n), sampled down to
// maxCDFPoints ranks (the last one always included).
func cdfPoints(sorted []sim.Time) plotter.XYs {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	ranks := min(n, maxCDFPoints)
	pts := make(plotter.XYs, 0, ranks+1)
	pts = append(pts, plotter.XY{X: sorted[0].Milliseconds(), Y: 0})
	for j := 1; j <= ranks; j++ {
		r := (j*n + ranks - 1) / ranks // ⌈j·n/ranks⌉, r = n for j = ranks
		pts = append(pts, plotter.XY{X: sorted[r-1].Milliseconds(), Y: float64(r) / float64(n)})
	}
	return pts
}

// PlotLatencyCDF draws the latency CDF of each series (x: latency in ms,
// y: fraction of requests with at most that latency), one line per series
// in the order given, and saves it with SavePlot. An empty title means
// "Latency CDF". Series with no latencies are listed in the legend only.
func PlotLatencyCDF(stem, title string, series []CDFSeries, formats ...string) error {
	p := plot.New()
	p.Title.Text = cmp.Or(title, "Latency CDF")
	p.X.Label.Text = "latency (ms)"
	p.Y.Label.Text = "fraction of requests"
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	for i, s := range series {
		sorted := slices.Clone(s.Latencies)
		slices.Sort(sorted)
		pts := cdfPoints(sorted)
		l := &plotter.Line{}
		if len(pts) > 0 {
			var err error
			if l, err = plotter.NewLine(pts); err != nil {
				return fmt.Errorf("results: latency CDF %q: %w", s.Name, err)
			}
			p.Add(l)
		}
		l.StepStyle = plotter.PostStep
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		p.Legend.Add(fmt.Sprintf("%s (n=%d)", s.Name, len(sorted)), l)
	}
	p.Y.Min, p.Y.Max = 0, 1
	ensureRange(&p.X, 0, 1)
	return SavePlot(p, stem, formats...)
}
