package results

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The look of every plot is set here: the series' colors, markers and dash
// patterns, the fonts, the ticks, the figure size and where the legend
// goes. A plot kind builds a figure with newFigure, adds its lines with the
// Series* styles, lists them with figure.addLegend and saves it with
// figure.save.

// okabeIto is the Okabe–Ito palette of eight colors that stay distinct
// for readers with any common color-vision deficiency, in the order series
// take them: blue and vermillion first, the pair that differs most, yellow
// last, the weakest on white.
var okabeIto = [...]color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xd5, 0x5e, 0x00, 0xff}, // vermillion
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
	{0xf0, 0xe4, 0x42, 0xff}, // yellow
}

// seriesShapes are the marker shapes of series, filled where the shape
// has a filled variant. Six shapes and four dash patterns: series i and j
// < 12 differ in shape or dash (6 and 4 have 12 as least common multiple),
// so lines stay apart in greyscale whatever their colors.
var seriesShapes = [...]draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, diamondGlyph{fill: true}, invertedPyramidGlyph{fill: true}, draw.CrossGlyph{},
}

// seriesDashes are the dash patterns of series, in points: solid, dashed,
// dotted, dash-dotted.
var seriesDashes = [...][]float64{nil, {6, 3}, {1.5, 2.5}, {7, 2.5, 1.5, 2.5}}

// SeriesColor returns the color of series i (Okabe–Ito, repeating after
// eight series).
func SeriesColor(i int) color.Color { return okabeIto[mod(i, len(okabeIto))] }

// SeriesShape returns the marker shape of series i (repeating after six).
func SeriesShape(i int) draw.GlyphDrawer { return seriesShapes[mod(i, len(seriesShapes))] }

// SeriesDashes returns the dash pattern of series i (nil: solid;
// repeating after four).
func SeriesDashes(i int) []vg.Length {
	d := seriesDashes[mod(i, len(seriesDashes))]
	if d == nil {
		return nil
	}
	out := make([]vg.Length, len(d))
	for j, v := range d {
		out[j] = vg.Points(v)
	}
	return out
}

// SeriesLineStyle returns the line style of series i: its color and dash
// pattern, 1.5 pt wide.
func SeriesLineStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: SeriesColor(i), Width: vg.Points(1.5), Dashes: SeriesDashes(i)}
}

// SeriesGlyphStyle returns the marker style of series i: its color and
// shape, 3 pt in radius.
func SeriesGlyphStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: SeriesColor(i), Radius: vg.Points(3), Shape: SeriesShape(i)}
}

func mod(i, n int) int { return (i%n + n) % n }

// diamondGlyph is a diamond, filled or outlined.
type diamondGlyph struct{ fill bool }

// DrawGlyph implements draw.GlyphDrawer.
func (g diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.25
	polyGlyph(c, sty, g.fill, []vg.Point{{X: pt.X, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y}, {X: pt.X, Y: pt.Y - r}, {X: pt.X - r, Y: pt.Y}})
}

// invertedPyramidGlyph is a triangle pointing down, filled or outlined.
type invertedPyramidGlyph struct{ fill bool }

// DrawGlyph implements draw.GlyphDrawer.
func (g invertedPyramidGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius + (sty.Radius-sty.Radius*vg.Length(math.Sin(math.Pi/6)))/2
	polyGlyph(c, sty, g.fill, []vg.Point{
		{X: pt.X, Y: pt.Y - r},
		{X: pt.X - r*vg.Length(math.Cos(math.Pi/6)), Y: pt.Y + r*vg.Length(math.Sin(math.Pi/6))},
		{X: pt.X + r*vg.Length(math.Cos(math.Pi/6)), Y: pt.Y + r*vg.Length(math.Sin(math.Pi/6))},
	})
}

func polyGlyph(c *draw.Canvas, sty draw.GlyphStyle, fill bool, pts []vg.Point) {
	if fill {
		c.FillPolygon(sty.Color, pts)
		return
	}
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(0.5)})
	var p vg.Path
	p.Move(pts[0])
	for _, q := range pts[1:] {
		p.Line(q)
	}
	p.Close()
	c.Stroke(p)
}

