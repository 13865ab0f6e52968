package failures

import (
	"fmt"
	"math"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Validate checks r against protocol p with n replicas. The error is a
// *FieldError naming the first offending field (type, prob, msg, src, dest,
// rounds, from, until, delay, attr, value) and saying what is allowed.
func (r Rule) Validate(p *protocols.Protocol, n int) error {
	switch r.Type {
	case Loss, Delay, SetAttr:
	case 0:
		return fieldErr("type", "missing (allowed: loss, delay, setattr)")
	default:
		return fieldErr("type", fmt.Sprintf("unknown rule type %v (allowed: loss, delay, setattr)", r.Type))
	}
	if math.IsNaN(r.Prob) || r.Prob < 0 || r.Prob > 1 {
		return fieldErr("prob", fmt.Sprintf("%v is out of range (allowed: 0 <= prob <= 1)", r.Prob))
	}
	if err := validateKind(r.Msg, p); err != nil {
		return err
	}
	if err := validateEndpoint("src", r.Src, n); err != nil {
		return err
	}
	if err := validateEndpoint("dest", r.Dest, n); err != nil {
		return err
	}
	if err := r.Rounds.validate(); err != nil {
		return within("rounds", err)
	}
	if r.From < 0 {
		return fieldErr("from", fmt.Sprintf("%v is negative (allowed: a time >= 0)", r.From))
	}
	if r.Until < 0 {
		return fieldErr("until", fmt.Sprintf("%v is negative (allowed: 0 for no end, or a time >= from)", r.Until))
	}
	if r.Until != 0 && r.Until < r.From {
		return fieldErr("until", fmt.Sprintf("%v is before from %v (allowed: 0 for no end, or a time >= from)", r.Until, r.From))
	}
	switch {
	case r.Type == Delay && r.Delay <= 0:
		return fieldErr("delay", fmt.Sprintf("%v: a delay rule needs a delay > 0", r.Delay))
	case r.Type != Delay && r.Delay != 0:
		return fieldErr("delay", fmt.Sprintf("only delay rules take a delay, not %v rules", r.Type))
	case r.Type != SetAttr && r.Attr != "":
		return fieldErr("attr", fmt.Sprintf("only setattr rules take an attribute, not %v rules", r.Type))
	}
	if r.Type == SetAttr {
		return validateAttr(r.Attr, r.Value, p, n)
	}
	return nil
}

// ValidateRules validates every rule; the error's field starts with the
// rule's index, e.g. "[2].prob".
func ValidateRules(rules []Rule, p *protocols.Protocol, n int) error {
	for i, r := range rules {
		if err := r.Validate(p, n); err != nil {
			return within(fmt.Sprintf("[%d]", i), err)
		}
	}
	return nil
}

// Kinds returns the message kinds a rule of protocol p may name: the
// protocol's kinds, the client kinds and AnyKind.
func Kinds(p *protocols.Protocol) []string {
	ks := make([]string, 0, len(p.MessageKinds)+3)
	ks = append(ks, p.MessageKinds...)
	for _, k := range []string{protocols.KindRequest, protocols.KindReply} {
		if !p.HasKind(k) {
			ks = append(ks, k)
		}
	}
	return append(ks, AnyKind)
}

func validateKind(kind string, p *protocols.Protocol) error {
	switch {
	case kind == AnyKind, kind == protocols.KindRequest, kind == protocols.KindReply, p.HasKind(kind):
		return nil
	case kind == "":
		return fieldErr("msg", fmt.Sprintf("missing (allowed: %s)", strings.Join(Kinds(p), ", ")))
	}
	return fieldErr("msg", fmt.Sprintf("unknown message kind %q (allowed: %s)", kind, strings.Join(Kinds(p), ", ")))
}

func validateEndpoint(field string, e Endpoint, n int) error {
	switch e.Kind {
	case AnyEndpoint, LeaderEndpoint:
		return nil
	case ReplicaEndpoint:
		if e.ID < 0 || int(e.ID) >= n {
			return fieldErr(field, fmt.Sprintf("no replica %d in a system of %d (allowed: %s, leader, *)", e.ID, n, replicaRange(n)))
		}
		return nil
	}
	return fieldErr(field, fmt.Sprintf("unknown endpoint kind %d (allowed: replicaN, leader, *)", e.Kind))
}

func validateAttr(attr string, value int64, p *protocols.Protocol, n int) error {
	if attr == "" {
		return fieldErr("attr", fmt.Sprintf("missing: a setattr rule needs an attribute (allowed: %s)", p.AttributeList()))
	}
	spec, ok := p.Attribute(attr)
	if !ok {
		return fieldErr("attr", fmt.Sprintf("unknown attribute %q of %s (allowed: %s)", attr, p.Name, p.AttributeList()))
	}
	if spec.Type == protocols.AttrReplica && (value < 0 || value >= int64(n)) {
		return fieldErr("value", fmt.Sprintf("%d is not a replica of %d: attribute %s is a replica id (allowed: %s)", value, n, attr, replicaRange(n)))
	}
	return nil
}

// replicaRange describes the valid replica names of a system of n.
func replicaRange(n int) string {
	switch {
	case n <= 0:
		return "no replicas"
	case n == 1:
		return "replica0"
	}
	return "replica0..." + ReplicaName(sim.NodeID(n-1))
}

// ParseAttrValue converts a decoded configuration value to an attribute
// value of type t: an integer (int64, int, or integral float64) for
// protocols.AttrInt; "replicaN" or an integer for protocols.AttrReplica.
// Range checks against the number of replicas happen in Rule.Validate. The
// error is a *FieldError with an empty Field.
func ParseAttrValue(t protocols.AttrType, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), nil
		}
	case string:
		if t == protocols.AttrReplica {
			id, err := ParseReplica(x)
			if err != nil {
				return 0, err
			}
			return int64(id), nil
		}
	}
	if t == protocols.AttrReplica {
		return 0, &FieldError{Msg: fmt.Sprintf("invalid replica %v (allowed: replicaN)", v)}
	}
	return 0, &FieldError{Msg: fmt.Sprintf("invalid %v value %v (allowed: an integer)", t, v)}
}
