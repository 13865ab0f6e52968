// Package pngenc writes opaque RGBA images as PNG, byte for byte as
// image/png's Encode writes them, in less time.
//
// image/png chooses each row's filter by trying all five (up, Paeth, none,
// sub, average, in that order) and keeping the first whose sum of
// absolute residuals is smallest, computing every candidate row as it
// goes. A plot is mostly rows equal to the row above and runs of equal
// pixels, where four of the five residuals are zero: Encode takes a row
// equal to the one above as up-filtered at once (every other filter's sum
// is at least up's zero), skips eight bytes at a time where the residuals
// are zero, and computes only the chosen filter's row. The rows then go
// through the same zlib writer, one write per row, into IDAT chunks cut by
// the same 32 KB buffer, so the compressed stream and the file are
// image/png's.
package pngenc

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
)

// PNG filter types.
const (
	ftNone = iota
	ftSub
	ftUp
	ftAverage
	ftPaeth
)

// bpp is the bytes per pixel of an opaque image written as 8-bit RGB.
const bpp = 3

// Encode writes m to w in PNG format, the same bytes as png.Encode(w, m).
// An image with a pixel that is not opaque, or of a size image/png
// refuses, is handed to png.Encode.
func Encode(w io.Writer, m *image.RGBA) error {
	b := m.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx()) >= 1<<32 || int64(b.Dy()) >= 1<<32 || !opaque(m) {
		return png.Encode(w, m)
	}
	e := &encoder{w: w}
	_, e.err = io.WriteString(w, "\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:4], uint32(b.Dx()))
	binary.BigEndian.PutUint32(ihdr[4:8], uint32(b.Dy()))
	ihdr[8] = 8 // bit depth
	ihdr[9] = 2 // colour type: truecolour
	e.writeChunk(ihdr[:], "IHDR")
	if e.err == nil {
		bw := bufio.NewWriterSize(e, 1<<15)
		e.err = writeRows(bw, m)
		if e.err == nil {
			e.err = bw.Flush()
		}
	}
	e.writeChunk(nil, "IEND")
	return e.err
}

// opaque reports whether every pixel of m has alpha 0xff, as
// (*image.RGBA).Opaque does, up to eight pixels at a time.
func opaque(m *image.RGBA) bool {
	b := m.Bounds()
	const alphas = 0xff000000ff000000
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, y):][:4*b.Dx()]
		for len(row) >= 32 {
			all := binary.LittleEndian.Uint64(row) & binary.LittleEndian.Uint64(row[8:]) &
				binary.LittleEndian.Uint64(row[16:]) & binary.LittleEndian.Uint64(row[24:])
			if all&alphas != alphas {
				return false
			}
			row = row[32:]
		}
		for len(row) >= 8 {
			if binary.LittleEndian.Uint64(row)&alphas != alphas {
				return false
			}
			row = row[8:]
		}
		if len(row) > 0 && row[3] != 0xff {
			return false
		}
	}
	return true
}

// encoder writes PNG chunks to w; as an io.Writer, each write is one IDAT
// chunk. It keeps the first error.
type encoder struct {
	w   io.Writer
	err error
}

// writeChunk writes the chunk name holding data.
func (e *encoder) writeChunk(data []byte, name string) {
	if e.err != nil {
		return
	}
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], name)
	crc := crc32.Update(crc32.ChecksumIEEE(head[4:8]), crc32.IEEETable, data)
	var foot [4]byte
	binary.BigEndian.PutUint32(foot[:], crc)
	for _, p := range [][]byte{head[:], data, foot[:]} {
		if _, e.err = e.w.Write(p); e.err != nil {
			return
		}
	}
}

// Write implements io.Writer: p is one IDAT chunk.
func (e *encoder) Write(p []byte) (int, error) {
	e.writeChunk(p, "IDAT")
	if e.err != nil {
		return 0, e.err
	}
	return len(p), nil
}

