package results

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/byzsim/byzsim/sim"
)

// RunsTable is runs.csv: one row per run of an experiment.
type RunsTable struct {
	// Params names the swept parameters, in column order.
	Params []string
	Rows   []RunRow
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
	ViewChanges       int
	Timeouts          int
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
	// ViewChange is BFTList's view-change convergence time; nil when
	// undefined.
	ViewChange *sim.Time
}

// runsLeading and runsTrailing are the fixed columns of runs.csv before and
// after the parameter columns.
func runsLeading() []string { return []string{"run"} }

func runsTrailing() []string {
	return []string{"seed", "verdict", "requests_completed",
		"latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms", "latency_mean_ms",
		"throughput_rps", "messages", "bytes", "view_changes", "timeouts", "convergence_s",
		"events", "virtual_s",
		"converged", "transient_faults", "safety_violations", "transient_safety_violations", "view_change_s"}
}

// RowOf returns the runs.csv row of a summary, taking the values of the
// named parameters from s.Parameters (empty for a parameter it lacks).
func RowOf(s Summary, params []string) RunRow {
	vals := make([]string, len(params))
	for i, name := range params {
		for _, p := range s.Parameters {
			if p.Name == name {
				vals[i] = p.Value
			}
		}
	}
	row := RunRow{
		ID:                s.RunID,
		Params:            vals,
		Seed:              s.Seed,
		Verdict:           s.Verdict,
		RequestsCompleted: s.RequestsCompleted,
		LatencyMS:         s.LatencyMS,
		ThroughputRPS:     float64(s.ThroughputRPS),
		Messages:          s.Messages,
		Bytes:             s.Bytes,
		ViewChanges:       s.ViewChanges,
		Timeouts:          s.Timeouts,
		Events:            s.Events,
		Virtual:           s.VirtualSeconds.Time(),
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
	if s.ViewChangeS != nil {
		v := s.ViewChangeS.Time()
		row.ViewChange = &v
	}
	return row
}

func (t RunsTable) header() ([]string, error) {
	fixed := append(runsLeading(), runsTrailing()...)
	for i, p := range t.Params {
		if p == "" || slices.Contains(fixed, p) || slices.Contains(t.Params[:i], p) {
			return nil, fmt.Errorf("results: runs.csv: parameter name %q is empty, reserved or repeated", p)
		}
	}
	h := append(runsLeading(), t.Params...)
	return append(h, runsTrailing()...), nil
}

// WriteRunsCSV writes runs.csv atomically, the rows in the order given
// (the caller gives them in a deterministic order, e.g. run order).
func WriteRunsCSV(path string, t RunsTable) error {
	header, err := t.header()
	if err != nil {
		return err
	}
	for _, r := range t.Rows {
		if len(r.Params) != len(t.Params) {
			return fmt.Errorf("results: %s: run %s has %d parameter values, want %d", path, r.ID, len(r.Params), len(t.Params))
		}
	}
	return writeCSV(path, header, func(emit func(...string) error) error {
		for _, r := range t.Rows {
			conv := ""
			if r.Convergence != nil {
				conv = formatSeconds(*r.Convergence)
			}
			rec := append([]string{r.ID}, r.Params...)
			rec = append(rec, fmtUint(r.Seed), r.Verdict, fmtInt(int64(r.RequestsCompleted)),
				formatFloat(float64(r.LatencyMS.P50)), formatFloat(float64(r.LatencyMS.P90)),
				formatFloat(float64(r.LatencyMS.P99)), formatFloat(float64(r.LatencyMS.Max)),
				formatFloat(float64(r.LatencyMS.Mean)), formatFloat(r.ThroughputRPS),
				fmtUint(r.Messages), fmtUint(r.Bytes), fmtInt(int64(r.ViewChanges)),
				fmtInt(int64(r.Timeouts)), conv, fmtUint(r.Events), formatSeconds(r.Virtual),
				formatOptBool(r.Converged), fmtInt(int64(r.TransientFaults)), fmtInt(int64(r.SafetyViolations)),
				fmtInt(int64(r.TransientSafetyViolations)), formatOptSeconds(r.ViewChange))
			if err := emit(rec...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadRunsCSV reads a runs.csv written by WriteRunsCSV; the parameter
// columns are those between "run" and "seed".
func ReadRunsCSV(path string) (RunsTable, error) {
	var t RunsTable
	c, err := readCSV(path)
	if err != nil {
		return t, err
	}
	lead, trail := runsLeading(), runsTrailing()
	h := c.header
	np := len(h) - len(lead) - len(trail)
	if np < 0 || !slices.Equal(h[:len(lead)], lead) || !slices.Equal(h[len(lead)+np:], trail) {
		return t, fmt.Errorf("results: %s:1: not a runs.csv header (want run, parameters..., %s)", path, trail[0])
	}
	t.Params = slices.Clone(h[len(lead) : len(lead)+np])
	t.Rows = make([]RunRow, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
		k := len(lead) + np // first trailing column
		r := RunRow{
			ID:                p.str(0),
			Params:            slices.Clone(c.rows[i][len(lead):k]),
			Seed:              p.uint(k),
			Verdict:           p.str(k + 1),
			RequestsCompleted: int(p.int(k + 2)),
			LatencyMS: LatencyStats{
				P50:  Float(p.float(k + 3)),
				P90:  Float(p.float(k + 4)),
				P99:  Float(p.float(k + 5)),
				Max:  Float(p.float(k + 6)),
				Mean: Float(p.float(k + 7)),
			},
			ThroughputRPS: p.float(k + 8),
			Messages:      p.uint(k + 9),
			Bytes:         p.uint(k + 10),
			ViewChanges:   int(p.int(k + 11)),
			Timeouts:      int(p.int(k + 12)),
			Events:        p.uint(k + 14),
			Virtual:       sim.Time(p.scaled(k+15, secondDecimals)),
		}
		if s := p.str(k + 13); s != "" {
			c := sim.Time(p.scaled(k+13, secondDecimals))
			r.Convergence = &c
		}
		r.Converged = p.optBool(k + 16)
		r.TransientFaults = int(p.int(k + 17))
		r.SafetyViolations = int(p.int(k + 18))
		r.TransientSafetyViolations = int(p.int(k + 19))
		if s := p.str(k + 20); s != "" {
			v := sim.Time(p.scaled(k+20, secondDecimals))
			r.ViewChange = &v
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
