package results

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A figure is one image laid out by a PlotStyle: a plot (or panels) and
// its legend, inside the plot's corners, beside it or below it.

// legendEntry is one entry of a figure's legend.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// figure is one image: a plot (or panels painted by paint) and its legend,
// laid out by a PlotStyle.
type figure struct {
	style PlotStyle
	p     *plot.Plot
	// paint, when set, draws the plot area instead of p (e.g. several
	// panels); the legend then never goes inside. paintTop, when set,
	// is how far below the top of the plot area the panels' data starts
	// (below a title), where a legend on the right starts too.
	paint    func(c draw.Canvas)
	paintTop vg.Length
	entries  []legendEntry
	// avoid are the polylines, in data coordinates, that an inside legend
	// must not cover.
	avoid []plotter.XYs
	// avoidTop keeps an automatic legend out of the top corners (e.g.
	// where marker labels go).
	avoidTop bool
}

// newFigure returns a figure of one plot in style s.
func newFigure(s PlotStyle) *figure { return &figure{style: s, p: newPlot(s)} }

// addLegend adds a legend entry drawn with thumbs (none: a note).
func (f *figure) addLegend(text string, thumbs ...plot.Thumbnailer) {
	f.entries = append(f.entries, legendEntry{text, thumbs})
}

// avoidData records data an automatic legend must not cover.
func (f *figure) avoidData(pts plotter.XYs) {
	if len(pts) > 0 {
		f.avoid = append(f.avoid, pts)
	}
}

// avoidSteps records a post-step line an automatic legend must not cover.
func (f *figure) avoidSteps(pts plotter.XYs) {
	steps := make(plotter.XYs, 0, 2*len(pts))
	for i, pt := range pts {
		if i > 0 {
			steps = append(steps, plotter.XY{X: pt.X, Y: pts[i-1].Y})
		}
		steps = append(steps, pt)
	}
	f.avoidData(steps)
}

// save finishes the axes (nice ranges) and writes the figure to
// stem.<format> for each format (see SavePlot).
func (f *figure) save(stem string, formats []string) error {
	files, err := f.render(stem, formats)
	if err != nil {
		return err
	}
	return writeRendered(files)
}

// render is save without writing the files.
func (f *figure) render(stem string, formats []string) ([]renderedFile, error) {
	if f.p != nil {
		niceAxis(&f.p.X)
		niceAxis(&f.p.Y)
	}
	return renderDrawing(stem, f.style.width(), f.style.height(), formats, f.draw)
}

// legendLayout measures legend entries in a font size.
type legendLayout struct {
	text                     draw.TextStyle
	thumbW, gap, entryH, pad vg.Length
	colGap                   vg.Length
}

func newLegendLayout(fs vg.Length) legendLayout {
	ts := draw.TextStyle{Color: color.Black, Font: fontOf(fs * 0.9), Handler: plot.DefaultTextHandler, YAlign: draw.YCenter}
	return legendLayout{text: ts, thumbW: fs * 2.4, gap: fs * 0.5, entryH: fs * 1.35, pad: fs * 0.4, colGap: fs * 1.2}
}

func (l legendLayout) entryWidth(e legendEntry) vg.Length {
	if len(e.thumbs) == 0 {
		return l.text.Width(e.text)
	}
	return l.thumbW + l.gap + l.text.Width(e.text)
}

// grid returns the column widths of entries laid out row by row in ncol
// columns, and the number of rows.
func (l legendLayout) grid(entries []legendEntry, ncol int) ([]vg.Length, int) {
	widths := make([]vg.Length, ncol)
	for i, e := range entries {
		widths[i%ncol] = max(widths[i%ncol], l.entryWidth(e))
	}
	return widths, (len(entries) + ncol - 1) / ncol
}

// size returns the size of the legend box laid out in ncol columns.
func (l legendLayout) size(entries []legendEntry, ncol int) (w, h vg.Length) {
	widths, rows := l.grid(entries, ncol)
	for i, cw := range widths {
		w += cw
		if i > 0 {
			w += l.colGap
		}
	}
	return w + 2*l.pad, vg.Length(rows)*l.entryH + 2*l.pad
}

// columns returns the most columns (at most len(entries)) whose box fits
// in width, balanced so that the last row is as full as the others allow.
func (l legendLayout) columns(entries []legendEntry, width vg.Length) int {
	ncol := 1
	for n := 2; n <= len(entries); n++ {
		if w, _ := l.size(entries, n); w > width {
			break
		}
		ncol = n
	}
	if ncol > 0 && len(entries) > 0 {
		rows := (len(entries) + ncol - 1) / ncol
		ncol = (len(entries) + rows - 1) / rows
	}
	return ncol
}

// draw draws the legend box with its top-left corner at (x, y), with a
// white background and a thin border when boxed.
func (l legendLayout) draw(c draw.Canvas, entries []legendEntry, ncol int, x, y vg.Length, boxed bool) {
	w, h := l.size(entries, ncol)
	if boxed {
		r := vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + w, Y: y}}
		c.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 235})
		c.Fill(r.Path())
		c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(0.5)})
		c.Stroke(r.Path())
	}
	widths, _ := l.grid(entries, ncol)
	for i, e := range entries {
		cx := x + l.pad
		for j := range i % ncol {
			cx += widths[j] + l.colGap
		}
		top := y - l.pad - vg.Length(i/ncol)*l.entryH
		tx := cx
		if len(e.thumbs) > 0 {
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: cx, Y: top - l.entryH},
				Max: vg.Point{X: cx + l.thumbW, Y: top},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&icon)
			}
			tx += l.thumbW + l.gap
		}
		c.FillText(l.text, vg.Point{X: tx, Y: top - l.entryH/2}, e.text)
	}
}