// writeRows compresses m's rows, each filtered and led by its filter
// type, into w with zlib at the default level, one write per row.
func writeRows(w io.Writer, m *image.RGBA) error {
	zw, err := zlib.NewWriterLevel(w, zlib.DefaultCompression)
	if err != nil {
		return err
	}
	b := m.Bounds()
	n := bpp * b.Dx()
	// One byte more than a row: a pixel is converted four bytes at once.
	cur, prev := make([]byte, n+1), make([]byte, n+1) // the row above the first is zero
	out := make([]byte, 1+n)
	zero := make([]byte, 1+n)
	zero[0] = ftUp
	var above []byte // the pixels of the row above
	for y := b.Min.Y; y < b.Max.Y; y++ {
		pix := m.Pix[m.PixOffset(b.Min.X, y):][:4*b.Dx()]
		row := zero // a row equal to the one above, up-filtered
		if !bytes.Equal(pix, above) {
			rgb(cur, pix)
			out[0] = byte(choose(cur[:n], prev[:n]))
			apply(out[1:], cur[:n], prev[:n], int(out[0]))
			row = out
			cur, prev = prev, cur
			above = pix
		}
		if _, err := zw.Write(row); err != nil {
			return err
		}
	}
	return zw.Close()
}

// rgb writes the red, green and blue bytes of the RGBA pixels pix to
// dst, which has room for one byte more: four pixels at a time (two
// eight-byte reads, eight- and four-byte writes), then one at a time
// (four bytes written, the fourth overwritten next).
func rgb(dst, pix []byte) {
	le := binary.LittleEndian
	i, j := 0, 0
	for ; j+16 <= len(pix); i, j = i+12, j+16 {
		src, out := (*[16]byte)(pix[j:]), (*[12]byte)(dst[i:])
		p, q := le.Uint64(src[:8]), le.Uint64(src[8:])
		le.PutUint64(out[:8], p&0xffffff|p>>32&0xffffff<<24|q<<48)
		le.PutUint32(out[8:], uint32(q>>16&0xff|q>>32&0xffffff<<8))
	}
	for ; j < len(pix); i, j = i+bpp, j+4 {
		le.PutUint32(dst[i:], le.Uint32(pix[j:]))
	}
}

// abs8 is the absolute value of d read as a signed byte.
func abs8(d byte) int {
	if d < 128 {
		return int(d)
	}
	return 256 - int(d)
}

// paeth is the Paeth predictor of a (left), b (above) and c (above left).
func paeth(a, b, c byte) byte {
	pa := int(b) - int(c)
	pb := int(a) - int(c)
	pc := pa + pb
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	} else if pb <= pc {
		return b
	}
	return c
}

