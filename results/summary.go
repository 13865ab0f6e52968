package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/byzsim/byzsim/sim"
)

// Verdicts of a run.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Summary is a run's summary.json. Every value follows from (experiment,
// seed); wall-clock figures live in Perf. Fields are written in declaration
// order; lists are never null.
type Summary struct {
	RunID      string `json:"run_id"`
	Experiment string `json:"experiment"`
	Seed       uint64 `json:"seed"`
	// Parameters are the run's parameters (e.g. the swept ones), in the
	// order the experiment gives them.
	Parameters []Param `json:"parameters"`
	// Verdict is VerdictPass when every check passed, else VerdictFail.
	Verdict string  `json:"verdict"`
	Checks  []Check `json:"checks"`
	// Ended says why the run stopped: "duration reached", "idle" (no event
	// left), "workloads finished" (every request completed), "workloads
	// stalled" or "workloads timed out" (a workload's timeout passed; see
	// the liveness check), "converged", or a [stop] condition.
	Ended string `json:"ended"`

	RequestsCompleted int          `json:"requests_completed"`
	LatencyMS         LatencyStats `json:"latency_ms"`
	// ThroughputRPS is completed requests per virtual second between the
	// first send and the last completion (see Latency.OverallThroughput).
	ThroughputRPS Float            `json:"throughput_rps"`
	Workloads     []WorkloadResult `json:"workloads"`

	// Messages, Delivered, Dropped and Bytes are totals over all kinds;
	// Bytes counts bytes sent.
	Messages  uint64      `json:"messages"`
	Delivered uint64      `json:"delivered"`
	Dropped   uint64      `json:"dropped"`
	Bytes     uint64      `json:"bytes"`
	ByKind    []KindCount `json:"by_kind"`
	Drops     []DropCount `json:"drops"`

	// Commits counts the Commit observations of every replica: a block
	// or log entry committed at one replica counts once
	// per replica.
	Commits int `json:"commits"`
	// RoundChanges counts, over every replica (correct or not), the entries
	// into a new round (by a QC or a TC) or the establishments of a view
	// (the first one included); TimeoutRoundChanges counts those caused by
	// a timeout certificate, the rest being normal progress.
	RoundChanges        int `json:"round_changes"`
	TimeoutRoundChanges int `json:"timeout_round_changes"`
	// ViewChanges counts, over every replica, the establishments of a view
	// other than the last view the replica had established (the first
	// establishment is not a change); 0 for a protocol without views.
	ViewChanges int `json:"view_changes"`
	// Timeouts counts, over every replica, the local timeouts of the
	// current round (each round-timer expiry, the timer re-arming until the
	// round ends, and each Bracha timeout); 0 for a protocol without round
	// timers.
	Timeouts int `json:"timeouts"`
	// ConvergenceS is the convergence time after the last transient fault;
	// null when the run did not converge or convergence was not measured.
	ConvergenceS *Seconds `json:"convergence_s"`
	// Converged says whether the run converged after its transient faults:
	// null when convergence was not measured, false when the run ended
	// before converging (censored: ConvergenceS is null, never a number).
	Converged *bool `json:"converged"`
	// Transient counts the transient faults applied; null without any.
	Transient *TransientSummary `json:"transient"`
	// SafetyViolations counts the safety violations found (the check's
	// detail lists at most ten); TransientSafetyViolations those found at
	// or after the first transient fault, caused by the corruption.
	SafetyViolations          int `json:"safety_violations"`
	TransientSafetyViolations int `json:"transient_safety_violations"`
	// Metrics are the protocol-declared metrics (protocols.MetricSpec), in
	// declaration order; summary.json writes each as a member of its own,
	// named after the metric, here.
	Metrics []Metric `json:"-"`

	Events         uint64  `json:"events"`
	VirtualSeconds Seconds `json:"virtual_seconds"`
	// Markers label points and spans of the run, e.g. crashes and
	// partitions, and the spans in which each fault rule acted; sorted by
	// time.
	Markers []Marker `json:"markers"`
	// Faults counts, per fault rule in experiment order, the messages it
	// matched and acted on.
	Faults []FaultCount `json:"faults"`
}

