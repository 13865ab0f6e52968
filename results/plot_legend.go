package results

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Side legend layout.
const (
	legendFontSize = 10 // points
	legendPad      = 8  // points around the legend column
	legendTop      = 28 // points from the top of the image, below the title
)

// newSideLegend returns an empty legend for a column beside the plots, its
// entries listed from the top, icons on the left.
func newSideLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(l.TextStyle.Font, vg.Points(legendFontSize))
	l.Top, l.Left = true, true
	l.Padding = vg.Points(2)
	return l
}

// legendWidth returns the width of the column holding leg (0 when it has
// no entries).
func legendWidth(leg *plot.Legend) vg.Length {
	r := leg.Rectangle(draw.Canvas{})
	w := r.Max.X - r.Min.X
	if w <= 0 {
		return 0
	}
	return w + 2*vg.Points(legendPad)
}

// saveWithSideLegend saves p, drawn at the usual plot size, with leg in a
// column to its right, so the legend never hides data; the image is wider
// by the legend's width.
func saveWithSideLegend(p *plot.Plot, leg plot.Legend, stem string, formats []string) error {
	lw := legendWidth(&leg)
	return saveDrawing(stem, plotWidth+lw, plotHeight, formats, func(c draw.Canvas) {
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
		pc, lc := splitLegend(c, lw)
		p.Draw(pc)
		leg.Draw(lc)
	})
}

// splitLegend splits c into the plot area on the left and a legend column
// of width lw on the right (empty when lw is 0).
func splitLegend(c draw.Canvas, lw vg.Length) (plotArea, legendArea draw.Canvas) {
	plotArea, legendArea = c, c
	plotArea.Max.X = c.Max.X - lw
	pad := vg.Points(legendPad)
	legendArea.Min.X = c.Max.X - lw + pad
	legendArea.Max.X = c.Max.X - pad
	legendArea.Max.Y = c.Max.Y - vg.Points(legendTop)
	return plotArea, legendArea
}