// filled returns the filled or the open variant of a series' marker shape.
func filled(s draw.GlyphDrawer, fill bool) draw.GlyphDrawer {
	switch s.(type) {
	case draw.RingGlyph, draw.CircleGlyph:
		if fill {
			return draw.CircleGlyph{}
		}
		return draw.RingGlyph{}
	case draw.SquareGlyph, draw.BoxGlyph:
		if fill {
			return draw.BoxGlyph{}
		}
		return draw.SquareGlyph{}
	case draw.TriangleGlyph, draw.PyramidGlyph:
		if fill {
			return draw.PyramidGlyph{}
		}
		return draw.TriangleGlyph{}
	case diamondGlyph:
		return diamondGlyph{fill: fill}
	case invertedPyramidGlyph:
		return invertedPyramidGlyph{fill: fill}
	}
	return s // a cross has no filled variant
}

// Legend positions of a PlotStyle.
const (
	// LegendAuto puts the legend in the first inside corner (top right,
	// top left, bottom right, bottom left) where it covers no data, else
	// below the plot.
	LegendAuto = "auto"
	// LegendRight puts the legend in a column to the right of the plot.
	LegendRight = "right"
	// LegendBelow puts the legend below the plot, in as many columns as
	// fit.
	LegendBelow = "below"
	// LegendTopLeft and the other corners put the legend inside the plot
	// area, on a white box, even over data.
	LegendTopLeft     = "top-left"
	LegendTopRight    = "top-right"
	LegendBottomLeft  = "bottom-left"
	LegendBottomRight = "bottom-right"
	// LegendNone draws no legend.
	LegendNone = "none"
)

// LegendPositions returns the legend positions of a PlotStyle.
func LegendPositions() []string {
	return []string{LegendAuto, LegendRight, LegendBelow, LegendTopLeft, LegendTopRight, LegendBottomLeft, LegendBottomRight, LegendNone}
}

// Figure size and font limits.
const (
	defaultPlotWidth  = 6 * vg.Inch
	defaultPlotHeight = 4 * vg.Inch
	defaultFontSize   = 10 // points
	minPlotSide       = 1 * vg.Inch
	maxPlotSide       = 40 * vg.Inch
	minFontSize       = 4  // points
	maxFontSize       = 36 // points
)

// PlotStyle is how a figure is laid out: its size, its font size and
// where its legend goes. The zero value is the default: 6 in × 4 in,
// 10 pt, LegendAuto.
type PlotStyle struct {
	// Width and Height of the whole figure, legend included (0: default).
	Width, Height vg.Length
	// FontSize is the size of axis labels (0: default); the title is 20%
	// larger, tick labels and legend entries 10% smaller.
	FontSize vg.Length
	// Legend is one of LegendPositions ("": LegendAuto).
	Legend string
}

func (s PlotStyle) width() vg.Length {
	if s.Width > 0 {
		return s.Width
	}
	return defaultPlotWidth
}

func (s PlotStyle) height() vg.Length {
	if s.Height > 0 {
		return s.Height
	}
	return defaultPlotHeight
}

func (s PlotStyle) fontSize() vg.Length {
	if s.FontSize > 0 {
		return s.FontSize
	}
	return vg.Points(defaultFontSize)
}

func (s PlotStyle) legend() string {
	if s.Legend == "" {
		return LegendAuto
	}
	return s.Legend
}

// Validate checks the style's limits: sides of 1 to 40 in, a font of 4 to
// 36 pt, a known legend position.
func (s PlotStyle) Validate() error {
	for _, side := range []struct {
		name string
		v    vg.Length
	}{{"width", s.Width}, {"height", s.Height}} {
		if side.v != 0 && (side.v < minPlotSide || side.v > maxPlotSide) {
			return fmt.Errorf("%s %s is out of range (allowed: 1in to 40in)", side.name, formatLength(side.v))
		}
	}
	if s.FontSize != 0 && (s.FontSize < minFontSize || s.FontSize > maxFontSize) {
		return fmt.Errorf("font size %s is out of range (allowed: 4pt to 36pt)", formatLength(s.FontSize))
	}
	if s.Legend != "" && !slices.Contains(LegendPositions(), s.Legend) {
		return fmt.Errorf("unknown legend position %q (allowed: %s)", s.Legend, strings.Join(LegendPositions(), ", "))
	}
	return nil
}

// lengthUnits are the units of ParseLength, in points.
var lengthUnits = []struct {
	unit string
	pt   float64
}{{"cm", 72 / 2.54}, {"mm", 72 / 25.4}, {"in", 72}, {"pt", 1}}

