package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestViewChangeMeter measures the view-change time from observations: per
// correct replica from its first view_change() call (or the system's first
// call) to the establishment of another view; the (n−f)-th fastest.
func TestViewChangeMeter(t *testing.T) {
	type obs struct {
		at   sim.Time
		node sim.NodeID
		o    sim.Observation
	}
	call := func(at sim.Time, node sim.NodeID, view int64) obs { return obs{at, node, ViewChangeCall{View: view}} }
	est := func(at sim.Time, node sim.NodeID, view int64) obs {
		return obs{at, node, protocols.RoundChange{Round: view, Cause: protocols.CauseEstablish}}
	}
	ms := sim.Millisecond
	tests := []struct {
		name      string
		byzantine []bool // n = len, f = 1
		obs       []obs
		want      sim.Time
		ok        bool
	}{
		{"no call", make([]bool, 6), []obs{est(ms, 0, 1), est(ms, 1, 1)}, 0, false},
		{"every replica calls", make([]bool, 6), []obs{
			call(10*ms, 0, 0), call(11*ms, 1, 0), call(12*ms, 2, 0), call(13*ms, 3, 0), call(14*ms, 4, 0), call(15*ms, 5, 0),
			est(20*ms, 0, 1), est(30*ms, 1, 1), est(40*ms, 2, 1), est(50*ms, 3, 1), est(60*ms, 4, 1), est(99*ms, 5, 1),
		}, 46 * ms, true}, // took 10, 19, 28, 37, 46, 84 ms: the 5th is 46
		{"same view is no change", make([]bool, 6), []obs{
			call(10*ms, 0, 0), est(15*ms, 0, 0), est(25*ms, 0, 1),
			est(30*ms, 1, 1), est(30*ms, 2, 1), est(30*ms, 3, 1), est(30*ms, 4, 1),
		}, 20 * ms, true}, // 15, 20, 20, 20, 20 (from the first call at 10): the 5th is 20
		{"too few", make([]bool, 6), []obs{call(10*ms, 0, 0), est(20*ms, 0, 1), est(20*ms, 1, 1)}, 0, false},
		{"Byzantine not measured", []bool{true, false, false, false, false, false}, []obs{
			call(10*ms, 0, 0), est(11*ms, 0, 1), call(20*ms, 1, 0),
			est(30*ms, 1, 1), est(30*ms, 2, 1), est(30*ms, 3, 1), est(30*ms, 4, 1), est(40*ms, 5, 1),
		}, 20 * ms, true}, // measured from replica 1's call at 20: 10, 10, 10, 10, 20
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMeter(protocols.MeterConfig{N: len(tt.byzantine), F: 1, Byzantine: tt.byzantine})
			for _, o := range tt.obs {
				m.Observe(o.at, o.node, o.o)
			}
			v := m.Values()
			if len(v) != 1 || v[0].OK != tt.ok || tt.ok && sim.Time(v[0].V) != tt.want {
				t.Errorf("values %+v, want %v (defined: %v)", v, tt.want, tt.ok)
			}
		})
	}
}

// foreignCall is another protocol's observation that happens to be named
// like BFTList's view_change() call in traces.
type foreignCall struct{ View int64 }

func (foreignCall) Event() string { return "view_change_call" }

// TestViewChangeMeterTypes: the meter dispatches on observation types, so
// another protocol's observation with the same trace name is not measured
// with BFTList's meaning.
func TestViewChangeMeterTypes(t *testing.T) {
	m := newMeter(protocols.MeterConfig{N: 6, F: 1, Byzantine: make([]bool, 6)})
	for i := range 6 {
		m.Observe(sim.Millisecond, sim.NodeID(i), foreignCall{View: 0})
		m.Observe(2*sim.Millisecond, sim.NodeID(i), protocols.RoundChange{Round: 1, Cause: protocols.CauseEstablish})
	}
	if v := m.Values(); len(v) != 1 || v[0].OK {
		t.Errorf("values %+v after foreign view_change_call observations, want one undefined value", v)
	}
}
