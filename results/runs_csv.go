package results

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/byzsim/byzsim/sim"
)

// RunsTable is runs.csv: one row per run of an experiment.
type RunsTable struct {
	// Params names the swept parameters, in column order.
	Params []string
	// Metrics names the protocol-declared metrics (see Metric), in column
	// order after the fixed columns.
	Metrics []string
	Rows    []RunRow
}

// RunRow is one run's headline figures, one row of runs.csv.
type RunRow struct {
	ID string
	// Params are the values of RunsTable.Params, in the same order.
	Params            []string
	Seed              uint64
	Verdict           string
	RequestsCompleted int
	LatencyMS         LatencyStats
	ThroughputRPS     float64
	Messages, Bytes   uint64
	// RoundChanges, TimeoutRoundChanges, ViewChanges and Timeouts are the
	// counts of Summary.
	RoundChanges, TimeoutRoundChanges, ViewChanges, Timeouts int
	// Convergence is nil when the run did not converge or it was not
	// measured (an empty field in the file).
	Convergence *sim.Time
	Events      uint64
	Virtual     sim.Time
	// Converged is nil when convergence was not measured (an empty field),
	// else whether the run converged.
	Converged *bool
	// TransientFaults counts the transient fault occurrences.
	TransientFaults int
	// SafetyViolations and TransientSafetyViolations count safety
	// violations: all, and those after the first transient fault.
	SafetyViolations, TransientSafetyViolations int
	// Metrics are the values of RunsTable.Metrics as written (Metric.Text:
	// empty when undefined), in the same order.
	Metrics []string
}

// runsLeading is the fixed column of runs.csv before the parameter columns.
func runsLeading() []string { return []string{"run"} }

// runsColumn is one fixed column of runs.csv after the parameters: its
// name, how a row writes it and how it reads it back.
type runsColumn struct {
	name  string
	write func(r *RunRow) string
	read  func(p *fieldParser, col int, r *RunRow)
}

// runsColumns are the fixed columns of runs.csv after the parameter
// columns, in file order.
func runsColumns() []runsColumn {
	optTime := func(p *fieldParser, col int) *sim.Time {
		if p.str(col) == "" {
			return nil
		}
		t := sim.Time(p.scaled(col, secondDecimals))
		return &t
	}
	latency := func(name string, f func(l *LatencyStats) *Float) runsColumn {
		return runsColumn{name,
			func(r *RunRow) string { return formatFloat(float64(*f(&r.LatencyMS))) },
			func(p *fieldParser, col int, r *RunRow) { *f(&r.LatencyMS) = Float(p.float(col)) }}
	}
	count := func(name string, f func(r *RunRow) *int) runsColumn {
		return runsColumn{name,
			func(r *RunRow) string { return fmtInt(int64(*f(r))) },
			func(p *fieldParser, col int, r *RunRow) { *f(r) = int(p.int(col)) }}
	}
	return []runsColumn{
		{"seed", func(r *RunRow) string { return fmtUint(r.Seed) }, func(p *fieldParser, col int, r *RunRow) { r.Seed = p.uint(col) }},
		{"verdict", func(r *RunRow) string { return r.Verdict }, func(p *fieldParser, col int, r *RunRow) { r.Verdict = p.str(col) }},
		count("requests_completed", func(r *RunRow) *int { return &r.RequestsCompleted }),
		latency("latency_p50_ms", func(l *LatencyStats) *Float { return &l.P50 }),
		latency("latency_p90_ms", func(l *LatencyStats) *Float { return &l.P90 }),
		latency("latency_p99_ms", func(l *LatencyStats) *Float { return &l.P99 }),
		latency("latency_max_ms", func(l *LatencyStats) *Float { return &l.Max }),
		latency("latency_mean_ms", func(l *LatencyStats) *Float { return &l.Mean }),
		{"throughput_rps", func(r *RunRow) string { return formatFloat(r.ThroughputRPS) }, func(p *fieldParser, col int, r *RunRow) { r.ThroughputRPS = p.float(col) }},
		{"messages", func(r *RunRow) string { return fmtUint(r.Messages) }, func(p *fieldParser, col int, r *RunRow) { r.Messages = p.uint(col) }},
		{"bytes", func(r *RunRow) string { return fmtUint(r.Bytes) }, func(p *fieldParser, col int, r *RunRow) { r.Bytes = p.uint(col) }},
		count("round_changes", func(r *RunRow) *int { return &r.RoundChanges }),
		count("timeout_round_changes", func(r *RunRow) *int { return &r.TimeoutRoundChanges }),
		count("view_changes", func(r *RunRow) *int { return &r.ViewChanges }),
		count("timeouts", func(r *RunRow) *int { return &r.Timeouts }),
		{"convergence_s", func(r *RunRow) string { return formatOptSeconds(r.Convergence) }, func(p *fieldParser, col int, r *RunRow) { r.Convergence = optTime(p, col) }},
		{"events", func(r *RunRow) string { return fmtUint(r.Events) }, func(p *fieldParser, col int, r *RunRow) { r.Events = p.uint(col) }},
		{"virtual_s", func(r *RunRow) string { return formatSeconds(r.Virtual) }, func(p *fieldParser, col int, r *RunRow) { r.Virtual = sim.Time(p.scaled(col, secondDecimals)) }},
		{"converged", func(r *RunRow) string { return formatOptBool(r.Converged) }, func(p *fieldParser, col int, r *RunRow) { r.Converged = p.optBool(col) }},
		count("transient_faults", func(r *RunRow) *int { return &r.TransientFaults }),
		count("safety_violations", func(r *RunRow) *int { return &r.SafetyViolations }),
		count("transient_safety_violations", func(r *RunRow) *int { return &r.TransientSafetyViolations }),
	}
}