// ParseLength parses a length with its unit: "12cm", "120mm", "4in",
// "300pt" (a number, then cm, mm, in or pt).
func ParseLength(s string) (vg.Length, error) {
	t := strings.TrimSpace(s)
	for _, u := range lengthUnits {
		num, ok := strings.CutSuffix(t, u.unit)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !isFinite(v) || v <= 0 {
			return 0, fmt.Errorf("%q is not a positive length (e.g. 12cm, 120mm, 4in, 300pt)", s)
		}
		return vg.Length(v * u.pt), nil
	}
	return 0, fmt.Errorf("%q has no unit (allowed: cm, mm, in, pt; e.g. 12cm)", s)
}

// formatLength formats a length in inches or points, for messages.
func formatLength(l vg.Length) string {
	return strconv.FormatFloat(float64(l), 'f', -1, 64) + "pt"
}

// fontOf returns the default font at size.
func fontOf(size vg.Length) font.Font { return font.From(plot.DefaultFont, size) }

// newPlot returns an empty plot in style s: its fonts, a light grid, nice
// ticks on both axes (plot.ConstantTicks or log ticks set later win).
func newPlot(s PlotStyle) *plot.Plot {
	fs := s.fontSize()
	p := plot.New()
	boxes := newBoxCache(plot.DefaultTextHandler)
	p.Title.TextStyle.Handler = boxes
	p.Legend.TextStyle.Handler = boxes
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler = boxes
		a.Tick.Label.Handler = boxes
	}
	p.Title.TextStyle.Font = fontOf(fs * 1.2)
	p.Title.Padding = fs * 0.6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = fontOf(fs)
		a.Tick.Label.Font = fontOf(fs * 0.9)
		a.Tick.Marker = NiceTicks{}
		a.Padding = vg.Points(2)
	}
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	g.Vertical.Width, g.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(g)
	return p
}

// boxCache is a text handler that measures each text in each font once:
// gonum/plot measures every tick label of an axis three times while
// laying it out and drawing it (a run timeline's replica axis has one per
// replica), each time glyph by glyph. The boxes are those the handler it
// wraps gives.
type boxCache struct {
	text.Handler
	boxes map[boxKey][3]vg.Length
}

type boxKey struct {
	txt  string
	font font.Font
}

func newBoxCache(h text.Handler) *boxCache {
	return &boxCache{Handler: h, boxes: make(map[boxKey][3]vg.Length)}
}

// Box implements text.Handler.
func (c *boxCache) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	k := boxKey{txt, fnt}
	if b, ok := c.boxes[k]; ok {
		return b[0], b[1], b[2]
	}
	width, height, depth = c.Handler.Box(txt, fnt)
	c.boxes[k] = [3]vg.Length{width, height, depth}
	return width, height, depth
}

// NiceTicks places ticks at multiples of 1, 2 or 5 × 10^k, the largest
// step giving at most eight labelled ticks (so usually five to eight),
// with an unlabelled minor tick halfway between. Labels have no trailing
// zeros ("2.5", not "2.50"). It implements plot.Ticker.
type NiceTicks struct{}

// maxNiceTicks bounds the labelled ticks of NiceTicks.
const maxNiceTicks = 8

// Ticks implements plot.Ticker.
func (NiceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !isFinite(lo) || !isFinite(hi) || hi <= lo {
		return nil
	}
	step := niceStep(lo, hi)
	var ts []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for k := first; stepMultiple(k, step) <= hi+step*1e-9; k++ {
		v := stepMultiple(k, step)
		ts = append(ts, plot.Tick{Value: v, Label: formatTick(v, step)})
		if mid := stepMultiple(2*k+1, step/2); mid <= hi {
			ts = append(ts, plot.Tick{Value: mid})
		}
	}
	if m := stepMultiple(2*first-1, step/2); m >= lo {
		ts = append([]plot.Tick{{Value: m}}, ts...)
	}
	return ts
}

// stepMultiple returns k × step for a step of 1, 2, 2.5 or 5 × 10^e as the
// float nearest to the exact product (0.3, not 0.30000000000000004).
func stepMultiple(k, step float64) float64 {
	e := math.Floor(math.Log10(step) + 1e-9)
	m := math.Round(step/math.Pow(10, e)*10) / 10 // 1, 2, 2.5 or 5
	if e >= 0 {
		return k * m * math.Pow(10, e)
	}
	return k * m * 10 / math.Pow(10, 1-e)
}

