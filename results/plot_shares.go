package results

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
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
	sharePanelWidth = 3.25 * vg.Inch
	shareTitleSpace = 28 // points above the panels for the title
	shareMinLabel   = 6  // percent: segments at least this big are labelled
)

// kindColor returns the fill color of the i-th message kind: a
// qualitative palette of 12 colors (Tableau 10 and two more), repeated
// beyond that.
func kindColor(i int) color.Color {
	palette := [...]color.RGBA{
		{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff},
		{0x76, 0xb7, 0xb2, 0xff}, {0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff},
		{0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff}, {0x9c, 0x75, 0x5f, 0xff},
		{0xba, 0xb0, 0xac, 0xff}, {0x1f, 0x3a, 0x60, 0xff}, {0x8c, 0xd1, 0x7d, 0xff},
	}
	return palette[i%len(palette)]
}

// PlotKindShares draws the shares of message kinds in the traffic of each
// configuration as 100% stacked bars, one bar per KindBar in the order
// given and one segment per kind (sorted by name, the same color in every
// bar): the left panel shares messages sent, the right one bytes sent. A
// segment of at least 6% is labelled with its share. The kinds' legend is
// beside the panels. It saves the figure to stem.<format> (see SavePlot);
// an empty title means "Message and byte shares by kind".
func PlotKindShares(stem, title string, bars []KindBar, formats ...string) error {
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
	leg := newSideLegend()
	panels := make([]*plot.Plot, 2)
	for panel, name := range []string{"messages", "bytes"} {
		p := plot.New()
		p.Title.Text = name
		p.Title.TextStyle.Font = font.From(p.Title.TextStyle.Font, vg.Points(11))
		p.Y.Label.Text = "share of " + name + " sent (%)"
		p.Y.Min, p.Y.Max = 0, 100
		p.Y.Tick.Marker = plot.ConstantTicks(percentTicks())
		if len(bars) > 0 {
			p.NominalX(labels...)
		} else {
			p.X.Min, p.X.Max = -0.5, 0.5
		}
		width := min(vg.Points(48), (sharePanelWidth-vg.Inch)*0.6/vg.Length(max(len(bars), 1)))
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
				leg.Add(kinds[k], bc)
			}
			below = bc
		}
		if l := segmentLabels(shares[panel]); l != nil {
			p.Add(l)
		}
		panels[panel] = p
	}
	title = cmp.Or(title, "Message and byte shares by kind")
	lw := legendWidth(&leg)
	w := 2*sharePanelWidth + lw
	return saveDrawing(stem, w, plotHeight, formats, func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		pc, lc := splitLegend(c, lw)
		ts := panels[0].Title.TextStyle
		ts.Font = font.From(ts.Font, vg.Points(12))
		ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
		pc.FillText(ts, vg.Point{X: (pc.Min.X + pc.Max.X) / 2, Y: pc.Max.Y - vg.Points(6)}, title)
		pc.Max.Y -= vg.Points(shareTitleSpace)
		tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(8)}
		cs := plot.Align([][]*plot.Plot{panels}, tiles, pc)
		for i, p := range panels {
			p.Draw(cs[0][i])
		}
		leg.Draw(lc)
	})
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
func segmentLabels(shares [][]float64) *plotter.Labels {
	if len(shares) == 0 {
		return nil
	}
	var xy plotter.XYLabels
	for b := range len(shares[0]) {
		base := 0.0
		for k := range shares {
			v := shares[k][b]
			if v >= shareMinLabel {
				xy.XYs = append(xy.XYs, plotter.XY{X: float64(b), Y: base + v/2})
				xy.Labels = append(xy.Labels, fmt.Sprintf("%.0f%%", v))
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
		l.TextStyle[i].Font = font.From(l.TextStyle[i].Font, vg.Points(8))
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
	}
	return l
}
