package pngenc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"testing"
)

// images returns the test images by name: sizes around the eight-byte
// steps and the three-byte pixels, plot-like pictures (uniform areas,
// lines, text-like specks), noise, few-colour noise (ties between
// filters), gradients, sub-images, and images that are not opaque.
func images() map[string]*image.RGBA {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(w, h int, at func(x, y int) color.RGBA) *image.RGBA {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				m.SetRGBA(x, y, at(x, y))
			}
		}
		return m
	}
	white := color.RGBA{255, 255, 255, 255}
	palette := []color.RGBA{white, {0, 0, 0, 255}, {230, 159, 0, 255}, {86, 180, 233, 255}, {254, 255, 255, 255}}
	plot := func(w, h int) *image.RGBA {
		return fill(w, h, func(x, y int) color.RGBA {
			switch {
			case x == w/8 || y == h-h/8: // axes
				return palette[1]
			case x%37 == 0 && y%2 == 0: // dashed grid
				return color.RGBA{200, 200, 200, 255}
			case y == (h/2)+int(float64(h/4)*float64(x%50)/50): // a curve
				return palette[2]
			case r.IntN(200) == 0: // glyph pixels
				g := uint8(r.IntN(256))
				return color.RGBA{g, g, g, 255}
			}
			return white
		})
	}
	ims := map[string]*image.RGBA{
		"plot 576x384": plot(576, 384),
		"plot 97x61":   plot(97, 61),
		"noise 33x17": fill(33, 17, func(x, y int) color.RGBA {
			return color.RGBA{uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255}
		}),
		"few colours 64x64": fill(64, 64, func(x, y int) color.RGBA { return palette[r.IntN(len(palette))] }),
		"two colours 40x40": fill(40, 40, func(x, y int) color.RGBA { return palette[r.IntN(2)] }),
		"gradient 50x30": fill(50, 30, func(x, y int) color.RGBA {
			return color.RGBA{uint8(x * 5), uint8(y * 8), uint8(x + y), 255}
		}),
		"vertical stripes 30x9":   fill(30, 9, func(x, y int) color.RGBA { return palette[x%3] }),
		"horizontal stripes 9x30": fill(9, 30, func(x, y int) color.RGBA { return palette[y%3] }),
		"steps 100x20": fill(100, 20, func(x, y int) color.RGBA {
			v := uint8(x / 7 * 19)
			return color.RGBA{v, v + uint8(y), v, 255}
		}),
		"black 12x5": fill(12, 5, func(x, y int) color.RGBA { return palette[1] }),
		"not opaque 20x10": fill(20, 10, func(x, y int) color.RGBA {
			if x == 13 && y == 7 {
				return color.RGBA{10, 10, 10, 254}
			}
			return palette[r.IntN(3)]
		}),
		"transparent 3x3": image.NewRGBA(image.Rect(0, 0, 3, 3)),
	}
	for w := 1; w <= 12; w++ {
		for _, h := range []int{1, 2, 5} {
			ims["few colours "+itoa(w)+"x"+itoa(h)] = fill(w, h, func(x, y int) color.RGBA { return palette[r.IntN(3)] })
		}
	}
	big := plot(120, 90)
	ims["sub-image"] = big.SubImage(image.Rect(17, 9, 88, 70)).(*image.RGBA)
	ims["empty sub-image"] = big.SubImage(image.Rect(5, 5, 5, 9)).(*image.RGBA)
	return ims
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestSameAsImagePNG requires Encode to write png.Encode's bytes for
// every test image, and the test images to need every filter type.
func TestSameAsImagePNG(t *testing.T) {
	used := map[byte]int{}
	for name, m := range images() {
		var want, got bytes.Buffer
		wantErr := png.Encode(&want, m)
		gotErr := Encode(&got, m)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("%s: error %v, png.Encode's %v", name, gotErr, wantErr)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: %d bytes differ from png.Encode's %d", name, got.Len(), want.Len())
			continue
		}
		if wantErr == nil && opaque(m) {
			for _, f := range filters(t, got.Bytes(), m.Bounds()) {
				used[f]++
			}
		}
	}
	for f := byte(ftNone); f <= ftPaeth; f++ {
		if used[f] == 0 {
			t.Errorf("no test row is written with filter %d: the tests do not exercise its choice", f)
		}
	}
}

// filters returns the filter type of each row of the PNG file data, an
// 8-bit RGB image with bounds b.
func filters(t *testing.T, data []byte, b image.Rectangle) []byte {
	t.Helper()
	var idat []byte
	for p := data[8:]; len(p) >= 12; {
		n := binary.BigEndian.Uint32(p)
		if string(p[4:8]) == "IDAT" {
			idat = append(idat, p[8:8+n]...)
		}
		p = p[12+n:]
	}
	zr, err := zlib.NewReader(bytes.NewReader(idat))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	stride := 1 + 3*b.Dx()
	if len(raw) != stride*b.Dy() {
		t.Fatalf("%d bytes of rows, want %d", len(raw), stride*b.Dy())
	}
	var fs []byte
	for i := 0; i < len(raw); i += stride {
		fs = append(fs, raw[i])
	}
	return fs
}