// niceStep returns the largest 1-2-5 step at which [lo, hi] has at most
// maxNiceTicks multiples, and at least two.
func niceStep(lo, hi float64) float64 {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span/maxNiceTicks)))
	for {
		for _, m := range []float64{1, 2, 5} {
			s := step * m
			if n := math.Floor(hi/s+1e-9) - math.Ceil(lo/s-1e-9) + 1; n <= maxNiceTicks {
				return s
			}
		}
		step *= 10
	}
}

// formatTick formats v with as many decimals as step needs, without
// trailing zeros; very large or small values in e notation.
func formatTick(v, step float64) string {
	if math.Abs(v) < step*1e-9 {
		return "0"
	}
	if a := math.Abs(v); a >= 1e6 || a < 1e-4 {
		s := strconv.FormatFloat(v, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		n, _ := strconv.Atoi(exp)
		return mant + "e" + strconv.Itoa(n)
	}
	prec := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// NiceLogTicks places the ticks of a log axis: at 1, 2 and 5 × 10^k when
// the axis spans at most 2.5 decades, else at powers of ten (every
// second or third of them over more than eight decades) with unlabelled
// minor ticks at 2–9 × 10^k; over less than a decade, as NiceTicks. It
// implements plot.Ticker.
type NiceLogTicks struct{}

// logLabelAll is the most decades a log axis spans with 1, 2 and 5 ×
// 10^k labelled.
const logLabelAll = 2.5

// Ticks implements plot.Ticker.
func (NiceLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !isFinite(lo) || !isFinite(hi) || lo <= 0 || hi <= lo {
		return nil
	}
	decades := math.Log10(hi / lo)
	if decades < 1 {
		return NiceTicks{}.Ticks(lo, hi)
	}
	labelled := []float64{1}
	if decades <= logLabelAll {
		labelled = []float64{1, 2, 5}
	}
	every := int(math.Ceil(decades / maxNiceTicks))
	var ts []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
		p := math.Pow(10, float64(e))
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if slices.Contains(labelled, float64(m)) && (m != 1 || mod(e, every) == 0) {
				t.Label = formatTick(v, p)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// niceAxis widens each end of a linear axis with nice ticks to the tick
// beyond it, and of a log axis with nice log ticks to the labelled value
// beyond it, so the ends are labelled — but only when that adds at most
// maxNiceWiden of the axis's span (a log axis: of its decades), so a line
// that ends short of a tick does not leave a gap. Other axes are left
// alone.
func niceAxis(a *plot.Axis) {
	if !isFinite(a.Min) || !isFinite(a.Max) || a.Max <= a.Min {
		return
	}
	switch a.Tick.Marker.(type) {
	case NiceTicks:
		for range 2 { // the step of the widened range may be larger
			s := niceStep(a.Min, a.Max)
			lo := stepMultiple(math.Floor(a.Min/s+1e-9), s)
			hi := stepMultiple(math.Ceil(a.Max/s-1e-9), s)
			span := a.Max - a.Min
			if a.Min-lo <= maxNiceWiden*span {
				a.Min = lo
			}
			if hi-a.Max <= maxNiceWiden*span {
				a.Max = hi
			}
		}
	case NiceLogTicks:
		if a.Min <= 0 || math.Log10(a.Max/a.Min) < 1 {
			return
		}
		lo, hi := logNiceBelow(a.Min), logNiceAbove(a.Max)
		if math.Log10(hi/lo) > logLabelAll {
			// Only powers of ten are labelled.
			lo, hi = math.Pow(10, math.Floor(math.Log10(a.Min)+1e-9)), math.Pow(10, math.Ceil(math.Log10(a.Max)-1e-9))
		}
		decades := math.Log10(a.Max / a.Min)
		if math.Log10(a.Min/lo) <= maxNiceWiden*decades {
			a.Min = lo
		}
		if math.Log10(hi/a.Max) <= maxNiceWiden*decades {
			a.Max = hi
		}
	}
}

// maxNiceWiden is how much niceAxis widens an end at most, as a fraction
// of the axis's span.
const maxNiceWiden = 0.125

// logNiceBelow returns the largest 1-2-5 × 10^k value at most v > 0.
func logNiceBelow(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v*(1+1e-9) {
			return m * p
		}
	}
	return p
}

// logNiceAbove returns the smallest 1-2-5 × 10^k value at least v > 0.
func logNiceAbove(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}
