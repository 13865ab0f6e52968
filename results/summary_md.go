package results

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// SummaryMDFile is the name of summary.md in an experiment's output
// directory: the headline metrics of each sweep point as a Markdown table.
const SummaryMDFile = "summary.md"

// summaryColumn is one metric column of the summary table.
type summaryColumn struct {
	metric, title string
}

// summaryColumns are the headline metrics of the summary table: throughput
// and latency always; timeouts and view changes when a run had any; the
// convergence time when a run measured convergence.
func summaryColumns(t RunsTable) []summaryColumn {
	cols := []summaryColumn{
		{"throughput_rps", "throughput (req/s)"},
		{"latency_p50_ms", "latency p50 (ms)"},
		{"latency_p99_ms", "latency p99 (ms)"},
	}
	var timeouts, views, conv bool
	for _, r := range t.Rows {
		timeouts = timeouts || r.Timeouts > 0
		views = views || r.ViewChanges > 0
		conv = conv || r.Converged != nil
	}
	if timeouts {
		cols = append(cols, summaryColumn{"timeouts", "timeouts"})
	}
	if views {
		cols = append(cols, summaryColumn{"view_changes", "view changes"})
	}
	if conv {
		cols = append(cols, summaryColumn{"convergence_s", "convergence (s)"})
	}
	return cols
}

// SummaryMarkdown returns summary.md of the experiment name whose runs are t
// and whose sweep points are pts (Points(t)): a title, one line saying what
// the numbers are, and a Markdown table with one row per sweep point — its
// number, swept values, runs and passed runs, and per headline metric the
// mean ± the half-width of its 95% confidence interval (Student t) over the
// runs that passed. Everything follows from runs.csv: no wall-clock value.
func SummaryMarkdown(name string, t RunsTable, pts []Point) []byte {
	header, rows, left := SummaryTable(t, pts)
	runs, passed := 0, 0
	for i := range pts {
		runs += pts[i].Runs
		passed += pts[i].Passed
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", name)
	fmt.Fprintf(&b, "%s, %s (%d passed their checks). Each metric: mean ± half-width of the 95%% confidence interval (Student t) over the runs of the point that passed; one run has no interval; – no value.\n\n",
		plural(len(pts), "sweep point", "sweep points"), plural(runs, "run", "runs"), passed)
	writeMarkdownTable(&b, header, rows, left)
	return b.Bytes()
}

// SummaryTable returns the cells of the summary table of the runs t with
// sweep points pts (see SummaryMarkdown): the header, one row per point,
// and how many leading columns hold labels rather than numbers.
func SummaryTable(t RunsTable, pts []Point) (header []string, rows [][]string, left int) {
	cols := summaryColumns(t)
	header = []string{"#"}
	header = append(header, t.Params...)
	header = append(header, "runs", "passed")
	for _, c := range cols {
		header = append(header, c.title)
	}
	if len(cols) > 0 && cols[len(cols)-1].metric == "convergence_s" {
		header = append(header, "converged")
	}
	rows = make([][]string, 0, len(pts))
	for i := range pts {
		p := &pts[i]
		row := []string{fmt.Sprint(i + 1)}
		row = append(row, p.Params...)
		row = append(row, fmt.Sprint(p.Runs), fmt.Sprint(p.Passed))
		for _, c := range cols {
			a, _ := p.Metric(c.metric)
			row = append(row, FormatMeanCI(a))
		}
		if len(header) > len(row) {
			row = append(row, fmt.Sprintf("%d of %d", p.Converged, p.Runs))
		}
		rows = append(rows, row)
	}
	return header, rows, len(t.Params) + 1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeMarkdownTable writes a pipe table padded to aligned columns, the
// first left columns left-aligned and the others right-aligned.
func writeMarkdownTable(b *bytes.Buffer, header []string, rows [][]string, left int) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = max(3, utf8.RuneCountInString(h))
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < left {
				fmt.Fprintf(b, " %s%s |", c, pad)
			} else {
				fmt.Fprintf(b, " %s%s |", pad, c)
			}
		}
		b.WriteString("\n")
	}
	line(header)
	b.WriteString("|")
	for i := range header {
		if i < left {
			fmt.Fprintf(b, " %s |", strings.Repeat("-", width[i]))
		} else {
			fmt.Fprintf(b, " %s: |", strings.Repeat("-", width[i]-1))
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
}

// FormatMeanCI writes an aggregate as "mean ± ci95" with three significant
// digits of the mean (at most six decimals; none for a whole number
// without spread), "mean" alone when there is no interval (one value) and
// "–" when there is no value.
func FormatMeanCI(a Aggregate) string {
	mean, ci := float64(a.Mean), float64(a.CI95)
	if a.N == 0 || math.IsNaN(mean) {
		return "–"
	}
	d := SignificantDecimals(mean, 3)
	if mean == math.Trunc(mean) && (math.IsNaN(ci) || ci == 0) {
		d = 0 // a whole number without spread, e.g. a count
	}
	if math.IsNaN(ci) {
		return fmtDecimals(mean, d)
	}
	return fmtDecimals(mean, d) + " ± " + fmtDecimals(ci, d)
}

// SignificantDecimals returns the number of decimals (0 to 6) that show x
// with digits significant digits.
func SignificantDecimals(x float64, digits int) int {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	d := digits - 1 - int(math.Floor(math.Log10(math.Abs(x))))
	return min(max(d, 0), 6)
}

// fmtDecimals writes x with d decimals, never as "-0".
func fmtDecimals(x float64, d int) string {
	s := fmt.Sprintf("%.*f", d, x)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// ReadSummaryMarkdown builds summary.md of the output directory dir from
// its runs.csv, the experiment's name being the directory's name.
func ReadSummaryMarkdown(dir string) ([]byte, error) {
	t, err := ReadRunsCSV(filepath.Join(dir, RunsFile))
	if err != nil {
		return nil, err
	}
	return SummaryMarkdown(filepath.Base(filepath.Clean(dir)), t, Points(t)), nil
}
