package results

import (
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
	return WriteAtomic(path, func(w io.Writer) error {
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
	})
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
	r := csv.NewReader(f)
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
// holding the whole file: it checks the header against want, then calls row
// with a parser of each row in turn (the parser and its fields are reused:
// row must not keep them). Every row must have as many fields as the header;
// errors are those of readCSV.
func eachCSVRow(path string, want []string, row func(p *fieldParser) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
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
