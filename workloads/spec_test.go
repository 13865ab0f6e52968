package workloads_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
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
	base := func(typ workloads.Type) workloads.Spec {
		sp := workloads.Spec{Count: 3, Timeout: s}
		switch typ {
		case workloads.Retransmit:
			sp.Params = &workloads.RetransmitParams{}
		case workloads.Flood:
			sp.Params = &workloads.FloodParams{}
		case workloads.Timed:
			sp.Params = &workloads.TimedParams{Delays: []sim.Time{s, s}}
		case workloads.OpenLoop:
			sp.Params = &workloads.OpenLoopParams{Rate: 10}
		case workloads.ClosedLoop:
			sp.Params = &workloads.ClosedLoopParams{}
		case workloads.Saturated:
			sp.Params = &workloads.SaturatedParams{}
		}
		return sp
	}
	with := func(typ workloads.Type, edit func(*workloads.Spec)) workloads.Spec {
		sp := base(typ)
		edit(&sp)
		return sp
	}
	rt := func(edit func(*workloads.RetransmitParams)) workloads.Spec {
		p := &workloads.RetransmitParams{}
		edit(p)
		return workloads.Spec{Count: 3, Timeout: s, Params: p}
	}
	ol := func(edit func(*workloads.OpenLoopParams)) workloads.Spec {
		p := &workloads.OpenLoopParams{Rate: 10}
		edit(p)
		return workloads.Spec{Count: 3, Timeout: s, Params: p}
	}
	cl := func(edit func(*workloads.ClosedLoopParams)) workloads.Spec {
		p := &workloads.ClosedLoopParams{}
		edit(p)
		return workloads.Spec{Count: 3, Timeout: s, Params: p}
	}
	timed := func(d ...sim.Time) workloads.Spec {
		return workloads.Spec{Count: 3, Timeout: s, Params: &workloads.TimedParams{Delays: d}}
	}
	tests := []struct {
		name  string
		spec  workloads.Spec
		field string // "" means valid
	}{
		{"retransmit ok", base(workloads.Retransmit), ""},
		{"flood ok", base(workloads.Flood), ""},
		{"timed ok", base(workloads.Timed), ""},
		{"open_loop ok", base(workloads.OpenLoop), ""},
		{"closed_loop ok", base(workloads.ClosedLoop), ""},
		{"closed_loop with everything", workloads.Spec{Name: "c-1.x", Clients: 4, Count: 3, Timeout: s, Payload: 512,
			Params: &workloads.ClosedLoopParams{Outstanding: 2, Think: sim.Constant{D: s}, RetransmitAfter: s}}, ""},
		{"timed with one request", workloads.Spec{Count: 1, Timeout: s, Params: &workloads.TimedParams{}}, ""},
		{"saturated ok", base(workloads.Saturated), ""},
		{"saturated with clients and payload", with(workloads.Saturated, func(sp *workloads.Spec) { sp.Clients, sp.Payload = 3, 100 }), ""},
		{"saturated starting late", with(workloads.Saturated, func(sp *workloads.Spec) { sp.Start = s }), "start"},

		{"missing type", workloads.Spec{Count: 1, Timeout: s}, "type"},
		{"bad name", with(workloads.Flood, func(sp *workloads.Spec) { sp.Name = "a b" }), "name"},
		{"zero count", with(workloads.Flood, func(sp *workloads.Spec) { sp.Count = 0 }), "count"},
		{"negative clients", with(workloads.Flood, func(sp *workloads.Spec) { sp.Clients = -1 }), "clients"},
		{"negative start", with(workloads.Flood, func(sp *workloads.Spec) { sp.Start = -1 }), "start"},
		{"zero timeout", with(workloads.Flood, func(sp *workloads.Spec) { sp.Timeout = 0 }), "timeout"},
		{"negative payload", with(workloads.Flood, func(sp *workloads.Spec) { sp.Payload = -1 }), "payload"},

		{"too few delays", timed(s), "delays"},
		{"too many delays", timed(s, s, s), "delays"},
		{"negative delay", timed(s, -s), "delays[1]"},

		{"zero rate", ol(func(p *workloads.OpenLoopParams) { p.Rate = 0 }), "rate"},
		{"negative rate", ol(func(p *workloads.OpenLoopParams) { p.Rate = -3 }), "rate"},
		{"NaN rate", ol(func(p *workloads.OpenLoopParams) { p.Rate = math.NaN() }), "rate"},
		{"infinite rate", ol(func(p *workloads.OpenLoopParams) { p.Rate = math.Inf(1) }), "rate"},
		{"negative retransmit_after", ol(func(p *workloads.OpenLoopParams) { p.RetransmitAfter = -s }), "retransmit_after"},

		{"negative outstanding", cl(func(p *workloads.ClosedLoopParams) { p.Outstanding = -2 }), "outstanding"},
		{"negative think", cl(func(p *workloads.ClosedLoopParams) { p.Think = sim.Constant{D: -s} }), "think"},

		{"negative initial_timeout", rt(func(p *workloads.RetransmitParams) { p.InitialTimeout = -s }), "initial_timeout"},
		{"max below initial", rt(func(p *workloads.RetransmitParams) { p.InitialTimeout, p.MaxTimeout = 2*s, s }), "max_timeout"},
		{"backoff below 1", rt(func(p *workloads.RetransmitParams) { p.Backoff = 0.5 }), "backoff"},
		{"infinite backoff", rt(func(p *workloads.RetransmitParams) { p.Backoff = math.Inf(1) }), "backoff"},
		{"NaN decay", rt(func(p *workloads.RetransmitParams) { p.Decay = math.NaN() }), "decay"},
		{"decay below 1", rt(func(p *workloads.RetransmitParams) { p.Decay = 0.9 }), "decay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.spec
			if tc.spec.Params != nil {
				before.Params = tc.spec.Params.WithDefaults()
			}
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
			// Printed, as NaN is not equal to itself.
			if tc.spec.Params != nil && fmt.Sprintf("%+v", before.Params.WithDefaults()) != fmt.Sprintf("%+v", tc.spec.Params.WithDefaults()) || before.Count != tc.spec.Count {
				t.Error("Validate modified the spec")
			}
		})
	}
}