// TestChooseMatchesEveryFilter compares choose with a direct evaluation
// of image/png's rule on random rows (see randomRows), built to have runs
// and ties.
func TestChooseMatchesEveryFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 40000 {
		cur, prev := randomRows(r, trial)
		if got, want := choose(cur, prev), reference(cur, prev); got != want {
			t.Fatalf("trial %d: choose(%v, %v) = %d, want %d", trial, cur, prev, got, want)
		}
	}
}

// randomRows returns a row and the row above it, of lengths around the
// eight-byte steps: in odd trials bytes drawn from a few values, in even
// ones runs of pixels drawn from a few colours (rows uniform over eight
// bytes and more, as a plot's are), the row above a copy with some runs
// or bytes changed, or drawn alike.
func randomRows(r *rand.Rand, trial int) (cur, prev []byte) {
	n := bpp * (1 + r.IntN(16))
	vals := []byte{0, 1, 2, 127, 128, 129, 254, 255}[:1+r.IntN(8)]
	cur, prev = make([]byte, n), make([]byte, n)
	if trial%2 == 1 {
		for i := range n {
			cur[i] = vals[r.IntN(len(vals))]
			prev[i] = cur[i]
			if r.IntN(3) == 0 {
				prev[i] = vals[r.IntN(len(vals))]
			}
		}
		return cur, prev
	}
	runs := func(row []byte) {
		for i := 0; i < n; {
			px := [bpp]byte{vals[r.IntN(len(vals))], vals[r.IntN(len(vals))], vals[r.IntN(len(vals))]}
			for end := min(n, i+bpp*(1+r.IntN(8))); i < end; i += bpp {
				copy(row[i:], px[:])
			}
		}
	}
	runs(cur)
	switch r.IntN(3) {
	case 0:
		runs(prev)
	case 1:
		copy(prev, cur)
		for range 1 + r.IntN(2) {
			prev[r.IntN(n)] = vals[r.IntN(len(vals))]
		}
	default:
		copy(prev, cur)
		at := bpp * r.IntN(n/bpp)
		px := [bpp]byte{vals[r.IntN(len(vals))], vals[r.IntN(len(vals))], vals[r.IntN(len(vals))]}
		for i := at; i < min(n, at+bpp*(1+r.IntN(8))); i += bpp {
			copy(prev[i:], px[:])
		}
	}
	return cur, prev
}

// reference is image/png's rule written plainly: each filter's sum of
// absolute residuals, the smallest winning, up, Paeth, none, sub, average
// first on a tie.
func reference(cur, prev []byte) int {
	sums := map[int]int{}
	for f := ftNone; f <= ftPaeth; f++ {
		for _, x := range residuals(cur, prev, f) {
			sums[f] += abs8(x)
		}
	}
	best := ftUp
	for _, f := range []int{ftPaeth, ftNone, ftSub, ftAverage} {
		if sums[f] < sums[best] {
			best = f
		}
	}
	return best
}

// residuals is the row cur below prev filtered with f, as the PNG
// specification defines it, byte by byte.
func residuals(cur, prev []byte, f int) []byte {
	out := make([]byte, len(cur))
	for i, x := range cur {
		var a, c byte // left, above left
		if i >= bpp {
			a, c = cur[i-bpp], prev[i-bpp]
		}
		b := prev[i]
		switch f {
		case ftNone:
			out[i] = x
		case ftSub:
			out[i] = x - a
		case ftUp:
			out[i] = x - b
		case ftAverage:
			out[i] = x - byte((int(a)+int(b))/2)
		case ftPaeth:
			p := int(a) + int(b) - int(c)
			pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
			switch {
			case pa <= pb && pa <= pc:
				out[i] = x - a
			case pb <= pc:
				out[i] = x - b
			default:
				out[i] = x - c
			}
		}
	}
	return out
}

func abs(x int) int { return max(x, -x) }

// TestApplyEveryFilter compares apply with the specification's residuals
// on random rows (see randomRows).
func TestApplyEveryFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 40000 {
		cur, prev := randomRows(r, trial)
		n := len(cur)
		for f := ftNone; f <= ftPaeth; f++ {
			got := make([]byte, n)
			for i := range got {
				got[i] = 0xa5 // what apply does not write shows
			}
			apply(got, cur, prev, f)
			if want := residuals(cur, prev, f); !bytes.Equal(got, want) {
				t.Fatalf("trial %d: apply(%v, %v, %d) = %v, want %v", trial, cur, prev, f, got, want)
			}
		}
	}
}

