package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/results"
)

// regressionError reports that compare --fail-if-worse found a regression
// (exit 1); the regressions were already printed.
type regressionError string

func (e regressionError) Error() string { return string(e) }

// gate is one --fail-if-worse METRIC=PCT.
type gate struct {
	metric string
	pct    float64
}

// compareCmd compares two sweep points (of two output directories or of
// one) metric by metric.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	csvFile := fs.String("csv", "", "also write the comparison to this CSV `file`")
	var gates stringList
	fs.Var(&gates, "fail-if-worse", "exit 1 when B is worse than A by more than PCT percent in METRIC (`METRIC=PCT`, repeatable)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErrorf("byzsim compare: want two sweep points A and B (DIR or DIR:N or DIR:key=value,...), got %d arguments", len(pos))
	}
	gs, err := parseGates(gates)
	if err != nil {
		return err
	}
	var sides [2]results.Side
	for i, arg := range pos {
		dir, sel, err := splitPointArg(arg)
		if err != nil {
			return err
		}
		s, err := results.SelectPoint(dir, sel)
		if err != nil {
			return usageErrorf("byzsim compare: %v", err)
		}
		s.Label = arg
		sides[i] = s
	}
	a, b := &sides[0], &sides[1]
	if same, _ := sameDirs(a.Dir, b.Dir); same && a.Describe() == b.Describe() {
		return usageErrorf("byzsim compare: A and B are the same sweep point (%s of %s)", a.Describe(), a.Dir)
	}
	if na, nb := filepath.Base(filepath.Clean(a.Dir)), filepath.Base(filepath.Clean(b.Dir)); na != nb {
		fmt.Fprintf(stderr, "byzsim compare: note: A and B are different experiments (%s, %s); the metrics are defined alike, but check that the comparison is fair\n", na, nb)
	}
	for i, s := range sides {
		if s.Point.Passed == 0 {
			fmt.Fprintf(stderr, "byzsim compare: note: no run of %c (%s) passed its checks: its metrics are undefined\n", 'A'+i, s.Label)
		}
	}
	var lats [2][]float64
	for i := range sides {
		if lats[i], err = sides[i].Latencies(); err != nil {
			return err
		}
	}
	rows := results.Compare(a, b, lats[0], lats[1])
	writeComparison(stdout, a, b, rows)
	if *csvFile != "" {
		if err := writeComparisonCSV(*csvFile, rows); err != nil {
			return err
		}
	}
	var worse []string
	for _, g := range gs {
		if line, bad := checkGate(g, rows, a, b); bad {
			worse = append(worse, line)
		}
	}
	for _, w := range worse {
		fmt.Fprintln(stderr, "REGRESSION", w)
	}
	if len(worse) > 0 {
		return regressionError(fmt.Sprintf("%d of %d --fail-if-worse limits exceeded", len(worse), len(gs)))
	}
	return nil
}

// splitPointArg splits "DIR[:SEL]" into the directory and the point
// selection; an existing directory whose name has a colon is taken whole.
func splitPointArg(arg string) (string, string, error) {
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
		return arg, "", checkOutputDir(arg)
	}
	dir, sel := arg, ""
	if i := strings.LastIndex(arg, ":"); i > 0 {
		dir, sel = arg[:i], arg[i+1:]
	}
	return dir, sel, checkOutputDir(dir)
}

func checkOutputDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, results.RunsFile)); err != nil {
		return usageErrorf("byzsim compare: %s has no %s; give a directory byzsim run wrote (out/<experiment>), optionally with :N or :key=value,... to name a sweep point", dir, results.RunsFile)
	}
	return nil
}

func sameDirs(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// parseGates parses the --fail-if-worse values.
func parseGates(vals []string) ([]gate, error) {
	var out []gate
	for _, v := range vals {
		m, p, ok := strings.Cut(v, "=")
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(p), "%"), 64)
		if !ok || err != nil || pct < 0 || math.IsInf(pct, 0) || math.IsNaN(pct) {
			return nil, usageErrorf("byzsim compare: --fail-if-worse %q: want METRIC=PCT with a percentage >= 0, e.g. latency_p50_ms=10", v)
		}
		if !slices.Contains(results.GateMetrics(), m) {
			return nil, usageErrorf("byzsim compare: --fail-if-worse %q: unknown metric %q (allowed: %s)", v, m, strings.Join(results.GateMetrics(), ", "))
		}
		out = append(out, gate{m, pct})
	}
	return out, nil
}

