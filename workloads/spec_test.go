package workloads_test

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/sim"
	"github.com/byzsim/byzsim/workloads"
)

func isFieldError(err error, field string) bool {
	var fe *workloads.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestValidate(t *testing.T) {
	s := sim.Second
	base := map[workloads.Type]workloads.Spec{
		workloads.Retransmit: {Type: workloads.Retransmit, Count: 3, Timeout: s},
		workloads.Flood:      {Type: workloads.Flood, Count: 3, Timeout: s},
		workloads.Timed:      {Type: workloads.Timed, Count: 3, Timeout: s, Delays: []sim.Time{s, s}},
		workloads.OpenLoop:   {Type: workloads.OpenLoop, Count: 3, Timeout: s, Rate: 10},
		workloads.ClosedLoop: {Type: workloads.ClosedLoop, Count: 3, Timeout: s},
		workloads.Saturated:  {Type: workloads.Saturated, Count: 3, Timeout: s},
	}
	with := func(typ workloads.Type, edit func(*workloads.Spec)) workloads.Spec {
		sp := base[typ]
		sp.Delays = slices.Clone(sp.Delays)
		edit(&sp)
		return sp
	}
	tests := []struct {
		name  string
		spec  workloads.Spec
		field string // "" means valid
	}{
		{"retransmit ok", base[workloads.Retransmit], ""},
		{"flood ok", base[workloads.Flood], ""},
		{"timed ok", base[workloads.Timed], ""},
		{"open_loop ok", base[workloads.OpenLoop], ""},
		{"closed_loop ok", base[workloads.ClosedLoop], ""},
		{"closed_loop with everything", with(workloads.ClosedLoop, func(sp *workloads.Spec) {
			sp.Name, sp.Clients, sp.Outstanding, sp.Think, sp.RetransmitAfter, sp.Payload = "c-1.x", 4, 2, sim.Constant{D: s}, s, 512
		}), ""},
		{"timed with one request", workloads.Spec{Type: workloads.Timed, Count: 1, Timeout: s}, ""},
		{"saturated ok", base[workloads.Saturated], ""},
		{"saturated with clients and payload", with(workloads.Saturated, func(sp *workloads.Spec) { sp.Clients, sp.Payload = 3, 100 }), ""},
		{"saturated starting late", with(workloads.Saturated, func(sp *workloads.Spec) { sp.Start = s }), "start"},
		{"saturated with a rate", with(workloads.Saturated, func(sp *workloads.Spec) { sp.Rate = 5 }), "rate"},

		{"missing type", workloads.Spec{Count: 1, Timeout: s}, "type"},
		{"unknown type", workloads.Spec{Type: "burst", Count: 1, Timeout: s}, "type"},
		{"bad name", with(workloads.Flood, func(sp *workloads.Spec) { sp.Name = "a b" }), "name"},
		{"zero count", with(workloads.Flood, func(sp *workloads.Spec) { sp.Count = 0 }), "count"},
		{"negative clients", with(workloads.Flood, func(sp *workloads.Spec) { sp.Clients = -1 }), "clients"},
		{"negative start", with(workloads.Flood, func(sp *workloads.Spec) { sp.Start = -1 }), "start"},
		{"zero timeout", with(workloads.Flood, func(sp *workloads.Spec) { sp.Timeout = 0 }), "timeout"},
		{"negative payload", with(workloads.Flood, func(sp *workloads.Spec) { sp.Payload = -1 }), "payload"},

		{"too few delays", with(workloads.Timed, func(sp *workloads.Spec) { sp.Delays = sp.Delays[:1] }), "delays"},
		{"too many delays", with(workloads.Timed, func(sp *workloads.Spec) { sp.Delays = append(sp.Delays, s) }), "delays"},
		{"negative delay", with(workloads.Timed, func(sp *workloads.Spec) { sp.Delays[1] = -s }), "delays[1]"},
		{"delays on flood", with(workloads.Flood, func(sp *workloads.Spec) { sp.Delays = []sim.Time{s, s} }), "delays"},

		{"zero rate", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.Rate = 0 }), "rate"},
		{"negative rate", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.Rate = -3 }), "rate"},
		{"NaN rate", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.Rate = math.NaN() }), "rate"},
		{"infinite rate", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.Rate = math.Inf(1) }), "rate"},
		{"rate on closed_loop", with(workloads.ClosedLoop, func(sp *workloads.Spec) { sp.Rate = 5 }), "rate"},
		{"negative retransmit_after", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.RetransmitAfter = -s }), "retransmit_after"},
		{"retransmit_after on flood", with(workloads.Flood, func(sp *workloads.Spec) { sp.RetransmitAfter = s }), "retransmit_after"},

		{"negative outstanding", with(workloads.ClosedLoop, func(sp *workloads.Spec) { sp.Outstanding = -2 }), "outstanding"},
		{"outstanding on open_loop", with(workloads.OpenLoop, func(sp *workloads.Spec) { sp.Outstanding = 2 }), "outstanding"},
		{"negative think", with(workloads.ClosedLoop, func(sp *workloads.Spec) { sp.Think = sim.Constant{D: -s} }), "think"},
		{"think on flood", with(workloads.Flood, func(sp *workloads.Spec) { sp.Think = sim.Constant{D: s} }), "think"},

		{"negative initial_timeout", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.InitialTimeout = -s }), "initial_timeout"},
		{"max below initial", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.InitialTimeout, sp.MaxTimeout = 2*s, s }), "max_timeout"},
		{"backoff below 1", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.Backoff = 0.5 }), "backoff"},
		{"infinite backoff", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.Backoff = math.Inf(1) }), "backoff"},
		{"NaN decay", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.Decay = math.NaN() }), "decay"},
		{"decay below 1", with(workloads.Retransmit, func(sp *workloads.Spec) { sp.Decay = 0.9 }), "decay"},
		{"initial_timeout on flood", with(workloads.Flood, func(sp *workloads.Spec) { sp.InitialTimeout = s }), "initial_timeout"},
		{"backoff on timed", with(workloads.Timed, func(sp *workloads.Spec) { sp.Backoff = 3 }), "backoff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.spec
			before.Delays = slices.Clone(tc.spec.Delays)
			err := tc.spec.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !isFieldError(err, tc.field) {
				t.Fatalf("Validate() = %v, want a FieldError for %q", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Errorf("error %q does not start with %q", err, tc.field+": ")
			}
			if !slices.Equal(before.Delays, tc.spec.Delays) || before.Count != tc.spec.Count {
				t.Error("Validate modified the spec")
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	tests := []struct {
		in   workloads.Spec
		want workloads.Spec
	}{
		{
			workloads.Spec{Type: workloads.Retransmit, Count: 1},
			workloads.Spec{Name: "retransmit", Type: workloads.Retransmit, Count: 1, Clients: 1,
				InitialTimeout: sim.Second, MaxTimeout: 64 * sim.Second, Backoff: 2, Decay: 2},
		},
		{
			// A cap below a large initial timeout is raised to it.
			workloads.Spec{Type: workloads.Retransmit, InitialTimeout: 100 * sim.Second},
			workloads.Spec{Name: "retransmit", Type: workloads.Retransmit, Clients: 1,
				InitialTimeout: 100 * sim.Second, MaxTimeout: 100 * sim.Second, Backoff: 2, Decay: 2},
		},
		{
			workloads.Spec{Name: "x", Type: workloads.ClosedLoop, Clients: 3},
			workloads.Spec{Name: "x", Type: workloads.ClosedLoop, Clients: 3, Outstanding: 1, RetransmitAfter: sim.Second},
		},
		{
			// Open loop resends by default too; NoRetransmit is kept.
			workloads.Spec{Type: workloads.OpenLoop},
			workloads.Spec{Name: "open_loop", Type: workloads.OpenLoop, Clients: 1, RetransmitAfter: sim.Second},
		},
		{
			workloads.Spec{Type: workloads.OpenLoop, RetransmitAfter: workloads.NoRetransmit},
			workloads.Spec{Name: "open_loop", Type: workloads.OpenLoop, Clients: 1, RetransmitAfter: workloads.NoRetransmit},
		},
		{
			workloads.Spec{Type: workloads.Flood},
			workloads.Spec{Name: "flood", Type: workloads.Flood, Clients: 1},
		},
	}
	for _, tc := range tests {
		if got := tc.in.WithDefaults(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v.WithDefaults() = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	in := workloads.Spec{Type: workloads.Timed, Delays: []sim.Time{1}}
	out := in.WithDefaults()
	out.Delays[0] = 2
	if in.Delays[0] != 1 {
		t.Error("WithDefaults shares Delays with its input")
	}
}