// TestBuild decodes [[workload]] tables' keys through the builtin kinds:
// keys of other types and unknown types are errors naming the key and
// what is allowed.
func TestBuild(t *testing.T) {
	s := sim.Second
	common := workloads.Spec{Count: 3, Timeout: s}
	kv := func(pairs ...any) workloads.Values {
		var v workloads.Values
		for i := 0; i < len(pairs); i += 2 {
			v = append(v, workloads.Value{Key: pairs[i].(string), V: pairs[i+1]})
		}
		return v
	}
	tests := []struct {
		name, typ string
		v         workloads.Values
		want      string // the error; "" for none
	}{
		{"timed", "timed", kv("delays", []sim.Time{s, s}), ""},
		{"open loop never resending", "open_loop", kv("rate", 5.0, "retransmit_after", workloads.NoRetransmit), ""},
		{"closed loop", "closed_loop", kv("outstanding", 2, "think", sim.Constant{D: s}), ""},
		{"missing type", "", nil, "type: missing (want one of retransmit, flood, timed, open_loop, closed_loop, saturated)"},
		{"unknown type", "burst", nil, `type: unknown workload type "burst" (want one of retransmit, flood, timed, open_loop, closed_loop, saturated)`},
		{"delays on flood", "flood", kv("delays", []sim.Time{s, s}), "delays: only timed workloads take delays (this one is flood)"},
		{"rate on saturated", "saturated", kv("rate", 5.0), "rate: only open_loop workloads take a rate (this one is saturated)"},
		{"rate on closed loop", "closed_loop", kv("rate", 5.0), "rate: only open_loop workloads take a rate (this one is closed_loop)"},
		{"outstanding on open loop", "open_loop", kv("rate", 1.0, "outstanding", 2), "outstanding: only closed_loop workloads take outstanding (this one is open_loop)"},
		{"think on flood", "flood", kv("think", sim.Constant{D: s}), "think: only closed_loop workloads take a think time (this one is flood)"},
		{"retransmit_after on flood", "flood", kv("retransmit_after", s), "retransmit_after: only open_loop and closed_loop workloads take retransmit_after (this one is flood)"},
		{"initial_timeout on flood", "flood", kv("initial_timeout", s), "initial_timeout: only retransmit workloads take initial_timeout (this one is flood)"},
		{"backoff on timed", "timed", kv("delays", []sim.Time{s, s}, "backoff", 3.0), "backoff: only retransmit workloads take backoff (this one is timed)"},
		// Common keys are checked before keys of other types, those
		// before the type's own values.
		{"bad count before a foreign key", "flood", kv("rate", 5.0), ""},
		{"foreign key before own values", "timed", kv("rate", 5.0), "rate: only open_loop workloads take a rate (this one is timed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := common
			want := tc.want
			if tc.name == "bad count before a foreign key" {
				c.Count = 0
				want = "count: must be ≥ 1, got 0"
			}
			spec, err := workloads.Builtin().Build(c, tc.typ, tc.v)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != want {
				t.Fatalf("Build = %q, want %q", got, want)
			}
			if err == nil && (spec.Type() != workloads.Type(tc.typ) || spec.Name != tc.typ || spec.Clients != 1) {
				t.Errorf("spec %+v: type, name or clients not filled", spec)
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
			workloads.Spec{Count: 1, Params: &workloads.RetransmitParams{}},
			workloads.Spec{Name: "retransmit", Count: 1, Clients: 1,
				Params: &workloads.RetransmitParams{InitialTimeout: sim.Second, MaxTimeout: 64 * sim.Second, Backoff: 2, Decay: 2}},
		},
		{
			// A cap below a large initial timeout is raised to it.
			workloads.Spec{Params: &workloads.RetransmitParams{InitialTimeout: 100 * sim.Second}},
			workloads.Spec{Name: "retransmit", Clients: 1,
				Params: &workloads.RetransmitParams{InitialTimeout: 100 * sim.Second, MaxTimeout: 100 * sim.Second, Backoff: 2, Decay: 2}},
		},
		{
			workloads.Spec{Name: "x", Clients: 3, Params: &workloads.ClosedLoopParams{}},
			workloads.Spec{Name: "x", Clients: 3, Params: &workloads.ClosedLoopParams{Outstanding: 1, RetransmitAfter: sim.Second}},
		},
		{
			// Open loop resends by default too; NoRetransmit is kept.
			workloads.Spec{Params: &workloads.OpenLoopParams{}},
			workloads.Spec{Name: "open_loop", Clients: 1, Params: &workloads.OpenLoopParams{RetransmitAfter: sim.Second}},
		},
		{
			workloads.Spec{Params: &workloads.OpenLoopParams{RetransmitAfter: workloads.NoRetransmit}},
			workloads.Spec{Name: "open_loop", Clients: 1, Params: &workloads.OpenLoopParams{RetransmitAfter: workloads.NoRetransmit}},
		},
		{
			workloads.Spec{Params: &workloads.FloodParams{}},
			workloads.Spec{Name: "flood", Clients: 1, Params: &workloads.FloodParams{}},
		},
	}
	for _, tc := range tests {
		if got := tc.in.WithDefaults(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v.WithDefaults() = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	in := &workloads.TimedParams{Delays: []sim.Time{1}}
	out := workloads.Spec{Params: in}.WithDefaults()
	out.Params.(*workloads.TimedParams).Delays[0] = 2
	if in.Delays[0] != 1 {
		t.Error("WithDefaults shares Delays with its input")
	}
}
