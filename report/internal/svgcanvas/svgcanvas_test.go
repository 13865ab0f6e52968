package svgcanvas

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	xfnt "golang.org/x/image/font"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// same draws with paint on this package's canvas and on vgsvg's, both of
// size w × h, and fails if the documents differ by one byte.
func same(t *testing.T, w, h vg.Length, paint func(vg.Canvas)) {
	t.Helper()
	want := vgsvg.New(w, h)
	paint(want)
	var wb bytes.Buffer
	if _, err := want.WriteTo(&wb); err != nil {
		t.Fatal(err)
	}
	got := New(w, h)
	paint(got)
	var gb bytes.Buffer
	n, err := got.WriteTo(&gb)
	if err != nil || n != int64(gb.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, gb.Len())
	}
	if !bytes.Equal(gb.Bytes(), wb.Bytes()) {
		g, w := gb.Bytes(), wb.Bytes()
		i := 0
		for i < min(len(g), len(w)) && g[i] == w[i] {
			i++
		}
		from := max(i-60, 0)
		t.Fatalf("documents differ at byte %d of %d (want %d):\ngot  %q\nwant %q", i, len(g), len(w),
			g[from:min(i+60, len(g))], w[from:min(i+60, len(w))])
	}
	if got.String() != gb.String() {
		t.Fatal("String differs from WriteTo")
	}
}

// face returns gonum's default face at size pt described with the given
// variant, style and weight (the description is what the canvases write).
func face(t *testing.T, pt vg.Length, variant font.Variant, style xfnt.Style, weight xfnt.Weight) font.Face {
	t.Helper()
	f := plot.DefaultTextHandler.Cache().Lookup(plot.DefaultFont, pt)
	if f.Face == nil {
		t.Fatal("no default font")
	}
	f.Font.Variant, f.Font.Style, f.Font.Weight = variant, style, weight
	return f
}

func line(pts ...vg.Point) vg.Path {
	var p vg.Path
	for i, pt := range pts {
		if i == 0 {
			p.Move(pt)
		} else {
			p.Line(pt)
		}
	}
	return p
}

