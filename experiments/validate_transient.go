package experiments

import (
	"errors"
	"fmt"
	"sort"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Defaults of the [convergence] table.
const (
	defaultHold   = 5 * sim.Second
	defaultPeriod = 100 * sim.Millisecond
)

func fillConvergenceDefaults(c *ConvergenceConfig) {
	if c.Hold == 0 {
		c.Hold = Duration(defaultHold)
	}
	if c.Period == 0 {
		c.Period = Duration(defaultPeriod)
	}
}

// measuresConvergence reports whether runs of e measure convergence.
func measuresConvergence(e *Experiment) bool {
	return len(e.Transients) > 0 || e.Convergence.Measure
}

// validateTransients converts and validates the [[transient]] tables and
// the [convergence] table. params are the protocol's validated parameters,
// used to try given values on a replica.
func validateTransients(p *problems, e *Experiment, proto *protocols.Protocol, params protocols.Params) []failures.Transient {
	c := &e.Convergence
	if c.Hold <= 0 {
		p.add("convergence.hold", "%v must be > 0", c.Hold.T())
	}
	if c.Period <= 0 || c.Period > c.Hold && c.Hold > 0 {
		p.add("convergence.period", "%v is out of range (allowed: > 0 and <= hold %v)", c.Period.T(), c.Hold.T())
	}
	n := e.Protocol.N
	var out []failures.Transient
	var probe protocols.Replica // a replica to try given values on
	for i := range e.Transients {
		tc := &e.Transients[i]
		key := fmt.Sprintf("transient[%d]", i)
		t, err := convertTransient(tc, proto)
		if err == nil {
			err = t.Validate(proto, n)
		}
		if err == nil && len(t.Values) > 0 {
			if probe == nil {
				probe, err = proto.New(protocols.Config{N: n, F: e.Protocol.F, Params: params, Costs: protocols.DefaultCosts()})
			}
			for _, v := range t.Values {
				if err == nil {
					if err = probe.SetAttribute(v.Attr, v.Value); err != nil {
						err = &failures.FieldError{Field: "values." + v.Attr, Msg: err.Error()}
					}
				}
			}
		}
		if err != nil {
			var fe *failures.FieldError
			if errors.As(err, &fe) && fe.Field != "" {
				p.add(key+"."+fe.Field, "%s", fe.Msg)
			} else {
				p.add(key, "%v", err)
			}
			continue
		}
		out = append(out, t)
	}
	return out
}

// convertTransient turns a [[transient]] table into a fault.
func convertTransient(tc *TransientConfig, proto *protocols.Protocol) (failures.Transient, error) {
	t := failures.Transient{
		At: tc.At.T(), Every: tc.Every.T(), Until: tc.Until.T(),
		Random: tc.Random, Scope: append([]string(nil), tc.Scope...), Clock: tc.Clock.T(),
	}
	field := func(name string, err error) error {
		var fe *failures.FieldError
		if errors.As(err, &fe) {
			return &failures.FieldError{Field: name, Msg: fe.Msg}
		}
		return &failures.FieldError{Field: name, Msg: err.Error()}
	}
	switch r := tc.Replicas.(type) {
	case nil:
	case string:
		if r != "all" {
			return t, field("replicas", fmt.Errorf("%q is not allowed (allowed: \"all\", or a list like [\"replica0\", \"replica2\"])", r))
		}
		t.All = true
	case []any:
		if len(r) == 0 {
			return t, field("replicas", fmt.Errorf("empty list (allowed: \"all\", or a list like [\"replica0\", \"replica2\"])"))
		}
		for j, x := range r {
			s, ok := x.(string)
			if !ok {
				return t, field(fmt.Sprintf("replicas[%d]", j), fmt.Errorf("want \"replicaN\", got %s", describe(x)))
			}
			id, err := failures.ParseReplica(s)
			if err != nil {
				return t, field(fmt.Sprintf("replicas[%d]", j), err)
			}
			t.Replicas = append(t.Replicas, id)
		}
	default:
		return t, field("replicas", fmt.Errorf("want \"all\" or a list of \"replicaN\", got %s", describe(tc.Replicas)))
	}
	if tc.Timers {
		if !proto.HasScope(protocols.ScopeTimers) {
			return t, field("timers", fmt.Errorf("%s has no timers scope (allowed scopes: %s)", proto.Name, proto.ScopeList()))
		}
		t.Scope = append(t.Scope, protocols.ScopeTimers)
	}
	names := make([]string, 0, len(tc.Values))
	for k := range tc.Values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		spec, ok := proto.Attribute(name)
		if !ok {
			return t, field("values."+name, fmt.Errorf("unknown attribute of %s (allowed: %s)", proto.Name, proto.AttributeList()))
		}
		v, err := failures.ParseAttrValue(spec.Type, tc.Values[name])
		if err != nil {
			return t, field("values."+name, err)
		}
		t.Values = append(t.Values, failures.AttrValue{Attr: name, Value: v})
	}
	if mc := tc.Messages; mc != nil {
		m := &failures.TransitFault{Msg: mc.Msg, Prob: 1}
		if m.Msg == "" {
			m.Msg = failures.AnyKind
		}
		if mc.Prob != nil {
			m.Prob = *mc.Prob
		}
		var err error
		for _, end := range []struct {
			name string
			s    string
			dst  *failures.Endpoint
		}{{"messages.from", mc.From, &m.From}, {"messages.to", mc.To, &m.To}} {
			s := end.s
			if s == "" {
				s = "*"
			}
			if *end.dst, err = failures.ParseEndpoint(s); err != nil {
				return t, field(end.name, err)
			}
		}
		if mc.Action == "" {
			return t, field("messages.action", fmt.Errorf("missing (allowed: corrupt, drop, duplicate, replace)"))
		}
		if m.Action, err = failures.ParseTransitAction(mc.Action); err != nil {
			return t, field("messages.action", err)
		}
		t.Messages = m
	}
	return t, nil
}
