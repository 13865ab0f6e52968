package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// writeCSV writes a CSV file atomically: the header, then the rows that
// rows emits. Lines end with "\n".
func writeCSV(path string, header []string, rows func(emit func(...string) error) error) error {
	return writeCSVTo(nil, path, header, rows)
}

// writeCSVTo is writeCSV into the batch b (on its own if b is nil).
func writeCSVTo(b *Batch, path string, header []string, rows func(emit func(...string) error) error) error {
	return b.put(path, func(w io.Writer) error { return encodeCSV(w, header, rows) })
}

// encodeCSV writes the header, then the rows that rows emits, as CSV to w.
func encodeCSV(w io.Writer, header []string, rows func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	emit := func(rec ...string) error { return cw.Write(rec) }
	if err := rows(emit); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// errNegative reports a negative value where none is allowed.
var errNegative = errors.New("must not be negative")

// csvFile is a CSV file read whole, with positions for error messages.
type csvFile struct {
	path   string
	header []string
	rows   [][]string
}

// readCSV reads a CSV file with a header line. Every row must have as many
// fields as the header.
func readCSV(path string) (*csvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCSV(path, f)
}

// parseCSV reads a CSV file with a header line from r, path naming it in
// errors; see readCSV.
func parseCSV(path string, in io.Reader) (*csvFile, error) {
	r := csv.NewReader(in)
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("results: %s: empty file, want a header line", path)
	}
	return &csvFile{path: path, header: recs[0], rows: recs[1:]}, nil
}

// eachCSVRow reads a CSV file with a header line row by row, without
// holding its records: it checks the header against want, then calls row
// with a parser of each row in turn (the parser and its fields are reused:
// row must not keep them). Every row must have as many fields as the header;
// errors are those of readCSV. Files as byzsim writes them (no quotes, no
// carriage returns, no blank lines, as many fields on every line) are split
// at commas directly; any other file goes through encoding/csv.
func eachCSVRow(path string, want []string, row func(p *fieldParser) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if plainCSV(data, len(want)) {
		return splitCSVRows(path, data, want, row)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return fmt.Errorf("results: %s: empty file, want a header line", path)
	}
	if err != nil {
		return fmt.Errorf("results: %s: %w", path, err)
	}
	c := &csvFile{path: path, header: slices.Clone(header)}
	if err := c.expectHeader(want); err != nil {
		return err
	}
	p := &fieldParser{c: c, line: 1}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("results: %s: %w", path, err)
		}
		p.line++
		p.row = rec
		if err := row(p); err != nil {
			return err
		}
	}
}

// plainCSV reports whether data is a non-empty CSV file that encoding/csv
// would read as its lines split at commas: no quote, no carriage return, no
// blank line, and fields commas on every line.
func plainCSV(data []byte, fields int) bool {
	if len(data) == 0 || bytes.IndexByte(data, '"') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return false
	}
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		if len(line) == 0 || bytes.Count(line, []byte{','}) != fields-1 {
			return false
		}
		data = rest
	}
	return true
}

// splitCSVRows is eachCSVRow for data that plainCSV accepted.
func splitCSVRows(path string, data []byte, want []string, row func(p *fieldParser) error) error {
	fields := make([]string, len(want))
	split := func(line []byte) []string {
		s := string(line) // one allocation per line; the fields share it
		for i := range fields[:len(fields)-1] {
			j := strings.IndexByte(s, ',')
			fields[i], s = s[:j], s[j+1:]
		}
		fields[len(fields)-1] = s
		return fields
	}
	line, data, _ := bytes.Cut(data, []byte{'\n'})
	c := &csvFile{path: path, header: slices.Clone(split(line))}
	if err := c.expectHeader(want); err != nil {
		return err
	}
	p := &fieldParser{c: c, line: 1}
	for len(data) > 0 {
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		p.line++
		p.row = split(line)
		if err := row(p); err != nil {
			return err
		}
	}
	return nil
}

// expectHeader checks that the header is exactly want.
func (c *csvFile) expectHeader(want []string) error {
	if !slices.Equal(c.header, want) {
		return fmt.Errorf("results: %s:1: header is %q, want %q", c.path,
			strings.Join(c.header, ","), strings.Join(want, ","))
	}
	return nil
}

// fieldParser parses the fields of one row and keeps the first error, with
// its position.
type fieldParser struct {
	c    *csvFile
	line int // 1-based line in the file
	row  []string
	err  error
}

func (c *csvFile) parser(i int) *fieldParser {
	return &fieldParser{c: c, line: i + 2, row: c.rows[i]}
}

func (p *fieldParser) fail(col int, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("results: %s:%d: %s: %w", p.c.path, p.line, p.c.header[col], err)
	}
}

func (p *fieldParser) str(col int) string { return p.row[col] }

func (p *fieldParser) uint(col int) uint64 {
	v, err := strconv.ParseUint(p.row[col], 10, 64)
	if err != nil {
		p.fail(col, err)
	}
	return v
}

func (p *fieldParser) int(col int) int64 {
	v, err := strconv.ParseInt(p.row[col], 10, 64)
	if err != nil {
		p.fail(col, err)
	}
	return v
}

func (p *fieldParser) float(col int) float64 {
	v, err := parseFloat(p.row[col])
	if err != nil {
		p.fail(col, err)
	}
	return v
}

func (p *fieldParser) scaled(col int, decimals int) int64 {
	v, err := parseScaled(p.row[col], decimals)
	if err != nil {
		p.fail(col, err)
	}
	return v
}

func fmtUint(v uint64) string { return strconv.FormatUint(v, 10) }
func fmtInt(v int64) string   { return strconv.FormatInt(v, 10) }
