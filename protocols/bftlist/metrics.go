package bftlist

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// ViewChangeCall is observed when a replica calls view_change() (primary
// monitoring asks for a view change) while it was not already asking for
// one; View is its current view, which does not change yet.
type ViewChangeCall struct{ View int64 }

// Event implements sim.Observation.
func (ViewChangeCall) Event() string { return "view_change_call" }

func (v ViewChangeCall) String() string { return fmt.Sprintf("view:%d", v.View) }

// MetricViewChange is the name of BFTList's view-change convergence
// metric.
const MetricViewChange = "view_change_s"

// metrics are the metrics BFTList measures beyond the headline ones.
func metrics() []protocols.MetricSpec {
	return []protocols.MetricSpec{{
		Name: MetricViewChange,
		Unit: protocols.UnitSeconds,
		Doc: "view-change convergence: per correct replica, from its first view_change() call to the " +
			"establishment of a view other than the one it left; the slowest of the n − f fastest replicas",
		Figure: protocols.MetricFigure{
			File:    "view-change",
			Title:   "View-change convergence (trimmed mean; bars: min to max)",
			YLabel:  "view-change time (s)",
			Summary: protocols.SummaryTrimmedMean,
		},
	}}
}

// newMeter returns the meter of BFTList's metrics for one run.
func newMeter(cfg protocols.MeterConfig) protocols.Meter {
	return newViewChangeMeter(cfg)
}

// viewChangeMeter measures the view-change convergence of the BFTList
// thesis: per correct replica, from its first view_change() call to the
// establishment of a view other than the one it wanted to leave. A replica
// that establishes the next view without calling view_change() itself is
// measured from the system's first call.
type viewChangeMeter struct {
	n, f      int
	byzantine []bool
	calledSet []bool
	calledAt  []sim.Time
	from      []int64 // view at the call
	done      []bool
	took      []sim.Time
	first     sim.Time
	any       bool
}

func newViewChangeMeter(cfg protocols.MeterConfig) *viewChangeMeter {
	n := len(cfg.Byzantine)
	return &viewChangeMeter{n: cfg.N, f: cfg.F, byzantine: cfg.Byzantine, calledSet: make([]bool, n),
		calledAt: make([]sim.Time, n), from: make([]int64, n), done: make([]bool, n), took: make([]sim.Time, n)}
}

// Observe implements protocols.Meter.
func (m *viewChangeMeter) Observe(at sim.Time, node sim.NodeID, o sim.Observation) {
	switch o := o.(type) {
	case ViewChangeCall:
		m.called(at, node, o)
	case protocols.RoundChange:
		m.roundChange(at, node, o)
	}
}

// called records a replica's view_change() call.
func (m *viewChangeMeter) called(at sim.Time, node sim.NodeID, vc ViewChangeCall) {
	i := int(node)
	if i >= len(m.byzantine) || m.byzantine[i] || m.done[i] {
		return
	}
	if !m.calledSet[i] {
		m.calledSet[i], m.calledAt[i], m.from[i] = true, at, vc.View
	}
	if !m.any {
		m.first, m.any = at, true
	}
}

// roundChange records a replica's establishment of a view.
func (m *viewChangeMeter) roundChange(at sim.Time, node sim.NodeID, rc protocols.RoundChange) {
	i := int(node)
	if i >= len(m.byzantine) || m.byzantine[i] || m.done[i] || rc.Cause != protocols.CauseEstablish {
		return
	}
	switch {
	case m.calledSet[i] && rc.Round != m.from[i]:
		m.done[i], m.took[i] = true, at-m.calledAt[i]
	case !m.calledSet[i] && m.any:
		m.done[i], m.took[i] = true, at-m.first
	}
}

// Values implements protocols.Meter: the (n−f)-th smallest per-replica
// time over the correct replicas (the slowest of the n − f fastest),
// undefined when fewer than n − f replicas established a next view.
func (m *viewChangeMeter) Values() []protocols.MetricValue {
	var took []sim.Time
	for i, d := range m.done {
		if d {
			took = append(took, m.took[i])
		}
	}
	k := m.n - m.f
	if k < 1 || len(took) < k {
		return []protocols.MetricValue{{}}
	}
	slices.Sort(took)
	return []protocols.MetricValue{protocols.Seconds(took[k-1])}
}