// TestWriteError checks that a failing writer's error is returned.
func TestWriteError(t *testing.T) {
	m := images()["plot 97x61"]
	var whole bytes.Buffer
	if err := Encode(&whole, m); err != nil {
		t.Fatal(err)
	}
	// In the signature, the header, an IDAT chunk, the end.
	for _, after := range []int{0, 8, 40, whole.Len() - 13, whole.Len() - 1} {
		w := &failingWriter{left: after}
		if err := Encode(w, m); !errors.Is(err, errFull) {
			t.Errorf("writer failing after %d bytes: error %v, want %v", after, err, errFull)
		}
	}
}

var errFull = errors.New("full")

type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errFull
	}
	w.left -= len(p)
	return len(p), nil
}

// FuzzSameAsImagePNG builds an image from the fuzzer's bytes (few
// distinct values, so that rows repeat and runs form) and requires
// png.Encode's bytes.
func FuzzSameAsImagePNG(f *testing.F) {
	f.Add(uint8(5), uint8(3), []byte{0, 1, 2, 3, 255, 255, 7})
	f.Add(uint8(1), uint8(1), []byte{9})
	f.Add(uint8(40), uint8(2), []byte{255, 255, 255, 0, 0, 0, 255, 255, 255, 128})
	f.Fuzz(func(t *testing.T, w, h uint8, seed []byte) {
		if w == 0 || h == 0 || len(seed) == 0 {
			return
		}
		m := image.NewRGBA(image.Rect(0, 0, int(w%64)+1, int(h%32)+1))
		for i := range m.Pix {
			if i%4 == 3 {
				m.Pix[i] = 255
				continue
			}
			m.Pix[i] = seed[(i/4)%len(seed)] & 0xc3
		}
		var want, got bytes.Buffer
		if err := png.Encode(&want, m); err != nil {
			t.Fatal(err)
		}
		if err := Encode(&got, m); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%v: %d bytes differ from png.Encode's %d", m.Bounds(), got.Len(), want.Len())
		}
	})
}

func benchImage() *image.RGBA { return images()["plot 576x384"] }

func BenchmarkEncode(b *testing.B) {
	m := benchImage()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Encode(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImagePNG(b *testing.B) {
	m := benchImage()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := png.Encode(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSub8 compares sub8 with a subtraction byte by byte.
func TestSub8(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	edge := []byte{0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff}
	for trial := range 100000 {
		var x, y [8]byte
		for i := range 8 {
			x[i], y[i] = byte(r.Uint32()), byte(r.Uint32())
			if trial%2 == 0 {
				x[i], y[i] = edge[r.IntN(len(edge))], edge[r.IntN(len(edge))]
			}
		}
		got := sub8(binary.LittleEndian.Uint64(x[:]), binary.LittleEndian.Uint64(y[:]))
		for i := range 8 {
			if b := byte(got >> (8 * i)); b != x[i]-y[i] {
				t.Fatalf("sub8(%x, %x): byte %d is %#x, want %#x", x, y, i, b, x[i]-y[i])
			}
		}
	}
}

// TestOpaque compares opaque with (*image.RGBA).Opaque on images of
// widths around its steps with one translucent pixel anywhere, and on
// sub-images that leave it out.
func TestOpaque(t *testing.T) {
	for w := 1; w <= 20; w++ {
		for _, h := range []int{1, 3} {
			m := image.NewRGBA(image.Rect(0, 0, w, h))
			for i := 3; i < len(m.Pix); i += 4 {
				m.Pix[i] = 0xff
			}
			if !opaque(m) {
				t.Fatalf("%dx%d opaque: opaque = false", w, h)
			}
			for y := range h {
				for x := range w {
					m.Pix[m.PixOffset(x, y)+3] = 0xfe
					if got, want := opaque(m), m.Opaque(); got != want || got {
						t.Fatalf("%dx%d, pixel (%d, %d) translucent: opaque = %v, Opaque = %v", w, h, x, y, got, want)
					}
					sub := m.SubImage(image.Rect(0, 0, x, h)).(*image.RGBA) // left of it
					if got, want := opaque(sub), sub.Opaque(); got != want || !got {
						t.Fatalf("%dx%d, pixel (%d, %d) translucent, the sub-image left of it: opaque = %v, Opaque = %v", w, h, x, y, got, want)
					}
					m.Pix[m.PixOffset(x, y)+3] = 0xff
				}
			}
		}
	}
}

// TestRGB compares rgb with a copy pixel by pixel, for rows of 0 to 11
// pixels (both of its loops and their ends).
func TestRGB(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for px := range 12 {
		pix := make([]byte, 4*px)
		for i := range pix {
			pix[i] = byte(r.Uint32())
		}
		want := make([]byte, 3*px)
		for k := range px {
			copy(want[3*k:], pix[4*k:4*k+3])
		}
		got := make([]byte, 3*px+1)
		rgb(got, pix)
		if !bytes.Equal(got[:3*px], want) {
			t.Errorf("%d pixels: rgb = %x, want %x", px, got[:3*px], want)
		}
	}
}
