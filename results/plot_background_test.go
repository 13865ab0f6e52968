package results

import (
	"bytes"
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestWhiteBackgroundSameImage: a PNG drawn through whiteBackground has
// the bytes of one drawn on the raster canvas itself, whether its first
// fills are white ones (left out: the whole canvas, a part with edges
// between pixels, a disc), coloured or translucent ones, or white ones
// over what was drawn before (drawn); and the white background of a plot
// is indeed left out.
func TestWhiteBackgroundSameImage(t *testing.T) {
	line := func(c draw.Canvas) {
		c.SetColor(color.RGBA{R: 200, A: 255})
		c.SetLineWidth(3)
		c.Stroke(vg.Path{{Type: vg.MoveComp, Pos: vg.Point{X: 10, Y: 10}}, {Type: vg.LineComp, Pos: vg.Point{X: 200, Y: 150}}})
	}
	fill := func(col color.Color, r vg.Rectangle) func(draw.Canvas) {
		return func(c draw.Canvas) {
			c.SetColor(col)
			c.Fill(r.Path())
		}
	}
	whole := vg.Rectangle{Max: vg.Point{X: 4 * vg.Inch, Y: 3 * vg.Inch}}
	// A part of the canvas, its edges between pixels.
	part := vg.Rectangle{Min: vg.Point{X: 1.3, Y: 2.7}, Max: vg.Point{X: 200.4, Y: 150.9}}
	disc := func(col color.Color) func(draw.Canvas) {
		return func(c draw.Canvas) {
			c.SetColor(col)
			var p vg.Path
			p.Move(vg.Point{X: 140.5, Y: 100.25})
			p.Arc(vg.Point{X: 100.5, Y: 100.25}, 40.3, 0, 2*math.Pi)
			p.Close()
			c.Fill(p)
		}
	}
	p := plot.New()
	p.Title.Text = "a plot"
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 3}, {X: 2, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	for _, c := range []struct {
		name  string
		paint []func(draw.Canvas)
		skips int
	}{
		{"plot", []func(draw.Canvas){p.Draw}, 1},
		{"padded plot", []func(draw.Canvas){func(c draw.Canvas) { p.Draw(draw.Crop(c, 5, -5, 5, -5)) }}, 1},
		{"white then line", []func(draw.Canvas){fill(color.White, whole), line}, 1},
		{"coloured", []func(draw.Canvas){fill(color.RGBA{G: 90, A: 255}, whole), line}, 0},
		{"translucent white", []func(draw.Canvas){fill(color.NRGBA{R: 255, G: 255, B: 255, A: 128}, whole), line}, 0},
		{"no colour", []func(draw.Canvas){fill(nil, whole), line}, 0},
		{"white part first", []func(draw.Canvas){fill(color.White, part), line}, 1},
		{"white disc, white part, disc", []func(draw.Canvas){disc(color.White), fill(color.White, part), disc(color.RGBA{B: 200, A: 255}), fill(color.White, part)}, 2},
		{"part", []func(draw.Canvas){line, fill(color.Gray{Y: 30}, part), fill(color.White, part)}, 0},
		{"white over a line", []func(draw.Canvas){line, fill(color.White, whole)}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			// render draws on the raster canvas, through whiteBackground if
			// wrap, and counts the fills that reach it.
			render := func(wrap bool) ([]byte, int) {
				raw := vgimg.PngCanvas{Canvas: vgimg.New(whole.Max.X, whole.Max.Y)}
				counted := &countingFills{CanvasWriterTo: raw}
				var target vg.CanvasSizer = counted
				if wrap {
					target = &whiteBackground{CanvasWriterTo: counted}
				}
				dc := draw.New(target)
				for _, f := range c.paint {
					f(dc)
				}
				var b bytes.Buffer
				if _, err := raw.WriteTo(&b); err != nil {
					t.Fatal(err)
				}
				return b.Bytes(), counted.fills
			}
			want, all := render(false)
			got, passed := render(true)
			if !bytes.Equal(got, want) {
				t.Error("the PNG drawn through whiteBackground differs")
			}
			if skipped := all - passed; skipped != c.skips {
				t.Errorf("%d fills left out, want %d", skipped, c.skips)
			}
		})
	}
}

// countingFills counts the fills drawn on a canvas.
type countingFills struct {
	vg.CanvasWriterTo
	fills int
}

func (c *countingFills) Fill(p vg.Path) {
	c.fills++
	c.CanvasWriterTo.Fill(p)
}
