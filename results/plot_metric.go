package results

import (
	"cmp"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MetricPoint is one point of a metric-vs-parameter line: the parameter
// value X (or its index, see MetricPlot.XLabels), the metric's mean Y and
// the half-width CI of its 95% confidence interval (NaN when undefined, e.g.
// for a single repetition: no error bar is drawn).
type MetricPoint struct {
	X, Y, CI float64
}

// MetricSeries is one line of a metric-vs-parameter plot, e.g. one
// protocol or one value of another swept key.
type MetricSeries struct {
	Name   string
	Points []MetricPoint
	// Intervals, when not nil, holds per point an asymmetric interval
	// [low, high] drawn as its error bar instead of Y ± CI (e.g. the 95%
	// interval of a median); an interval with a NaN bound draws no bar.
	Intervals [][2]float64
}

// MetricPlot is a plot of a metric against a swept parameter: one line per
// series with a marker at each point and error bars of its 95% confidence
// interval.
type MetricPlot struct {
	// Title, XLabel and YLabel label the plot and its axes; labels should
	// give the unit, e.g. "latency p50 (ms)".
	Title, XLabel, YLabel string
	// XLabels, when not empty, are the names of the x positions 0, 1, ...,
	// for swept values that are not numbers (e.g. protocols): each point's X
	// is then the index of its label.
	XLabels []string
	Series  []MetricSeries
	// LogX and LogY draw an axis on a log scale; points whose value on it
	// is not positive are skipped, and so are error bars reaching 0.
	LogX, LogY bool
	// NoMarkers draws the lines without a marker at each point, for series
	// with many points (e.g. one per request).
	NoMarkers bool
	// Style sets the figure's size, font size and legend position.
	Style PlotStyle
}

// PlotMetric draws a metric against a swept parameter with numeric values,
// one line per series in the order given, and saves it with SavePlot's
// formats. See MetricPlot.
func PlotMetric(stem, title, xLabel, yLabel string, series []MetricSeries, formats ...string) error {
	return MetricPlot{Title: title, XLabel: xLabel, YLabel: yLabel, Series: series}.Save(stem, formats...)
}

// Save draws the plot and saves it to stem.<format> for each format (see
// SavePlot), laid out by its Style. Points with an undefined or
// infinite X or Y are skipped; error bars are drawn where CI is finite and
// not negative. The y axis includes 0 when no value is negative. An empty
// title means "<YLabel> vs <XLabel>". It returns an error when XLabels is
// set and a point's X is not the index of a label.
func (m MetricPlot) Save(stem string, formats ...string) error {
	f := newFigure(m.Style)
	p := f.p
	p.Title.Text = cmp.Or(m.Title, m.YLabel+" vs "+m.XLabel)
	p.X.Label.Text = m.XLabel
	p.Y.Label.Text = m.YLabel
	anyCI, nonNegative := false, true
	for i, s := range m.Series {
		var pts plotter.XYs
		var bars plotter.XYs
		var errs plotter.YErrors
		for pi, pt := range s.Points {
			if !isFinite(pt.X) || !isFinite(pt.Y) || m.LogX && pt.X <= 0 || m.LogY && pt.Y <= 0 {
				continue
			}
			if len(m.XLabels) > 0 && (pt.X != math.Trunc(pt.X) || pt.X < 0 || int(pt.X) >= len(m.XLabels)) {
				return fmt.Errorf("results: metric plot %q: series %q: x %v is not the index of one of %d labels",
					p.Title.Text, s.Name, pt.X, len(m.XLabels))
			}
			pts = append(pts, plotter.XY{X: pt.X, Y: pt.Y})
			if s.Intervals != nil {
				iv := s.Intervals[pi]
				if isFinite(iv[0]) && isFinite(iv[1]) && iv[0] <= pt.Y && pt.Y <= iv[1] && !(m.LogY && iv[0] <= 0) {
					bars = append(bars, plotter.XY{X: pt.X, Y: pt.Y})
					errs = append(errs, struct{ Low, High float64 }{pt.Y - iv[0], iv[1] - pt.Y})
					nonNegative = nonNegative && iv[0] >= 0
				}
			} else if isFinite(pt.CI) && pt.CI >= 0 && !(m.LogY && pt.Y-pt.CI <= 0) {
				bars = append(bars, plotter.XY{X: pt.X, Y: pt.Y})
				errs = append(errs, struct{ Low, High float64 }{pt.CI, pt.CI})
				nonNegative = nonNegative && pt.Y-pt.CI >= 0
			}
			nonNegative = nonNegative && pt.Y >= 0
		}
		line, glyphs, err := styledLine(pts, i)
		if err != nil {
			return fmt.Errorf("results: metric plot %q: series %q: %w", p.Title.Text, s.Name, err)
		}
		switch {
		case len(pts) == 0:
		case m.NoMarkers:
			p.Add(line)
		default:
			p.Add(line, glyphs)
		}
		f.avoidData(pts)
		if len(bars) > 0 {
			anyCI = true
			eb, err := plotter.NewYErrorBars(errorBars{bars, errs})
			if err != nil {
				return fmt.Errorf("results: metric plot %q: series %q: %w", p.Title.Text, s.Name, err)
			}
			eb.LineStyle.Color = SeriesColor(i)
			eb.LineStyle.Width = vg.Points(1)
			eb.CapWidth = vg.Points(6)
			p.Add(eb)
			for k, b := range bars {
				f.avoidData(plotter.XYs{{X: b.X, Y: b.Y - errs[k].Low}, {X: b.X, Y: b.Y + errs[k].High}})
			}
		}
		if m.NoMarkers {
			f.addLegend(s.Name, line)
		} else {
			f.addLegend(s.Name, line, glyphs)
		}
	}
	if anyCI {
		f.addLegend("bars: 95% CI")
	}
	if len(m.XLabels) > 0 {
		ticks := make(plot.ConstantTicks, len(m.XLabels))
		for i, l := range m.XLabels {
			ticks[i] = plot.Tick{Value: float64(i), Label: l}
		}
		p.X.Tick.Marker = ticks
		p.X.Min, p.X.Max = -0.5, float64(len(m.XLabels))-0.5
	}
	ensureRange(&p.X, 0, 1)
	ensureRange(&p.Y, 0, 1)
	if nonNegative && !m.LogY {
		p.Y.Min = 0
	}
	logAxes(p, m.LogX && len(m.XLabels) == 0, m.LogY)
	return f.save(stem, formats)
}

// errorBars pairs points with symmetric y errors for plotter.NewYErrorBars.
type errorBars struct {
	plotter.XYs
	plotter.YErrors
}

// styledLine returns the line and the markers of series i in its series
// style (SeriesLineStyle, SeriesGlyphStyle). Both are usable as legend
// thumbnails even when pts is empty.
func styledLine(pts plotter.XYs, i int) (*plotter.Line, *plotter.Scatter, error) {
	line, glyphs := &plotter.Line{}, &plotter.Scatter{}
	if len(pts) > 0 {
		var err error
		if line, glyphs, err = plotter.NewLinePoints(pts); err != nil {
			return nil, nil, err
		}
	}
	line.LineStyle = SeriesLineStyle(i)
	glyphs.GlyphStyle = SeriesGlyphStyle(i)
	return line, glyphs, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// LoadPoint is one point of a latency-vs-throughput curve, e.g. one offered
// load: the throughput reached (requests/s) and the latency quantiles (ms).
type LoadPoint struct {
	ThroughputRPS float64
	P50MS, P99MS  float64
}

// LoadSeries is one latency-vs-throughput curve, e.g. one protocol, its
// points in the order of the offered load.
type LoadSeries struct {
	Name   string
	Points []LoadPoint
}

// PlotLatencyThroughput draws latency against throughput (x: requests/s,
// y: ms), one color per series in the order given: the p50 latency as a
// solid line with filled markers, the p99 latency as a dashed line with
// open markers, each connecting the points in the order given (the
// offered-load order, so a curve that bends back at saturation shows it),
// and saves it with SavePlot's formats. Points with an undefined
// throughput or latency are skipped. An empty title means "Latency vs
// throughput".
func PlotLatencyThroughput(stem, title string, series []LoadSeries, formats ...string) error {
	return plotLatencyThroughput(stem, title, axisOptions{}, series, formats)
}

// axisOptions override the axis labels of a plot (empty: the plot's
// defaults), put axes on a log scale and set the figure's style.
type axisOptions struct {
	xLabel, yLabel string
	logX, logY     bool
	style          PlotStyle
}

// plotLatencyThroughput is PlotLatencyThroughput with axis options; on a
// log axis, points that are not positive are skipped.
func plotLatencyThroughput(stem, title string, opt axisOptions, series []LoadSeries, formats []string) error {
	f := newFigure(opt.style)
	p := f.p
	p.Title.Text = cmp.Or(title, "Latency vs throughput")
	p.X.Label.Text = cmp.Or(opt.xLabel, "throughput (requests/s)")
	p.Y.Label.Text = cmp.Or(opt.yLabel, "latency (ms)")
	for i, s := range series {
		var p50, p99 plotter.XYs
		for _, pt := range s.Points {
			if !isFinite(pt.ThroughputRPS) {
				continue
			}
			if isFinite(pt.P50MS) {
				p50 = append(p50, plotter.XY{X: pt.ThroughputRPS, Y: pt.P50MS})
			}
			if isFinite(pt.P99MS) {
				p99 = append(p99, plotter.XY{X: pt.ThroughputRPS, Y: pt.P99MS})
			}
		}
		c := SeriesColor(i)
		shape := SeriesShape(i)
		for j, pts := range []plotter.XYs{p50, p99} {
			if pts = positive(pts, opt.logX, opt.logY); len(pts) == 0 {
				continue
			}
			l, g, err := plotter.NewLinePoints(pts)
			if err != nil {
				return fmt.Errorf("results: latency vs throughput: series %q: %w", s.Name, err)
			}
			l.Color, l.Width = c, vg.Points(1.5)
			g.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: filled(shape, j == 0)}
			if j == 1 {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			p.Add(l, g)
			f.avoidData(pts)
		}
		f.addLegend(s.Name, &plotter.Line{LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1.5)}},
			&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: filled(shape, true)}})
	}
	if len(series) > 0 {
		gray := color.Gray{Y: 80}
		f.addLegend("p50", &plotter.Line{LineStyle: draw.LineStyle{Color: gray, Width: vg.Points(1.5)}})
		f.addLegend("p99", &plotter.Line{LineStyle: draw.LineStyle{Color: gray, Width: vg.Points(1.5),
			Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}})
	}
	ensureRange(&p.X, 0, 1)
	ensureRange(&p.Y, 0, 1)
	if !opt.logX {
		p.X.Min = math.Min(p.X.Min, 0)
	}
	if !opt.logY {
		p.Y.Min = math.Min(p.Y.Min, 0)
	}
	logAxes(p, opt.logX, opt.logY)
	return f.save(stem, formats)
}
