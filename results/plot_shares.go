package results

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// KindBar is one bar of a message-share plot: a configuration (e.g.
// "n=6") and its traffic by message kind, e.g. Summary.ByKind or counts
// summed over repetitions.
type KindBar struct {
	Label string
	Kinds []KindCount
}

// Layout of the share plot.
const (
	shareWidth    = 7 * vg.Inch // default width of the figure
	shareMinLabel = 6           // percent: segments at least this big are labelled
)

// kindColor returns the fill color of the i-th message kind: the
// Okabe–Ito colors with grey for black (so segment labels stay readable),
// then four more, repeated beyond twelve kinds.
func kindColor(i int) color.Color {
	palette := [...]color.RGBA{
		okabeIto[0], okabeIto[1], okabeIto[2], okabeIto[3], okabeIto[4], okabeIto[5],
		{0x99, 0x99, 0x99, 0xff}, okabeIto[7],
		{0x88, 0x3d, 0x00, 0xff}, {0x00, 0x3f, 0x66, 0xff}, {0x9a, 0xd9, 0xc2, 0xff}, {0x66, 0x66, 0x66, 0xff},
	}
	return palette[mod(i, len(palette))]
}

// luminance returns the relative luminance of c, 0 (black) to 255 (white),
// with the Rec. 601 weights used for greyscale conversion.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
}

// PlotKindShares draws the shares of message kinds in the traffic of each
// configuration as 100% stacked bars, one bar per KindBar in the order
// given and one segment per kind (sorted by name, the same color in every
// bar): the left panel shares messages sent, the right one bytes sent. A
// segment of at least 6% is labelled with its share. The kinds' legend is
// beside the panels (or below them). It saves the figure to
// stem.<format> (see SavePlot); an empty title means "Message and byte
// shares by kind".
func PlotKindShares(stem, title string, bars []KindBar, formats ...string) error {
	return plotKindShares(stem, title, bars, PlotStyle{Legend: LegendRight}, formats)
}

// plotKindShares is PlotKindShares in a style; an inside legend position
// puts the legend below the panels.
func plotKindShares(stem, title string, bars []KindBar, style PlotStyle, formats []string) error {
	var kinds []string
	for _, b := range bars {
		for _, k := range b.Kinds {
			if !slices.Contains(kinds, k.Kind) {
				kinds = append(kinds, k.Kind)
			}
		}
	}
	slices.Sort(kinds)
	labels := make([]string, len(bars))
	for i, b := range bars {
		labels[i] = b.Label
	}
	// shares[panel][kind][bar] in percent.
	shares := [2][][]float64{}
	for panel := range shares {
		shares[panel] = make([][]float64, len(kinds))
		for k := range kinds {
			shares[panel][k] = make([]float64, len(bars))
		}
		for b, bar := range bars {
			var total uint64
			for _, k := range bar.Kinds {
				total += kindValue(k, panel)
			}
			if total == 0 {
				continue
			}
			for _, k := range bar.Kinds {
				ki, _ := slices.BinarySearch(kinds, k.Kind)
				shares[panel][ki][b] += 100 * float64(kindValue(k, panel)) / float64(total)
			}
		}
	}
	if style.Width == 0 {
		style.Width = shareWidth
	}
	f := &figure{style: style}
	fs := style.fontSize()
	panels := make([]*plot.Plot, 2)
	for panel, name := range []string{"messages", "bytes"} {
		p := newPlot(style)
		p.Title.Text = name
		p.Title.TextStyle.Font = fontOf(fs * 1.1)
		p.Y.Label.Text = "share of " + name + " sent (%)"
		p.Y.Min, p.Y.Max = 0, 100
		p.Y.Tick.Marker = plot.ConstantTicks(percentTicks())
		if len(bars) > 0 {
			p.NominalX(labels...)
		} else {
			p.X.Min, p.X.Max = -0.5, 0.5
		}
		width := min(vg.Points(48), (style.width()/2-vg.Inch)*0.6/vg.Length(max(len(bars), 1)))
		var below *plotter.BarChart
		for k := range kinds {
			bc, err := plotter.NewBarChart(plotter.Values(shares[panel][k]), width)
			if err != nil {
				return fmt.Errorf("results: kind shares: %w", err)
			}
			bc.Color = kindColor(k)
			bc.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
			if below != nil {
				bc.StackOn(below)
			}
			p.Add(bc)
			if panel == 0 {
				// Listed top down, as the segments are stacked.
				f.entries = slices.Insert(f.entries, 0, legendEntry{kinds[k], []plot.Thumbnailer{bc}})
			}
			below = bc
		}
		if l := segmentLabels(shares[panel], fs*0.8); l != nil {
			p.Add(l)
		}
		panels[panel] = p
	}
	title = cmp.Or(title, "Message and byte shares by kind")
	ts := panels[0].Title.TextStyle
	ts.Font = fontOf(fs * 1.2)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
	f.paintTop = ts.Height(title) + fs*0.6
	f.paint = func(pc draw.Canvas) {
		pc.FillText(ts, vg.Point{X: (pc.Min.X + pc.Max.X) / 2, Y: pc.Max.Y}, title)
		pc.Max.Y -= f.paintTop
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: fs}
		cs := plot.Align([][]*plot.Plot{panels}, tiles, pc)
		for i, p := range panels {
			p.Draw(cs[0][i])
		}
	}
	return f.save(stem, formats)
}

// kindValue is what panel 0 (messages sent) or 1 (bytes sent) counts of k.
func kindValue(k KindCount, panel int) uint64 {
	if panel == 0 {
		return k.Sent
	}
	return k.Bytes
}

// percentTicks are the ticks of a 0–100% axis.
func percentTicks() []plot.Tick {
	var ts []plot.Tick
	for v := 0; v <= 100; v += 10 {
		t := plot.Tick{Value: float64(v)}
		if v%20 == 0 {
			t.Label = fmt.Sprint(v)
		}
		ts = append(ts, t)
	}
	return ts
}

// segmentLabels labels each stacked segment of at least shareMinLabel
// percent with its rounded share, centered in the segment; nil if none.
func segmentLabels(shares [][]float64, size vg.Length) *plotter.Labels {
	if len(shares) == 0 {
		return nil
	}
	var xy plotter.XYLabels
	var dark []bool
	for b := range len(shares[0]) {
		base := 0.0
		for k := range shares {
			v := shares[k][b]
			if v >= shareMinLabel {
				xy.XYs = append(xy.XYs, plotter.XY{X: float64(b), Y: base + v/2})
				xy.Labels = append(xy.Labels, fmt.Sprintf("%.0f%%", v))
				dark = append(dark, luminance(kindColor(k)) < 128)
			}
			base += v
		}
	}
	if len(xy.XYs) == 0 {
		return nil
	}
	l, err := plotter.NewLabels(xy)
	if err != nil {
		return nil // the shares are finite; NewLabels cannot fail on them
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = fontOf(size)
		if dark[i] {
			l.TextStyle[i].Color = color.White
		}
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
	}
	return l
}