// choose returns the filter image/png chooses for the row cur below prev:
// the one of up, Paeth, none, sub and average, tried in that order, whose
// sum of absolute residuals is smallest, the first tried on a tie. As
// image/png does, it stops summing a filter's residuals once they reach
// the best sum so far; it skips eight bytes at a time where a filter's
// residuals are all zero.
func choose(cur, prev []byte) int {
	n := len(cur)
	le := binary.LittleEndian
	// Up: x - b, zero where the bytes equal those above.
	up := 0
	for i := 0; i < n; {
		if i+8 <= n && le.Uint64(cur[i:]) == le.Uint64(prev[i:]) {
			i += 8
			continue
		}
		for end := min(i+8, n); i < end; i++ {
			up += abs8(cur[i] - prev[i])
		}
	}
	best, f := up, ftUp
	// Paeth: zero where x = a and either b = c or x = b (the predictor of
	// a = b is a, whatever c).
	sum := 0
	for i := 0; i < min(bpp, n); i++ {
		sum += abs8(cur[i] - prev[i])
	}
	for i := bpp; i < n && sum < best; {
		if i+8 <= n {
			x := le.Uint64(cur[i:])
			if b := le.Uint64(prev[i:]); x == le.Uint64(cur[i-bpp:]) && (x == b || b == le.Uint64(prev[i-bpp:])) {
				i += 8
				continue
			}
		}
		for end := min(i+8, n); i < end; i++ {
			sum += abs8(cur[i] - paeth(cur[i-bpp], prev[i], prev[i-bpp]))
		}
	}
	if sum < best {
		best, f = sum, ftPaeth
	}
	// None: x.
	sum = 0
	for _, x := range cur {
		if sum += abs8(x); sum >= best {
			break
		}
	}
	if sum < best {
		best, f = sum, ftNone
	}
	// Sub: x - a, zero where x = a.
	sum = 0
	for i := 0; i < min(bpp, n); i++ {
		sum += abs8(cur[i])
	}
	for i := bpp; i < n && sum < best; {
		if i+8 <= n && le.Uint64(cur[i:]) == le.Uint64(cur[i-bpp:]) {
			i += 8
			continue
		}
		for end := min(i+8, n); i < end; i++ {
			sum += abs8(cur[i] - cur[i-bpp])
		}
	}
	if sum < best {
		best, f = sum, ftSub
	}
	// Average: x - (a + b) / 2, zero where x = a = b.
	sum = 0
	for i := 0; i < min(bpp, n); i++ {
		sum += abs8(cur[i] - prev[i]/2)
	}
	for i := bpp; i < n && sum < best; {
		if i+8 <= n {
			x := le.Uint64(cur[i:])
			if x == le.Uint64(cur[i-bpp:]) && x == le.Uint64(prev[i:]) {
				i += 8
				continue
			}
		}
		for end := min(i+8, n); i < end; i++ {
			sum += abs8(cur[i] - byte((int(cur[i-bpp])+int(prev[i]))/2))
		}
	}
	if sum < best {
		f = ftAverage
	}
	return f
}

// apply writes the row cur below prev, filtered with f, to out.
func apply(out, cur, prev []byte, f int) {
	n := len(cur)
	switch f {
	case ftNone:
		copy(out, cur)
		return
	case ftUp:
		i := 0
		for ; i+8 <= n; i += 8 {
			binary.LittleEndian.PutUint64(out[i:], sub8(binary.LittleEndian.Uint64(cur[i:]), binary.LittleEndian.Uint64(prev[i:])))
		}
		for ; i < n; i++ {
			out[i] = cur[i] - prev[i]
		}
		return
	}
	for i := 0; i < min(bpp, n); i++ { // no pixel to the left
		switch f {
		case ftSub:
			out[i] = cur[i]
		case ftAverage:
			out[i] = cur[i] - prev[i]/2
		case ftPaeth:
			out[i] = cur[i] - prev[i]
		}
	}
	le := binary.LittleEndian
	for i := bpp; i < n; {
		// Eight residuals of zero where choose skips them.
		if i+8 <= n {
			x, a, b := le.Uint64(cur[i:]), le.Uint64(cur[i-bpp:]), le.Uint64(prev[i:])
			if x == a && (f == ftSub || x == b || f == ftPaeth && b == le.Uint64(prev[i-bpp:])) {
				le.PutUint64(out[i:], 0)
				i += 8
				continue
			}
		}
		end := min(i+8, n)
		switch f {
		case ftSub:
			for ; i < end; i++ {
				out[i] = cur[i] - cur[i-bpp]
			}
		case ftAverage:
			for ; i < end; i++ {
				out[i] = cur[i] - byte((int(cur[i-bpp])+int(prev[i]))/2)
			}
		case ftPaeth:
			for ; i < end; i++ {
				out[i] = cur[i] - paeth(cur[i-bpp], prev[i], prev[i-bpp])
			}
		}
	}
}

// sub8 subtracts each byte of y from the byte of x in its place, modulo
// 256, without borrowing from the next.
func sub8(x, y uint64) uint64 {
	const h = 0x8080808080808080
	return ((x | h) - (y &^ h)) ^ ((x ^ ^y) & h)
}
