package results

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"regexp"
	"slices"
	"sync"

	"github.com/byzsim/byzsim/results/internal/pngenc"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Plot formats.
const (
	PNG = "png"
	SVG = "svg"
	PDF = "pdf"
)

// DefaultFormats are the formats written when none are asked for.
func DefaultFormats() []string { return []string{PNG, SVG} }

// pdfDate matches the creation and modification dates the PDF writer takes
// from the wall clock (compiled when first needed rather than by every
// byzsim command).
var pdfDate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`/(CreationDate|ModDate) \(D:[0-9]{14}\)`)
})

// SavePlot renders p to stem.<format> for each format (PNG, SVG, PDF;
// DefaultFormats if none), each file written atomically. Output is
// deterministic: the PDF's creation and modification dates are replaced by
// a fixed date of the same length, so its cross-reference offsets stay
// valid.
func SavePlot(p *plot.Plot, stem string, formats ...string) error {
	return saveDrawing(stem, defaultPlotWidth, defaultPlotHeight, formats, p.Draw)
}

// saveDrawing renders what paint draws on a canvas of w × h to
// stem.<format> for each format, as SavePlot does.
func saveDrawing(stem string, w, h vg.Length, formats []string, paint func(draw.Canvas)) error {
	files, err := renderDrawing(stem, w, h, formats, paint)
	if err != nil {
		return err
	}
	return writeRendered(files)
}

// renderedFile is a plot rendered in one format, not yet written.
type renderedFile struct {
	path string
	data []byte
}

// writeRendered writes files, each atomically, with one wait for the disk
// (see Batch).
func writeRendered(files []renderedFile) error {
	var b Batch
	defer b.Abort()
	for _, f := range files {
		if err := b.WriteFile(f.path, f.data); err != nil {
			return err
		}
	}
	return b.Commit()
}

// renderDrawing renders what paint draws on a canvas of w × h for
// stem.<format> for each format (DefaultFormats if none).
func renderDrawing(stem string, w, h vg.Length, formats []string, paint func(draw.Canvas)) ([]renderedFile, error) {
	if len(formats) == 0 {
		formats = DefaultFormats()
	}
	for i, f := range formats {
		if !slices.Contains([]string{PNG, SVG, PDF}, f) {
			return nil, fmt.Errorf("results: unknown plot format %q (want png, svg or pdf)", f)
		}
		if slices.Contains(formats[:i], f) {
			return nil, fmt.Errorf("results: plot format %q asked for twice", f)
		}
	}
	var files []renderedFile
	for _, f := range formats {
		c, err := draw.NewFormattedCanvas(w, h, f)
		if err != nil {
			return nil, fmt.Errorf("results: %s.%s: %w", stem, f, err)
		}
		var target vg.CanvasSizer = c
		if f == PNG {
			// The raster canvas starts white: painting the background
			// white again changes no pixel.
			target = &whiteBackground{CanvasWriterTo: c}
		}
		paint(draw.New(target))
		var b bytes.Buffer
		if err := writeCanvas(&b, c); err != nil {
			return nil, fmt.Errorf("results: %s.%s: %w", stem, f, err)
		}
		data := b.Bytes()
		if f == PDF {
			data = pdfDate().ReplaceAll(data, []byte("/$1 (D:20000101000000)"))
		}
		files = append(files, renderedFile{stem + "." + f, data})
	}
	return files, nil
}

// writeCanvas writes what was drawn on c in its format. A PNG canvas's
// image is written by pngenc, whose bytes are image/png's (what the canvas
// itself writes), in less time.
func writeCanvas(w io.Writer, c vg.CanvasWriterTo) error {
	if pc, ok := c.(vgimg.PngCanvas); ok {
		if m, ok := pc.Image().(*image.RGBA); ok {
			return pngenc.Encode(w, m)
		}
	}
	_, err := c.WriteTo(w)
	return err
}

// ensureRange gives an axis a usable range when nothing set one (no data).
func ensureRange(a *plot.Axis, lo, hi float64) {
	if a.Min > a.Max || math.IsNaN(a.Min) || math.IsNaN(a.Max) {
		a.Min, a.Max = lo, hi
	}
	if a.Min == a.Max {
		a.Max = a.Min + 1
	}
}

// logAxes puts the chosen axes of p on a log scale with NiceLogTicks. The data plotted must be positive on those axes; an axis left
// without a positive range (no data) gets [1, 10].
func logAxes(p *plot.Plot, x, y bool) {
	for _, a := range []struct {
		axis *plot.Axis
		on   bool
	}{{&p.X, x}, {&p.Y, y}} {
		if !a.on {
			continue
		}
		if a.axis.Min <= 0 || a.axis.Max <= a.axis.Min {
			if a.axis.Max > 0 {
				a.axis.Min = a.axis.Max / 10
			} else {
				a.axis.Min, a.axis.Max = 1, 10
			}
		}
		a.axis.Scale = plot.LogScale{}
		a.axis.Tick.Marker = NiceLogTicks{}
	}
}

// positive returns the points of pts whose coordinates are positive on the
// chosen (log) axes, in order.
func positive(pts plotter.XYs, x, y bool) plotter.XYs {
	if !x && !y {
		return pts
	}
	out := make(plotter.XYs, 0, len(pts))
	for _, pt := range pts {
		if x && pt.X <= 0 || y && pt.Y <= 0 {
			continue
		}
		out = append(out, pt)
	}
	return out
}

// whiteBackground is a raster canvas, white when made, that leaves out
// the fills in opaque white made while nothing else was drawn: painting
// white over white changes no pixel, whatever the shape's coverage of a
// pixel (the blend of white with white is white), yet such a fill (a
// plot's background) paints every pixel it covers, the most expensive part
// of drawing a plot in PNG. Every other call is passed on.
type whiteBackground struct {
	vg.CanvasWriterTo
	white   bool // the colour set is opaque white
	touched bool // something was drawn
}

// SetColor implements vg.Canvas.
func (c *whiteBackground) SetColor(col color.Color) {
	c.white = false
	if col != nil {
		r, g, b, a := col.RGBA()
		c.white = r == 0xffff && g == 0xffff && b == 0xffff && a == 0xffff
	}
	c.CanvasWriterTo.SetColor(col)
}

// Fill implements vg.Canvas.
func (c *whiteBackground) Fill(p vg.Path) {
	if !c.touched && c.white {
		return
	}
	c.touched = true
	c.CanvasWriterTo.Fill(p)
}

// Stroke implements vg.Canvas.
func (c *whiteBackground) Stroke(p vg.Path) {
	c.touched = true
	c.CanvasWriterTo.Stroke(p)
}

// FillString implements vg.Canvas.
func (c *whiteBackground) FillString(f font.Face, pt vg.Point, text string) {
	c.touched = true
	c.CanvasWriterTo.FillString(f, pt, text)
}

// DrawImage implements vg.Canvas.
func (c *whiteBackground) DrawImage(r vg.Rectangle, img image.Image) {
	c.touched = true
	c.CanvasWriterTo.DrawImage(r, img)
}
