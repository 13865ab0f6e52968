package protocols

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// Unit is the unit of a protocol-declared metric's values.
type Unit uint8

// Units of a MetricSpec.
const (
	// UnitSeconds is a duration of virtual time: a MetricValue holds
	// nanoseconds (a sim.Time), written as seconds with 9 decimals.
	UnitSeconds Unit = iota + 1
	// UnitCount is a count, written as an integer.
	UnitCount
)

var unitNames = [...]string{UnitSeconds: "s", UnitCount: "count"}

// String returns the unit as byzsim list shows it: s or count.
func (u Unit) String() string {
	if int(u) < len(unitNames) && unitNames[u] != "" {
		return unitNames[u]
	}
	return fmt.Sprintf("unit(%d)", uint8(u))
}

// Decimals is the number of decimals a value of the unit is written with:
// a MetricValue v stands for v·10^-Decimals of the unit.
func (u Unit) Decimals() int {
	if u == UnitSeconds {
		return 9
	}
	return 0
}

// MetricSpec declares one metric a protocol measures on its runs beyond
// the headline metrics every run has.
type MetricSpec struct {
	// Name is the metric's column in runs.csv and key in summary.json
	// ("view_change_s"); it ends in "_s" for a duration.
	Name string
	Unit Unit
	// Doc says what is measured, in one line.
	Doc string
	// Figure is the metric's default sweep figure; a zero Figure draws
	// none.
	Figure MetricFigure
}

// MetricFigure describes a metric's default figure in a sweep's plots: the
// metric against each swept parameter, drawn when some run has a value.
type MetricFigure struct {
	// File is the plot's file stem ("view-change": view-change-vs-<param>).
	File string
	// Title and YLabel label the plot.
	Title, YLabel string
	// Summary says how the runs of a sweep point are summarized.
	Summary FigureSummary
}

// FigureSummary says how a MetricFigure summarizes the runs of one sweep
// point that have a value.
type FigureSummary uint8

// Summaries of a MetricFigure.
const (
	// SummaryTrimmedMean is the mean without the smallest and the largest
	// value (when there are at least five), with bars from the minimum to
	// the maximum.
	SummaryTrimmedMean FigureSummary = iota + 1
	// SummaryMean is the mean with its 95% confidence interval.
	SummaryMean
)

var figureSummaryNames = [...]string{SummaryTrimmedMean: "trimmed_mean", SummaryMean: "mean"}

// String returns the summary's name: trimmed_mean or mean.
func (s FigureSummary) String() string {
	if int(s) < len(figureSummaryNames) && figureSummaryNames[s] != "" {
		return figureSummaryNames[s]
	}
	return fmt.Sprintf("summary(%d)", uint8(s))
}

// MeterConfig is what a protocol's meter knows of its run.
type MeterConfig struct {
	// N and F are the run's number of replicas and its f.
	N, F int
	// Byzantine marks the replicas that are Byzantine at some time of the
	// run (len N); metrics speak for the others.
	Byzantine []bool
}

// Meter computes a protocol's metrics (Protocol.Metrics) from the
// observations of one run. The run hands it every observation of every
// node in time order; it dispatches on the observations' Go types, so it
// only ever measures what its own protocol means by them.
type Meter interface {
	// Observe records one observation of node at time at.
	Observe(at sim.Time, node sim.NodeID, o sim.Observation)
	// Values returns, at the end of the run, the value of each of the
	// protocol's metrics, in the order of Protocol.Metrics.
	Values() []MetricValue
}

// MetricValue is the value of one metric in one run: V units of
// 10^-Unit.Decimals() (nanoseconds for UnitSeconds); OK false when the
// metric is undefined in the run (an empty field, null in JSON).
type MetricValue struct {
	V  int64
	OK bool
}

// Seconds returns the value of a duration t.
func Seconds(t sim.Time) MetricValue { return MetricValue{V: int64(t), OK: true} }

// Metric returns the spec of a named metric of p.
func (p *Protocol) Metric(name string) (MetricSpec, bool) {
	for _, m := range p.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricSpec{}, false
}

// Metrics returns the metrics of every registered protocol, each once: the
// protocols in name order, each one's metrics in its order. Every run's
// summary and runs.csv carry them all (empty for a metric its protocol
// does not measure), so the runs of protocols compared in one sweep share
// their columns.
func (r *Registry) Metrics() []MetricSpec {
	var out []MetricSpec
	seen := make(map[string]bool)
	for _, name := range r.Names() {
		for _, m := range r.byName[name].Metrics {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// checkMetrics panics when p's metrics are incomplete or contradict those
// of a registered protocol (one name, two units).
func (r *Registry) checkMetrics(p *Protocol) {
	if len(p.Metrics) > 0 && p.NewMeter == nil {
		panic("protocols: protocol " + p.Name + " declares metrics without NewMeter")
	}
	for i, m := range p.Metrics {
		if m.Name == "" || (m.Unit != UnitSeconds && m.Unit != UnitCount) {
			panic(fmt.Sprintf("protocols: protocol %s: metric %d has no name or an unknown unit", p.Name, i))
		}
		for _, m2 := range p.Metrics[:i] {
			if m2.Name == m.Name {
				panic("protocols: protocol " + p.Name + ": duplicate metric " + m.Name)
			}
		}
		for _, q := range r.byName {
			if o, ok := q.Metric(m.Name); ok && o.Unit != m.Unit {
				panic(fmt.Sprintf("protocols: metric %s is %s in %s but %s in %s", m.Name, o.Unit, q.Name, m.Unit, p.Name))
			}
		}
	}
}