// Param is one named parameter value of a run, as written in the experiment.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Check is the outcome of one checker (safety, liveness, convergence, ...).
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// WorkloadResult is the outcome of one workload.
type WorkloadResult struct {
	Name              string       `json:"name"`
	RequestsCompleted int          `json:"requests_completed"`
	LatencyMS         LatencyStats `json:"latency_ms"`
	ThroughputRPS     Float        `json:"throughput_rps"`
}

// Verdict returns VerdictPass if every check passed (or there are none),
// else VerdictFail.
func Verdict(checks []Check) string {
	for _, c := range checks {
		if !c.OK {
			return VerdictFail
		}
	}
	return VerdictPass
}

// RunInput is what a run hands over to be summarized. Nil recorders count
// as empty.
type RunInput struct {
	RunID      string
	Experiment string
	Seed       uint64
	Parameters []Param
	Checks     []Check
	// Ended is the World's reason for stopping.
	Ended string
	// Stats are the World's counters at the end of the run.
	Stats sim.Stats
	// End is the virtual time the run ended.
	End      sim.Time
	Latency  *Latency
	Messages *Messages
	Timeline *Timeline
	// Commits, RoundChanges, TimeoutRoundChanges, ViewChanges and Timeouts
	// are counted by the run (see Summary).
	Commits, RoundChanges, TimeoutRoundChanges, ViewChanges, Timeouts int
	// Convergence is the convergence time; nil if not converged or not
	// measured.
	Convergence *sim.Time
	// Faults are the fault rules' counters, in experiment order.
	Faults []FaultCount
	// Converged is nil when convergence was not measured.
	Converged *bool
	// Transient is nil without transient faults.
	Transient *TransientSummary
	// SafetyViolations and TransientSafetyViolations count safety
	// violations: all of them, and those after the first transient fault.
	SafetyViolations, TransientSafetyViolations int
	// Metrics are the protocol-declared metrics.
	Metrics []Metric
	// Replicas is the per-replica log written as replicas.csv; nil writes
	// none.
	Replicas *ReplicaLog
}

// TransientSummary is what the transient faults of a run did.
type TransientSummary struct {
	// Occurrences of transient faults applied.
	Occurrences int `json:"occurrences"`
	// Replicas counts replica corruptions (one per replica per occurrence).
	Replicas int `json:"replicas"`
	// Messages counts the messages in transit changed.
	Messages int `json:"messages"`
	// FirstS and LastS are the times of the first and last occurrences.
	FirstS Seconds `json:"first_s"`
	LastS  Seconds `json:"last_s"`
}

// FaultCount is what one fault rule did in a run: the messages it matched,
// the times it acted (see failures.RuleStats), and when it first and last
// acted (null if never).
type FaultCount struct {
	Rule        string   `json:"rule"`
	Matched     uint64   `json:"matched"`
	Fired       uint64   `json:"fired"`
	FirstFiredS *Seconds `json:"first_fired_s"`
	LastFiredS  *Seconds `json:"last_fired_s"`
}

