package results

import (
	"cmp"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ThroughputSeries is one line of a throughput-over-time plot: a name (e.g.
// a protocol) and its timeline rows, ordered by time.
type ThroughputSeries struct {
	Name string
	Rows []TimelineRow
}

// throughputPoints returns the rows as a post-step line in (s, requests/s):
// each bucket's throughput holds until the next bucket starts; the last one
// is extended by the previous bucket width.
func throughputPoints(rows []TimelineRow) plotter.XYs {
	pts := make(plotter.XYs, 0, len(rows)+1)
	for _, r := range rows {
		pts = append(pts, plotter.XY{X: r.Start.Seconds(), Y: r.ThroughputRPS})
	}
	if n := len(rows); n >= 2 {
		end := rows[n-1].Start + (rows[n-1].Start - rows[n-2].Start)
		pts = append(pts, plotter.XY{X: end.Seconds(), Y: rows[n-1].ThroughputRPS})
	}
	return pts
}

// PlotThroughput draws throughput over time (x: time in s, y: requests/s),
// one line per series in the order given (the legend beside the plot),
// with a vertical dashed line and its label at each point marker and a
// shaded band with its label over each span marker (e.g. when a fault rule
// acted), and saves it in the formats of SavePlot. An empty title means
// "Throughput over time". Rows with an undefined throughput (NaN) are skipped.
func PlotThroughput(stem, title string, series []ThroughputSeries, markers []Marker, formats ...string) error {
	p := plot.New()
	p.Title.Text = cmp.Or(title, "Throughput over time")
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "throughput (requests/s)"
	p.Add(plotter.NewGrid())
	labels := p.Legend.TextStyle
	labels.Font.Size = vg.Points(8)
	marks := &markerLines{
		markers: markers,
		line:    draw.LineStyle{Color: color.Gray{Y: 96}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}},
		text:    labels,
	}
	if len(markers) > 0 {
		// The bands go under the lines, so that the lines stay visible.
		p.Add(markerBands{marks})
	}
	leg := newSideLegend()
	for i, s := range series {
		var rows []TimelineRow
		for _, r := range s.Rows {
			if !math.IsNaN(r.ThroughputRPS) && !math.IsInf(r.ThroughputRPS, 0) {
				rows = append(rows, r)
			}
		}
		pts := throughputPoints(rows)
		l := &plotter.Line{}
		if len(pts) > 0 {
			var err error
			if l, err = plotter.NewLine(pts); err != nil {
				return fmt.Errorf("results: throughput %q: %w", s.Name, err)
			}
			p.Add(l)
		}
		l.StepStyle = plotter.PostStep
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		l.Width = vg.Points(1.5)
		leg.Add(s.Name, l)
	}
	if len(markers) > 0 {
		p.Add(marks)
	}
	ensureRange(&p.X, 0, 1)
	ensureRange(&p.Y, 0, 1)
	p.Y.Min = 0
	// Room for the marker labels above the lines: three rows, more when
	// more markers may use more.
	p.Y.Max *= 1.15 + 0.05*float64(max(0, min(len(markers), maxLabelRows)-3))
	return saveWithSideLegend(p, leg, stem, formats)
}

// spanFill shades the span markers: a translucent orange.
var spanFill = color.NRGBA{R: 230, G: 120, B: 20, A: 56}

// minSpanWidth is the narrowest a span marker is drawn, so that a fault
// acting at one instant still shows.
var minSpanWidth = vg.Points(3)

// maxLabelRows is how many lines marker labels are spread over.
const maxLabelRows = 6

// markerLines draws a vertical line (style line) over the whole data area
// at each point marker's time, and the label of every marker (point or
// span) to the right of its start near the top: each label goes on the
// first of maxLabelRows lines where it does not overlap an earlier label
// (or, if none, on the line whose labels end leftmost). markerBands draws
// the spans' bands.
type markerLines struct {
	markers []Marker
	line    draw.LineStyle
	text    draw.TextStyle
}

// Plot implements plot.Plotter.
func (m *markerLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	h := m.text.Height("M")
	var ends [maxLabelRows]vg.Length // right end of each row's last label
	for i := range ends {
		ends[i] = c.Min.X - 1
	}
	for _, mk := range m.markers {
		x := trX(mk.At.Time().Seconds())
		if !mk.IsSpan() {
			if x < c.Min.X || x > c.Max.X {
				continue
			}
			c.StrokeLine2(m.line, x, c.Min.Y, x, c.Max.Y)
		} else if x = max(x, c.Min.X); x > c.Max.X {
			continue
		}
		lx := x + vg.Points(2)
		row := 0
		for k := range ends {
			if ends[k] < lx {
				row = k
				break
			}
			if ends[k] < ends[row] {
				row = k
			}
		}
		ends[row] = lx + m.text.Width(mk.Label) + vg.Points(4)
		c.FillText(m.text, vg.Point{X: lx, Y: c.Max.Y - h*vg.Length(1+row)}, mk.Label)
	}
}

// DataRange implements plot.DataRanger: the markers' times (and the ends
// of spans) widen the x range; the y range is left to the data.
func (m *markerLines) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, mk := range m.markers {
		x := mk.At.Time().Seconds()
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, max(mk.Until, mk.At).Time().Seconds())
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}

// markerBands draws a band of spanFill over the data area from At to Until
// of each span marker, at least minSpanWidth wide.
type markerBands struct{ *markerLines }

// Plot implements plot.Plotter.
func (m markerBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, mk := range m.markers {
		if !mk.IsSpan() {
			continue
		}
		x0, x1 := trX(mk.At.Time().Seconds()), trX(mk.Until.Time().Seconds())
		x1 = max(x1, x0+minSpanWidth)
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x0 >= x1 {
			continue
		}
		c.FillPolygon(spanFill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}
