package results

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/byzsim/byzsim/sim"
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
// one line per series in the order given, with a vertical dashed line and
// its label at each point marker and a shaded band with its label over
// each span marker (e.g. when a fault rule acted), and saves it in the
// formats of SavePlot. An empty title means "Throughput over time". Rows
// with an undefined throughput (NaN) are skipped. Adjacent rows are merged
// into wider buckets when the rate is low (see throughputBuckets); the y
// label gives the bucket width.
func PlotThroughput(stem, title string, series []ThroughputSeries, markers []Marker, formats ...string) error {
	return plotThroughput(stem, title, series, markers, PlotStyle{}, formats)
}

// plotThroughput is PlotThroughput in a style.
func plotThroughput(stem, title string, series []ThroughputSeries, markers []Marker, style PlotStyle, formats []string) error {
	f, err := throughputFigure(title, series, markers, style)
	if err != nil {
		return err
	}
	return f.save(stem, formats)
}

// throughputFigure is the figure plotThroughput saves.
func throughputFigure(title string, series []ThroughputSeries, markers []Marker, style PlotStyle) (*figure, error) {
	f := newFigure(style)
	p := f.p
	p.Title.Text = cmp.Or(title, "Throughput over time")
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "throughput (requests/s)"
	k, width := throughputBuckets(series)
	if width > 0 {
		p.Y.Label.Text = "throughput (requests/s, " + formatWidth(width) + " buckets)"
	}
	labels := p.Y.Tick.Label
	labels.Font = fontOf(style.fontSize() * 0.8)
	marks := &markerLines{
		markers: markers,
		line:    draw.LineStyle{Color: color.Gray{Y: 96}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}},
		text:    labels,
	}
	if len(markers) > 0 {
		// The bands go under the lines, so that the lines stay visible.
		p.Add(markerBands{marks})
		f.avoidTop = true
	}
	for i, s := range series {
		var rows []TimelineRow
		for _, r := range mergeBuckets(s.Rows, k) {
			if !math.IsNaN(r.ThroughputRPS) && !math.IsInf(r.ThroughputRPS, 0) {
				rows = append(rows, r)
			}
		}
		pts := throughputPoints(rows)
		l := &plotter.Line{}
		if len(pts) > 0 {
			var err error
			if l, err = plotter.NewLine(pts); err != nil {
				return nil, fmt.Errorf("results: throughput %q: %w", s.Name, err)
			}
			p.Add(l)
			f.avoidSteps(pts)
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle = SeriesLineStyle(i)
		f.addLegend(s.Name, l)
	}
	if len(markers) > 0 {
		p.Add(marks)
	}
	ensureRange(&p.X, 0, 1)
	ensureRange(&p.Y, 0, 1)
	p.Y.Min = 0
	// Room for the marker labels above the lines: three rows, more when
	// more markers may use more.
	if len(markers) > 0 {
		p.Y.Max *= 1.15 + 0.05*float64(max(0, min(len(markers), maxLabelRows)-3))
	}
	return f, nil
}

// Throughput bucket choice.
const (
	minBucketRequests = 20 // requests a merged bucket should hold on average
	minBuckets        = 25 // buckets a merged timeline should keep
)

// throughputBuckets returns how many adjacent timeline rows to merge into
// one bucket of the throughput plot, and the merged width (0 when there
// are no two rows to measure it): the smallest factor of 1, 2 or 5 × 10^k
// giving buckets of at least 20 requests at the series' mean throughput,
// but no fewer than 25 buckets over the longest series. At a low rate,
// one bucket of the default 100 ms holds a request or none, and the plot
// would be a comb.
func throughputBuckets(series []ThroughputSeries) (int, sim.Time) {
	var interval sim.Time
	var sum float64
	var n, longest int
	for _, s := range series {
		if len(s.Rows) >= 2 && interval == 0 {
			interval = s.Rows[1].Start - s.Rows[0].Start
		}
		longest = max(longest, len(s.Rows))
		for _, r := range s.Rows {
			if isFinite(r.ThroughputRPS) {
				sum += r.ThroughputRPS
				n++
			}
		}
	}
	if interval <= 0 || n == 0 {
		return 1, interval
	}
	perBucket := sum / float64(n) * interval.Seconds()
	k := 1
	for _, c := range niceFactors() {
		if c > longest/minBuckets {
			break
		}
		k = c
		if float64(c)*perBucket >= minBucketRequests {
			break
		}
	}
	return k, interval * sim.Time(k)
}

// niceFactors are the bucket merge factors: 1, 2, 5, 10, ..., 5000.
func niceFactors() []int {
	var out []int
	for p := 1; p <= 1000; p *= 10 {
		out = append(out, p, 2*p, 5*p)
	}
	return out
}

// mergeBuckets merges each k adjacent rows into one starting at the
// first's start, with the summed counts and the mean of the defined
// throughputs (NaN if none).
func mergeBuckets(rows []TimelineRow, k int) []TimelineRow {
	if k <= 1 {
		return rows
	}
	out := make([]TimelineRow, 0, (len(rows)+k-1)/k)
	for i := 0; i < len(rows); i += k {
		m := TimelineRow{Start: rows[i].Start}
		var sum float64
		var n int
		for _, r := range rows[i:min(i+k, len(rows))] {
			m.Completed += r.Completed
			m.Commits += r.Commits
			m.Bytes += r.Bytes
			if isFinite(r.ThroughputRPS) {
				sum += r.ThroughputRPS
				n++
			}
		}
		m.ThroughputRPS = math.NaN()
		if n > 0 {
			m.ThroughputRPS = sum / float64(n)
		}
		out = append(out, m)
	}
	return out
}

// formatWidth formats a bucket width: "100 ms", "2 s".
func formatWidth(w sim.Time) string {
	if s := w.Seconds(); s >= 1 {
		return strconv.FormatFloat(s, 'f', -1, 64) + " s"
	}
	return strconv.FormatFloat(w.Milliseconds(), 'f', -1, 64) + " ms"
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