// TestSameAsVgsvg draws a table of elements on both canvases: strokes of
// every width, colour, opacity and dash pattern, fills, arcs and circles,
// curves, text in several faces with characters to escape, transforms,
// nested states, numbers of every magnitude and sign.
func TestSameAsVgsvg(t *testing.T) {
	nums := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-7, -3.25e-5, 123.456789, 99999.5, 123456.7, 1e21, -7.0000049,
		math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64}
	colours := []color.Color{nil, color.Black, color.White, color.Transparent,
		color.NRGBA{R: 0, G: 114, B: 178, A: 255}, color.NRGBA{R: 80, G: 80, B: 80, A: 110},
		color.NRGBA{R: 0, G: 0, B: 0, A: 10}, color.RGBA{R: 10, G: 20, B: 30, A: 40}, color.Gray{Y: 7},
		color.NRGBA64{R: 65535, G: 1, B: 30000, A: 32768}}
	cases := []struct {
		name  string
		w, h  vg.Length
		paint func(vg.Canvas)
	}{
		{"empty", 1, 1, func(vg.Canvas) {}},
		{"odd size", 300.123456, 1e-3, func(vg.Canvas) {}},
		{"ticks", 400, 300, func(c vg.Canvas) {
			// As a run timeline draws its commit ticks: the same style
			// set before each short stroke.
			for i := range 200 {
				c.SetLineWidth(vg.Points(0.8))
				c.SetLineDash(nil, 0)
				c.SetColor(color.NRGBA{R: 0, G: 158, B: 115, A: 255})
				x := vg.Length(30 + float64(i)*1.37)
				c.Stroke(line(vg.Point{X: x, Y: 10.3}, vg.Point{X: x, Y: 14.9}))
			}
		}},
		{"numbers", 100, 100, func(c vg.Canvas) {
			for _, x := range nums {
				for _, y := range nums {
					c.Stroke(line(vg.Point{X: vg.Length(x), Y: vg.Length(y)}, vg.Point{X: vg.Length(y), Y: vg.Length(x)}))
					c.Fill(line(vg.Point{X: vg.Length(x), Y: vg.Length(y)}))
					c.FillString(face(t, 7, "", xfnt.StyleNormal, xfnt.WeightNormal), vg.Point{X: vg.Length(x), Y: vg.Length(y)}, "n")
				}
				c.SetLineWidth(vg.Length(x))
				c.Stroke(line(vg.Point{X: 1, Y: 2}, vg.Point{X: 3, Y: 4}))
				c.SetLineDash([]vg.Length{vg.Length(x), 2}, vg.Length(x))
				c.Stroke(line(vg.Point{X: 1, Y: 2}, vg.Point{X: 3, Y: 4}))
				c.SetLineWidth(1)
				c.SetLineDash(nil, 0)
			}
		}},
		{"styles", 200, 100, func(c vg.Canvas) {
			widths := []vg.Length{1, 0.8, 1.2, 0, -1, 2}
			dashes := [][]vg.Length{nil, {}, {2}, {4, 1.5, 0.25}}
			for _, col := range colours {
				for _, w := range widths {
					for _, d := range dashes {
						for _, offs := range []vg.Length{0, 1.5} {
							c.SetColor(col)
							c.SetLineWidth(w)
							c.SetLineDash(d, offs)
							c.Stroke(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}, vg.Point{X: 3, Y: 1}))
							c.Fill(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}, vg.Point{X: 3, Y: 1}))
						}
					}
				}
			}
		}},
		{"dash pattern changed in place", 50, 50, func(c vg.Canvas) {
			d := []vg.Length{1, 2}
			c.SetLineDash(d, 0)
			c.Stroke(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}))
			d[0] = 3
			c.Stroke(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}))
		}},
		{"shapes", 100, 100, func(c vg.Canvas) {
			var p vg.Path
			p.Move(vg.Point{X: 10, Y: 10})
			p.Line(vg.Point{X: 20, Y: 10})
			p.Close()
			p.Arc(vg.Point{X: 50, Y: 50}, 5, 0, math.Pi/2)
			p.Arc(vg.Point{X: 50, Y: 50}, 5, 0, -3*math.Pi/2)
			p.Arc(vg.Point{X: 50, Y: 50}, 5, math.Pi, 2*math.Pi)
			p.Arc(vg.Point{X: 50, Y: 50}, 2.2, 0, -2*math.Pi)
			p.Arc(vg.Point{X: 0, Y: 0}, 3, 0, 3*math.Pi)
			p.QuadTo(vg.Point{X: 1, Y: 2}, vg.Point{X: 3, Y: 4})
			p.CubeTo(vg.Point{X: 5, Y: 6}, vg.Point{X: 7, Y: 8}, vg.Point{X: 9, Y: 10.123456})
			p.Close()
			c.Stroke(p)
			c.Fill(p)
			var first vg.Path
			first.Arc(vg.Point{X: -3, Y: 0}, 3, 0, math.Pi) // starts at the origin: no line to it
			c.Stroke(first)
			c.Stroke(nil)
			c.Fill(nil)
		}},
		{"glyphs", 100, 100, func(c vg.Canvas) {
			dc := draw.NewCanvas(c, 100, 100)
			for i, g := range []draw.GlyphDrawer{draw.RingGlyph{}, draw.CrossGlyph{}, draw.PyramidGlyph{}, draw.TriangleGlyph{},
				draw.BoxGlyph{}, draw.CircleGlyph{}, draw.PlusGlyph{}, draw.SquareGlyph{}} {
				dc.DrawGlyph(draw.GlyphStyle{Color: colours[i%len(colours)], Radius: vg.Points(2.2), Shape: g}, vg.Point{X: vg.Length(10 * i), Y: 33.3})
			}
		}},
		{"text", 300, 100, func(c vg.Canvas) {
			for i, f := range []font.Face{
				face(t, 7, "", xfnt.StyleNormal, xfnt.WeightNormal),
				face(t, 8, "Sans", xfnt.StyleItalic, xfnt.WeightBold),
				face(t, 12.5, "Serif", xfnt.StyleNormal, xfnt.WeightNormal),
				face(t, 8, "Mono", xfnt.StyleOblique, xfnt.WeightLight),
				face(t, 8, "SmallCaps", xfnt.StyleNormal, xfnt.WeightThin),
				face(t, 8, "Other", xfnt.StyleNormal, xfnt.WeightBlack),
			} {
				c.SetColor(colours[i%len(colours)])
				for _, s := range []string{"", " replica63", "<a & 'b'> \"c\"", "round/view (0–1234)", "Timeline of run 0 (first 64 of 512 replicas) " + string(make([]byte, 0)) + "with a long title that goes on and on"} {
					c.FillString(f, vg.Point{X: vg.Length(i), Y: 50.5}, s)
				}
			}
		}},
		{"transforms", 100, 100, func(c vg.Canvas) {
			c.Push()
			c.Translate(vg.Point{X: 10.5, Y: -3})
			c.Rotate(math.Pi / 2)
			c.Push()
			c.Scale(2, -0.5)
			c.Rotate(1)
			c.Stroke(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}))
			c.Pop()
			c.SetColor(color.White)
			c.Fill(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}))
			c.Pop()
			c.Stroke(line(vg.Point{X: 1, Y: 1}, vg.Point{X: 2, Y: 2}))
			c.Push()
			c.Translate(vg.Point{X: 1, Y: 2}) // left open: closed when written
			c.Scale(math.Inf(1), 1e-30)
		}},
		// A document of several buffers (see room): 3 MB of short strokes,
		// texts, transforms and paths longer than a buffer's room.
		{"several buffers", 800, 300, func(c vg.Canvas) {
			f := face(t, 10, "Serif", xfnt.StyleNormal, xfnt.WeightNormal)
			long := make([]vg.Point, 3000)
			for i := range long {
				long[i] = vg.Point{X: vg.Length(i) * 0.27, Y: vg.Length(i%37) * 1.3}
			}
			for i := range 40000 {
				x := vg.Length(30 + float64(i%1000)*0.73)
				y := vg.Length(10 + float64(i/1000)*7.1)
				c.SetColor(color.NRGBA{R: uint8(i), G: 158, B: 115, A: 255})
				c.Stroke(line(vg.Point{X: x, Y: y}, vg.Point{X: x, Y: y + 4.4}))
				switch i % 5000 {
				case 17:
					c.FillString(f, vg.Point{X: x, Y: y}, "tick <"+strconv.Itoa(i)+">")
				case 1234:
					c.Push()
					c.Translate(vg.Point{X: x, Y: y})
					c.Stroke(line(long...))
					c.Pop()
				}
			}
		}},
		{"image", 100, 100, func(c vg.Canvas) {
			img := image.NewRGBA(image.Rect(0, 0, 2, 3))
			img.Set(1, 1, color.White)
			c.DrawImage(vg.Rectangle{Min: vg.Point{X: 1.5, Y: 2}, Max: vg.Point{X: 10, Y: 12.25}}, img)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { same(t, tc.w, tc.h, tc.paint) })
	}
}