// draw paints the figure on c: a white background, the plot and the
// legend where the style puts it.
func (f *figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	fs := f.style.fontSize()
	l := newLegendLayout(fs)
	pos := f.style.legend()
	if len(f.entries) == 0 {
		pos = LegendNone
	}
	if f.paint != nil && pos != LegendNone && pos != LegendRight {
		pos = LegendBelow
	}
	margin := fs * 0.5
	inner := draw.Crop(c, margin, -margin, margin, -margin)
	paint := func(c draw.Canvas) {
		if f.paint != nil {
			f.paint(c)
		} else {
			f.p.Draw(c)
		}
	}
	if pos == LegendAuto {
		pos = f.autoLegend(inner, l)
	}
	switch pos {
	case LegendNone:
		paint(inner)
	case LegendRight:
		w, _ := l.size(f.entries, 1)
		area := inner
		area.Max.X -= w + margin
		paint(area)
		top := area.Max.Y - f.paintTop
		if f.p != nil {
			top = f.p.DataCanvas(area).Max.Y
		}
		l.draw(c, f.entries, 1, inner.Max.X-w, top, false)
	case LegendBelow:
		ncol := l.columns(f.entries, inner.Max.X-inner.Min.X)
		w, h := l.size(f.entries, ncol)
		area := inner
		area.Min.Y += h
		paint(area)
		l.draw(c, f.entries, ncol, (inner.Min.X+inner.Max.X-w)/2, inner.Min.Y+h, false)
	default:
		paint(inner)
		r := f.cornerRect(f.p.DataCanvas(inner), l, pos)
		l.draw(c, f.entries, 1, r.Min.X, r.Max.Y, true)
	}
}

// cornerRect returns the legend box in an inside corner of the data area.
func (f *figure) cornerRect(da draw.Canvas, l legendLayout, pos string) vg.Rectangle {
	w, h := l.size(f.entries, 1)
	inset := f.style.fontSize() * 0.4
	var r vg.Rectangle
	if strings.HasSuffix(pos, "left") {
		r.Min.X = da.Min.X + inset
	} else {
		r.Min.X = da.Max.X - inset - w
	}
	if strings.HasPrefix(pos, "top") {
		r.Min.Y = da.Max.Y - inset - h
	} else {
		r.Min.Y = da.Min.Y + inset
	}
	r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
	return r
}

// autoLegend chooses the first inside corner where the legend covers no
// data and takes at most 60% of the data area's width and height, else
// below the plot.
func (f *figure) autoLegend(c draw.Canvas, l legendLayout) string {
	if f.p == nil {
		return LegendBelow
	}
	da := f.p.DataCanvas(c)
	w, h := l.size(f.entries, 1)
	if w > 0.6*(da.Max.X-da.Min.X) || h > 0.6*(da.Max.Y-da.Min.Y) {
		return LegendBelow
	}
	trX, trY := f.p.Transforms(&da)
	corners := []string{LegendTopRight, LegendTopLeft, LegendBottomRight, LegendBottomLeft}
	if f.avoidTop {
		corners = corners[2:]
	}
	for _, pos := range corners {
		r := f.cornerRect(da, l, pos)
		// Keep clear of markers and line widths.
		r.Min.X, r.Min.Y = r.Min.X-vg.Points(4), r.Min.Y-vg.Points(4)
		r.Max.X, r.Max.Y = r.Max.X+vg.Points(4), r.Max.Y+vg.Points(4)
		if !f.covers(r, trX, trY, f.p) {
			return pos
		}
	}
	return LegendBelow
}

// covers reports whether some recorded data line passes through r.
func (f *figure) covers(r vg.Rectangle, trX, trY func(float64) vg.Length, p *plot.Plot) bool {
	inRange := func(pt plotter.XY) bool {
		ok := isFinite(pt.X) && isFinite(pt.Y)
		if _, log := p.X.Scale.(plot.LogScale); log && pt.X <= 0 {
			ok = false
		}
		if _, log := p.Y.Scale.(plot.LogScale); log && pt.Y <= 0 {
			ok = false
		}
		return ok
	}
	for _, line := range f.avoid {
		var prev vg.Point
		havePrev := false
		for _, pt := range line {
			if !inRange(pt) {
				havePrev = false
				continue
			}
			q := vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
			if havePrev && segmentHitsRect(prev, q, r) || !havePrev && q.X >= r.Min.X && q.X <= r.Max.X && q.Y >= r.Min.Y && q.Y <= r.Max.Y {
				return true
			}
			prev, havePrev = q, true
		}
	}
	return false
}

// segmentHitsRect reports whether the segment from a to b meets r
// (Liang–Barsky clipping).
func segmentHitsRect(a, b vg.Point, r vg.Rectangle) bool {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	t0, t1 := 0.0, 1.0
	for _, e := range [4][2]float64{
		{-dx, float64(a.X - r.Min.X)}, {dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - a.Y)},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}
