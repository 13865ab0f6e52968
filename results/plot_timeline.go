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
// with a vertical dashed line and its label at each marker, and saves it in
// the formats of SavePlot. An empty title means
// "Throughput over time". Rows with an undefined throughput (NaN) are skipped.
func PlotThroughput(stem, title string, series []ThroughputSeries, markers []Marker, formats ...string) error {
	p := plot.New()
	p.Title.Text = cmp.Or(title, "Throughput over time")
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "throughput (requests/s)"
	p.Add(plotter.NewGrid())
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
		ts := p.Legend.TextStyle
		ts.Font.Size = vg.Points(8)
		p.Add(&markerLines{
			markers: markers,
			line:    draw.LineStyle{Color: color.Gray{Y: 96}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}},
			text:    ts,
		})
	}
	ensureRange(&p.X, 0, 1)
	ensureRange(&p.Y, 0, 1)
	p.Y.Min = 0
	p.Y.Max *= 1.15 // room for marker labels above the lines
	return saveWithSideLegend(p, leg, stem, formats)
}

// markerLines draws a vertical dashed line over the whole data area at each
// marker's time, with the label to its right near the top; labels of
// consecutive markers are staggered over three lines so they overlap less.
type markerLines struct {
	markers []Marker
	line    draw.LineStyle
	text    draw.TextStyle
}

// Plot implements plot.Plotter.
func (m *markerLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	h := m.text.Height("M")
	for i, mk := range m.markers {
		x := trX(mk.At.Time().Seconds())
		if x < c.Min.X || x > c.Max.X {
			continue
		}
		c.StrokeLine2(m.line, x, c.Min.Y, x, c.Max.Y)
		y := c.Max.Y - h*vg.Length(1+i%3)
		c.FillText(m.text, vg.Point{X: x + vg.Points(2), Y: y}, mk.Label)
	}
}

// DataRange implements plot.DataRanger: the markers' times widen the x
// range; the y range is left to the data.
func (m *markerLines) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, mk := range m.markers {
		x := mk.At.Time().Seconds()
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}