// TestPlotSameAsVgsvg draws a whole gonum plot (title, axes, ticks, grid,
// lines, points, legend) on both canvases.
func TestPlotSameAsVgsvg(t *testing.T) {
	p := plot.New()
	p.Title.Text = "a plot & <its> title"
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "rounds"
	p.Add(plotGrid{})
	same(t, 4*vg.Inch, 3*vg.Inch, func(c vg.Canvas) { p.Draw(draw.New(c.(vg.CanvasSizer))) })
}

// plotGrid draws lines and glyphs over the plot's data area.
type plotGrid struct{}

func (plotGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i := range 50 {
		x := float64(i) / 7
		c.StrokeLine2(draw.LineStyle{Color: color.NRGBA{G: 158, B: 115, A: 255}, Width: vg.Points(0.8)}, trX(x), trY(0), trX(x), trY(x/10))
		c.DrawGlyph(draw.GlyphStyle{Color: color.Black, Radius: 2, Shape: draw.RingGlyph{}}, vg.Point{X: trX(x), Y: trY(0.5)})
	}
}

func (plotGrid) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 7, 0, 1 }

// FuzzStroke compares a stroke, a fill and a text of any coordinates,
// width, dash and colour.
func FuzzStroke(f *testing.F) {
	f.Add(1.0, 2.0, 3.5, -4.25, 0.8, 0.0, uint8(0), uint8(158), uint8(115), uint8(255), 0.1, 1.0)
	f.Add(math.Inf(1), math.NaN(), -0.0, 1e300, -1.0, 2.0, uint8(1), uint8(2), uint8(3), uint8(0), 1e-310, 3.0)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, width, dash float64, r, g, b, a uint8, angle, radius float64) {
		var p vg.Path
		p.Move(vg.Point{X: vg.Length(x0), Y: vg.Length(y0)})
		p.Line(vg.Point{X: vg.Length(x1), Y: vg.Length(y1)})
		if !math.IsNaN(angle) && !math.IsInf(angle, 0) && math.Abs(angle) < 1e6 {
			p.Arc(vg.Point{X: vg.Length(x1), Y: vg.Length(y0)}, vg.Length(radius), angle, angle/3)
		}
		same(t, 10, 10, func(c vg.Canvas) {
			c.SetColor(color.RGBA{R: r & a, G: g & a, B: b & a, A: a})
			c.SetLineWidth(vg.Length(width))
			if dash != 0 {
				c.SetLineDash([]vg.Length{vg.Length(dash)}, vg.Length(dash/2))
			}
			c.Stroke(p)
			c.Fill(p)
			c.FillString(face(t, vg.Length(width), "", xfnt.StyleNormal, xfnt.WeightNormal), vg.Point{X: vg.Length(x1), Y: vg.Length(y1)}, "x")
		})
	})
}