// Summarize builds the Summary of a run.
func Summarize(in RunInput) Summary {
	lat := in.Latency
	if lat == nil {
		lat = NewLatency()
	}
	msgs := in.Messages
	if msgs == nil {
		msgs = &Messages{}
	}
	s := Summary{
		RunID:               in.RunID,
		Experiment:          in.Experiment,
		Seed:                in.Seed,
		Parameters:          in.Parameters,
		Verdict:             Verdict(in.Checks),
		Checks:              in.Checks,
		Ended:               in.Ended,
		RequestsCompleted:   lat.Total(),
		LatencyMS:           lat.Overall(),
		ThroughputRPS:       Float(lat.OverallThroughput()),
		Workloads:           lat.WorkloadResults(),
		ByKind:              msgs.Kinds(),
		Drops:               msgs.Drops(),
		Commits:             in.Commits,
		RoundChanges:        in.RoundChanges,
		TimeoutRoundChanges: in.TimeoutRoundChanges,
		ViewChanges:         in.ViewChanges,
		Timeouts:            in.Timeouts,
		Events:              in.Stats.Events,
		VirtualSeconds:      Seconds(in.End),
		Faults:              in.Faults,
	}
	s.Messages, s.Delivered, s.Dropped, s.Bytes = msgs.Totals()
	if in.Messages == nil {
		s.Messages, s.Delivered, s.Dropped = in.Stats.Sent, in.Stats.Delivered, in.Stats.Dropped
	}
	if in.Convergence != nil {
		c := Seconds(*in.Convergence)
		s.ConvergenceS = &c
	}
	if in.Timeline != nil {
		s.Markers = in.Timeline.Markers()
	}
	s.Converged, s.Transient = in.Converged, in.Transient
	s.SafetyViolations, s.TransientSafetyViolations = in.SafetyViolations, in.TransientSafetyViolations
	s.Metrics = in.Metrics
	return s
}

// nonNil returns s, or an empty slice if s is nil, so JSON lists are [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// marshalJSON encodes v without HTML escaping, with two-space indentation
// and a trailing newline if indent is set, else compact without newline.
func marshalJSON(v any, indent bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if !indent {
		return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
	}
	return b.Bytes(), nil
}

// MarshalJSON implements json.Marshaler: the fields in declaration order,
// nil lists as [].
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary // no methods: no recursion
	p := plain(s)
	p.Parameters = nonNil(p.Parameters)
	p.Checks = nonNil(p.Checks)
	p.Workloads = nonNil(p.Workloads)
	p.ByKind = nonNil(p.ByKind)
	p.Drops = nonNil(p.Drops)
	p.Markers = nonNil(p.Markers)
	p.Faults = nonNil(p.Faults)
	b, err := marshalJSON(p, false)
	if err != nil || len(s.Metrics) == 0 {
		return b, err
	}
	// The metrics go before the members of summaryTail.
	tail, err := marshalJSON(summaryTail{p.Events, p.VirtualSeconds, p.Markers, p.Faults}, false)
	if err != nil {
		return nil, err
	}
	at := len(b) - (len(tail) - 1)
	if at < 1 || !bytes.Equal(b[at:], tail[1:]) || b[at-1] != ',' {
		return nil, fmt.Errorf("results: summary JSON does not end with %s", tail)
	}
	ms, err := metricsJSON(s.Metrics)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	out := make([]byte, 0, len(b)+len(ms))
	out = append(append(out, b[:at-1]...), ms...)
	return append(append(out, ','), b[at:]...), nil
}

// summaryTail are the last members of a summary.json, after the metrics.
type summaryTail struct {
	Events         uint64       `json:"events"`
	VirtualSeconds Seconds      `json:"virtual_seconds"`
	Markers        []Marker     `json:"markers"`
	Faults         []FaultCount `json:"faults"`
}

// UnmarshalJSON implements json.Unmarshaler: the members that are not
// fields of Summary are its metrics.
func (s *Summary) UnmarshalJSON(b []byte) error {
	type plain Summary // no methods: no recursion
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	ms, err := readMetricsJSON(b)
	if err != nil {
		return err
	}
	*s = Summary(p)
	s.Metrics = ms
	return nil
}

// WriteSummary writes s to path as indented JSON, atomically.
func WriteSummary(path string, s Summary) error {
	_, err := writeSummary(nil, path, s)
	return err
}

// writeSummary is WriteSummary into the batch b (on its own if b is nil);
// it returns the JSON written.
func writeSummary(b *Batch, path string, s Summary) ([]byte, error) {
	data, err := marshalJSON(s, true)
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	return data, b.putFile(path, data)
}

// ReadSummary reads a summary.json.
func ReadSummary(path string) (Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Summary{}, err
	}
	return parseSummary(path, b)
}

// parseSummary parses the content of the summary.json at path.
func parseSummary(path string, data []byte) (Summary, error) {
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("results: %s: %w", path, err)
	}
	return s, nil
}