// runsTrailing returns the names of runsColumns.
func runsTrailing() []string {
	cols := runsColumns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

// RowOf returns the runs.csv row of a summary, taking the values of the
// named parameters from s.Parameters and those of the named metrics from
// s.Metrics (empty for a parameter or metric it lacks).
func RowOf(s Summary, params, metrics []string) RunRow {
	vals := make([]string, len(params))
	for i, name := range params {
		for _, p := range s.Parameters {
			if p.Name == name {
				vals[i] = p.Value
			}
		}
	}
	row := RunRow{
		ID:                  s.RunID,
		Params:              vals,
		Seed:                s.Seed,
		Verdict:             s.Verdict,
		RequestsCompleted:   s.RequestsCompleted,
		LatencyMS:           s.LatencyMS,
		ThroughputRPS:       float64(s.ThroughputRPS),
		Messages:            s.Messages,
		Bytes:               s.Bytes,
		RoundChanges:        s.RoundChanges,
		TimeoutRoundChanges: s.TimeoutRoundChanges,
		ViewChanges:         s.ViewChanges,
		Timeouts:            s.Timeouts,
		Events:              s.Events,
		Virtual:             s.VirtualSeconds.Time(),
	}
	if s.ConvergenceS != nil {
		c := s.ConvergenceS.Time()
		row.Convergence = &c
	}
	row.Converged = s.Converged
	if s.Transient != nil {
		row.TransientFaults = s.Transient.Occurrences
	}
	row.SafetyViolations, row.TransientSafetyViolations = s.SafetyViolations, s.TransientSafetyViolations
	row.Metrics = make([]string, len(metrics))
	for i, name := range metrics {
		for _, m := range s.Metrics {
			if m.Name == name {
				row.Metrics[i] = m.Text()
			}
		}
	}
	return row
}

// MetricNames returns the names of a summary's metrics, in its order.
func MetricNames(s Summary) []string {
	names := make([]string, len(s.Metrics))
	for i, m := range s.Metrics {
		names[i] = m.Name
	}
	return names
}

// Metric returns the column of the named metric in t.Metrics (and in each
// row's Metrics); -1 when t has none.
func (t RunsTable) Metric(name string) int { return slices.Index(t.Metrics, name) }

// MetricFloat returns the value of the metric in column i of r.Metrics;
// false when it is undefined or not a number.
func (r RunRow) MetricFloat(i int) (float64, bool) {
	if i < 0 || i >= len(r.Metrics) || r.Metrics[i] == "" {
		return 0, false
	}
	v, err := parseFloat(r.Metrics[i])
	return v, err == nil
}

func (t RunsTable) header() ([]string, error) {
	fixed := append(runsLeading(), runsTrailing()...)
	for i, p := range t.Params {
		if p == "" || slices.Contains(fixed, p) || slices.Contains(t.Params[:i], p) {
			return nil, fmt.Errorf("results: runs.csv: parameter name %q is empty, reserved or repeated", p)
		}
	}
	for i, m := range t.Metrics {
		if m == "" || slices.Contains(fixed, m) || slices.Contains(t.Params, m) || slices.Contains(t.Metrics[:i], m) {
			return nil, fmt.Errorf("results: runs.csv: metric name %q is empty, reserved or repeated", m)
		}
	}
	h := append(runsLeading(), t.Params...)
	return append(append(h, runsTrailing()...), t.Metrics...), nil
}

// WriteRunsCSV writes runs.csv atomically, the rows in the order given
// (the caller gives them in a deterministic order, e.g. run order).
func WriteRunsCSV(path string, t RunsTable) error {
	header, rows, err := runsCSV(path, t)
	if err != nil {
		return err
	}
	return writeCSV(path, header, rows)
}

// encodeRunsCSV writes t as runs.csv to w, path naming the file in errors.
func encodeRunsCSV(w io.Writer, path string, t RunsTable) error {
	header, rows, err := runsCSV(path, t)
	if err != nil {
		return err
	}
	return encodeCSV(w, header, rows)
}

// runsCSV checks t and returns the header and the rows of its runs.csv.
func runsCSV(path string, t RunsTable) (header []string, rows func(emit func(...string) error) error, err error) {
	header, err = t.header()
	if err != nil {
		return nil, nil, err
	}
	for _, r := range t.Rows {
		if len(r.Params) != len(t.Params) {
			return nil, nil, fmt.Errorf("results: %s: run %s has %d parameter values, want %d", path, r.ID, len(r.Params), len(t.Params))
		}
		if len(r.Metrics) != len(t.Metrics) {
			return nil, nil, fmt.Errorf("results: %s: run %s has %d metric values, want %d", path, r.ID, len(r.Metrics), len(t.Metrics))
		}
	}
	cols := runsColumns()
	return header, func(emit func(...string) error) error {
		for i := range t.Rows {
			r := &t.Rows[i]
			rec := append([]string{r.ID}, r.Params...)
			for _, c := range cols {
				rec = append(rec, c.write(r))
			}
			rec = append(rec, r.Metrics...)
			if err := emit(rec...); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// ReadRunsCSV reads a runs.csv, finding its columns by their names in the
// header: "run" and the fixed columns (seed, verdict, the headline
// metrics, ...) wherever they are; the other columns are the swept
// parameters when they come before the first fixed column, and metrics
// (protocol-declared, or added by another tool) after it. A missing fixed
// column or a repeated name is an error naming it.
func ReadRunsCSV(path string) (RunsTable, error) {
	c, err := readCSV(path)
	if err != nil {
		return RunsTable{}, err
	}
	return runsTableOf(c)
}

// parseRunsCSV is ReadRunsCSV of a runs.csv's content, data; path names
// it in errors.
func parseRunsCSV(path string, data []byte) (RunsTable, error) {
	c, err := parseCSV(path, bytes.NewReader(data))
	if err != nil {
		return RunsTable{}, err
	}
	return runsTableOf(c)
}

// runsTableOf is ReadRunsCSV of the runs.csv c.
func runsTableOf(c *csvFile) (RunsTable, error) {
	var t RunsTable
	path := c.path
	cols := runsColumns()
	h := c.header
	for i, name := range h {
		if slices.Contains(h[:i], name) {
			return t, fmt.Errorf("results: %s:1: runs.csv has two columns %q", path, name)
		}
	}
	lead := runsLeading()[0]
	idCol := slices.Index(h, lead)
	if idCol < 0 {
		return t, fmt.Errorf("results: %s:1: runs.csv has no column %q (a runs.csv header has %s, the parameters, %s, ...)", path, lead, lead, cols[0].name)
	}
	at := make([]int, len(cols)) // column of each fixed column
	firstFixed := len(h)
	for i, col := range cols {
		j := slices.Index(h, col.name)
		if j < 0 {
			return t, fmt.Errorf("results: %s:1: runs.csv has no column %q", path, col.name)
		}
		at[i], firstFixed = j, min(firstFixed, j)
	}
	var params, metrics []int
	for j, name := range h {
		if j == idCol || slices.Contains(at, j) {
			continue
		}
		if j < firstFixed {
			params, t.Params = append(params, j), append(t.Params, name)
		} else {
			metrics, t.Metrics = append(metrics, j), append(t.Metrics, name)
		}
	}
	pick := func(rec []string, cols []int) []string {
		if len(cols) == 0 {
			return nil
		}
		out := make([]string, len(cols))
		for k, j := range cols {
			out[k] = rec[j]
		}
		return out
	}
	t.Rows = make([]RunRow, len(c.rows))
	for i, rec := range c.rows {
		p := c.parser(i)
		r := RunRow{ID: p.str(idCol), Params: pick(rec, params), Metrics: pick(rec, metrics)}
		for k, col := range cols {
			col.read(p, at[k], &r)
		}
		if p.err != nil {
			return t, p.err
		}
		t.Rows[i] = r
	}
	return t, nil
}

// formatOptBool writes nil as an empty field, else true or false.
func formatOptBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// formatOptSeconds writes nil as an empty field, else seconds.
func formatOptSeconds(t *sim.Time) string {
	if t == nil {
		return ""
	}
	return formatSeconds(*t)
}

// optBool parses an empty field as nil, else true or false.
func (p *fieldParser) optBool(col int) *bool {
	s := p.str(col)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.fail(col, err)
		return nil
	}
	return &b
}