// BenchmarkTicks: 10,000 short strokes, as the commit ticks of a run
// timeline, on this canvas and on vgsvg's.
func BenchmarkTicks(b *testing.B) {
	ticks := func(c vg.CanvasSizer) {
		dc := draw.New(c)
		st := draw.LineStyle{Color: color.NRGBA{G: 158, B: 115, A: 255}, Width: vg.Points(0.8)}
		for i := range 10000 {
			x := vg.Length(30 + float64(i%1000)*0.73)
			y := vg.Length(10 + float64(i/1000)*22.7)
			dc.StrokeLine2(st, x, y, x, y+4.4)
		}
	}
	b.Run("svgcanvas", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := New(800, 300)
			ticks(c)
			_ = c.String()
		}
	})
	b.Run("vgsvg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := vgsvg.New(800, 300)
			ticks(c)
			var w bytes.Buffer
			if _, err := c.WriteTo(&w); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestNumMatchesStrconv compares num with strconv's %.5g on numbers of
// every decade, on and around the decades' bounds, exact halves at five
// digits (ties), numbers that round up to the next decade, and random
// ones.
func TestNumMatchesStrconv(t *testing.T) {
	vs := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, math.MaxFloat64}
	for p := -8; p <= 8; p++ {
		d := math.Pow(10, float64(p))
		for _, x := range []float64{d, math.Nextafter(d, 0), math.Nextafter(d, math.Inf(1)), 9.99995 * d, 9.99994999 * d, 9.999950001 * d, 1.00005 * d, 1.23455 * d} {
			vs = append(vs, x, -x)
		}
	}
	for k := 0; k < 200000; k++ {
		vs = append(vs, float64(k)/4, float64(k)/8, float64(k)/1000, float64(k)/16384, 1234.25+float64(k))
	}
	rng := rand.New(rand.NewPCG(5, 9))
	for range 1000000 {
		v := math.Ldexp(rng.Float64()+0.5, rng.IntN(60)-30)
		if rng.IntN(2) == 0 {
			v = -v
		}
		vs = append(vs, v, math.Round(v*100)/100)
	}
	for _, v := range vs {
		if got, want := string(num([]byte("x"), v)), "x"+strconv.FormatFloat(v, 'g', prec, 64); got != want {
			t.Fatalf("num(%v) = %q, want %q", v, got, want)
		}
	}
}

func FuzzNum(f *testing.F) {
	for _, v := range []float64{0, 1, 0.5, 1234.25, 99999.5, 1e-4, 12.345} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if got, want := string(num(nil, v)), strconv.FormatFloat(v, 'g', prec, 64); got != want {
			t.Fatalf("num(%v) = %q, want %q", v, got, want)
		}
	})
}

// failAfter accepts its first n bytes, then fails.
type failAfter struct{ n int }

var errFull = errors.New("full")

func (f *failAfter) Write(b []byte) (int, error) {
	if len(b) > f.n {
		n := f.n
		f.n = 0
		return n, errFull
	}
	f.n -= len(b)
	return len(b), nil
}

// TestWriteToStopsAtFirstError: WriteTo returns the writer's error and
// counts only the bytes written, however far into the document it fails.
func TestWriteToStopsAtFirstError(t *testing.T) {
	c := New(100, 50)
	dc := draw.New(c)
	dc.FillText(draw.TextStyle{Color: color.Black, Font: plot.DefaultFont, Handler: plot.DefaultTextHandler}, vg.Point{X: 10, Y: 10}, "x")
	size := len(c.String())
	for _, at := range []int{0, 1, size / 2, size - 1} {
		n, err := c.WriteTo(&failAfter{n: at})
		if !errors.Is(err, errFull) || n != int64(at) {
			t.Errorf("failing after %d of %d bytes: WriteTo = %d, %v; want %d, %v", at, size, n, err, at, errFull)
		}
	}
	if n, err := c.WriteTo(&failAfter{n: size}); err != nil || n != int64(size) {
		t.Errorf("WriteTo into room for the whole document = %d, %v; want %d, nil", n, err, size)
	}
}