// checkGate returns the line that reports g's metric as worse in B than in
// A by more than g.pct percent, and whether it is.
func checkGate(g gate, rows []results.Comparison, a, b *results.Side) (string, bool) {
	lower, _ := results.LowerIsBetter(g.metric)
	for _, c := range rows {
		if c.Metric != g.metric || (c.Metric == results.LatencyMetric && c.Test != "Mann-Whitney U") {
			continue
		}
		ma, mb := float64(c.A.Mean), float64(c.B.Mean)
		what := "mean"
		if c.Metric == results.LatencyMetric {
			what = "median request latency"
		}
		switch {
		case math.IsNaN(ma):
			return fmt.Sprintf("%s: no value in A (%s), nothing to compare B with", g.metric, a.Label), true
		case math.IsNaN(mb):
			return fmt.Sprintf("%s: no value in B (%s): no run that passed defines it", g.metric, b.Label), true
		}
		worse := mb - ma
		if !lower {
			worse = -worse
		}
		pct := math.Inf(1)
		if ma != 0 {
			pct = 100 * worse / math.Abs(ma)
		} else if worse <= 0 {
			pct = 0
		}
		if worse > 0 && pct > g.pct {
			p := "p = " + fmtP(c.P)
			if strings.HasPrefix(fmtP(c.P), "<") {
				p = "p < " + strings.TrimPrefix(fmtP(c.P), "<")
			}
			dir := "higher"
			if !lower {
				dir = "lower"
			}
			return fmt.Sprintf("%s: %s %s in A → %s in B, %s by %s%% (limit %s%%; %s, %s)", g.metric, what,
				fmtNum(ma), fmtNum(mb), dir, fmtPct(pct), strconv.FormatFloat(g.pct, 'g', -1, 64), c.Test, p), true
		}
		return "", false
	}
	return "", false
}

// writeComparison prints the comparison table.
func writeComparison(w io.Writer, a, b *results.Side, rows []results.Comparison) {
	for i, s := range []*results.Side{a, b} {
		fmt.Fprintf(w, "%c: %s: %s; %d runs, %d passed their checks (the others are excluded)\n",
			'A'+i, s.Dir, s.Describe(), s.Point.Runs, s.Point.Passed)
	}
	if results.Paired(a, b) {
		fmt.Fprintln(w, "The runs of A and B have the same seeds: paired by seed, paired t-tests on the differences.")
	} else {
		fmt.Fprintln(w, "The seeds of A and B differ: Welch's t-tests (unequal variances).")
	}
	fmt.Fprintln(w, "Per-run metrics: mean ± 95% CI over the passed runs; B − A with its 95% CI. latency_ms: median of every request of the passed runs, pooled.")
	fmt.Fprintln(w)
	header := []string{"metric", "A", "B", "B − A", "change", "test", "statistic", "p"}
	var cells [][]string
	for _, c := range rows {
		var ca, cb, diff, stat string
		if c.Metric == results.LatencyMetric {
			ca = fmt.Sprintf("%s (n=%d)", fmtNum(float64(c.A.Mean)), c.A.N)
			cb = fmt.Sprintf("%s (n=%d)", fmtNum(float64(c.B.Mean)), c.B.N)
			diff = signed(c.Diff)
			if c.Test == "Mann-Whitney U" {
				stat = "U=" + fmtNum(c.Stat)
			} else {
				stat = "D=" + fmtNum(c.Stat)
			}
		} else {
			ca, cb = results.FormatMeanCI(c.A), results.FormatMeanCI(c.B)
			diff = signed(c.Diff)
			if !math.IsNaN(c.DiffCI95) && !math.IsNaN(c.Diff) {
				diff += " ± " + fmtNum(c.DiffCI95)
			}
			stat = "–"
			if !math.IsNaN(c.Stat) {
				stat = fmt.Sprintf("t=%s, df=%s", fmtNum(c.Stat), strconv.FormatFloat(c.DF, 'g', 3, 64))
			}
		}
		cells = append(cells, []string{c.Metric, ca, cb, diff, fmtChange(c.ChangePct), c.Test, stat, fmtP(c.P)})
	}
	writeTextTable(w, header, cells)
}

// writeTextTable writes rows in aligned columns, the first left-aligned.
func writeTextTable(w io.Writer, header []string, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range append([][]string{header}, rows...) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i == 0 || i == 5 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// writeComparisonCSV writes the comparison with full precision.
func writeComparisonCSV(path string, rows []results.Comparison) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	f := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	}
	_ = cw.Write([]string{"metric", "test", "a_n", "a_mean", "a_ci95", "b_n", "b_mean", "b_ci95", "diff", "diff_ci95", "change_pct", "statistic", "df", "p"})
	for _, c := range rows {
		_ = cw.Write([]string{c.Metric, c.Test, strconv.Itoa(c.A.N), f(float64(c.A.Mean)), f(float64(c.A.CI95)),
			strconv.Itoa(c.B.N), f(float64(c.B.Mean)), f(float64(c.B.CI95)), f(c.Diff), f(c.DiffCI95), f(c.ChangePct), f(c.Stat), f(c.DF), f(c.P)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("byzsim compare: --csv: %w", err)
	}
	return nil
}

// fmtNum writes x with three significant digits ("–" when undefined).
func fmtNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', results.SignificantDecimals(x, 3), 64)
}

func signed(x float64) string {
	s := fmtNum(x)
	if x > 0 && s != "–" {
		return "+" + s
	}
	return s
}

func fmtPct(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return fmtNum(x)
}

func fmtChange(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return signed(x) + "%"
}

// fmtP writes a p-value with two significant digits, "<0.0001" below.
func fmtP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 1e-4:
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}
