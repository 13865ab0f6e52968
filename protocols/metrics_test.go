package protocols

import (
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

type nopMeter struct{}

func (nopMeter) Observe(sim.Time, sim.NodeID, sim.Observation) {}
func (nopMeter) Values() []MetricValue                         { return nil }

func metricProto(name string, ms ...MetricSpec) *Protocol {
	return &Protocol{Name: name, Metrics: ms, NewMeter: func(MeterConfig) Meter { return nopMeter{} },
		MaxFaulty: func(int) int { return 0 }, New: func(Config) (Replica, error) { return nil, nil }}
}

// TestRegistryMetrics lists every registered protocol's metrics once, the
// protocols in name order.
func TestRegistryMetrics(t *testing.T) {
	reg := NewRegistry(
		metricProto("zeta", MetricSpec{Name: "z_s", Unit: UnitSeconds}, MetricSpec{Name: "shared", Unit: UnitCount}),
		metricProto("alpha", MetricSpec{Name: "shared", Unit: UnitCount}, MetricSpec{Name: "a_s", Unit: UnitSeconds}),
		metricProto("none"),
	)
	var names []string
	for _, m := range reg.Metrics() {
		names = append(names, m.Name)
	}
	if want := []string{"shared", "a_s", "z_s"}; !slices.Equal(names, want) {
		t.Errorf("Metrics() = %v, want %v", names, want)
	}
}

// TestRegisterBadMetrics refuses incomplete or contradictory metrics.
func TestRegisterBadMetrics(t *testing.T) {
	tests := []struct {
		name string
		ps   []*Protocol
		want string
	}{
		{"no meter", []*Protocol{{Name: "p", Metrics: []MetricSpec{{Name: "m", Unit: UnitCount}},
			MaxFaulty: func(int) int { return 0 }, New: func(Config) (Replica, error) { return nil, nil }}}, "without NewMeter"},
		{"no unit", []*Protocol{metricProto("p", MetricSpec{Name: "m"})}, "unknown unit"},
		{"no name", []*Protocol{metricProto("p", MetricSpec{Unit: UnitCount})}, "no name"},
		{"duplicate", []*Protocol{metricProto("p", MetricSpec{Name: "m", Unit: UnitCount}, MetricSpec{Name: "m", Unit: UnitCount})}, "duplicate metric m"},
		{"two units", []*Protocol{metricProto("p", MetricSpec{Name: "m", Unit: UnitCount}), metricProto("q", MetricSpec{Name: "m", Unit: UnitSeconds})},
			"metric m is count in p but s in q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			NewRegistry(tt.ps...)
		})
	}
}

func TestUnitDecimals(t *testing.T) {
	if UnitSeconds.Decimals() != 9 || UnitCount.Decimals() != 0 || UnitSeconds.String() != "s" || UnitCount.String() != "count" {
		t.Errorf("units: s %d %s, count %d %s", UnitSeconds.Decimals(), UnitSeconds, UnitCount.Decimals(), UnitCount)
	}
}
