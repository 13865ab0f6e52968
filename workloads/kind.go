package workloads

import (
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Type is a workload type's name, as written in experiment files.
type Type string

// Kind describes one workload type. A workload type is a strategy: one
// file holds its Kind (name, doc, the experiment-file keys it takes), its
// parameter struct implementing Params (defaults, validation, what its
// clients do at start, at their pacing timer, at a resend timer and at a
// completion), and registers the Kind in Builtin. See timed.go for a small
// example, and burst_test.go for a type a test adds.
type Kind struct {
	// Type is the name experiments write in [[workload]] type.
	Type Type
	// Doc is a one-line description for byzsim list.
	Doc string
	// Keys are the type's own keys of a [[workload]] table, beyond the
	// common name, type, count, clients, timeout, start and payload.
	Keys []Key
	// Decode returns the type's parameters from the values of its keys
	// (absent keys are unset), defaults not yet filled.
	Decode func(v Values) Params
}

// Key is a [[workload]] key only some types take.
type Key struct {
	// Name is the key, as in experiment files and FieldError.Field.
	Name string
	// Noun is how an error about a type that does not take the key names
	// it: "only open_loop workloads take a rate".
	Noun string
}

// Kinds is a list of workload types, in the order byzsim lists them.
type Kinds []Kind

// Builtin returns byzsim's workload types: the one place a type registers.
func Builtin() Kinds {
	return Kinds{retransmitKind(), floodKind(), timedKind(), openLoopKind(), closedLoopKind(), saturatedKind()}
}

// Lookup returns the kind named t.
func (ks Kinds) Lookup(t Type) (Kind, bool) {
	for _, k := range ks {
		if k.Type == t {
			return k, true
		}
	}
	return Kind{}, false
}

// Named lists the kinds' names and docs.
func (ks Kinds) Named() []protocols.Named {
	out := make([]protocols.Named, len(ks))
	for i, k := range ks {
		out[i] = protocols.Named{Name: string(k.Type), Doc: k.Doc}
	}
	return out
}

func (ks Kinds) names() string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = string(k.Type)
	}
	return strings.Join(names, ", ")
}

// ParseType returns the builtin type named s.
func ParseType(s string) (Type, error) {
	ks := Builtin()
	if _, ok := ks.Lookup(Type(s)); !ok {
		return "", fmt.Errorf("workloads: unknown workload type %q (want %s)", s, ks.names())
	}
	return Type(s), nil
}

// Values are the type-specific keys set in a [[workload]] table, in the
// experiment schema's order, holding durations as sim.Time, lists of
// durations as []sim.Time, distributions as sim.Dist, rates and factors as
// float64 and counts as int.
type Values []Value

// Value is one key and its value.
type Value struct {
	Key string
	V   any
}

func (v Values) get(key string) any {
	for _, x := range v {
		if x.Key == key {
			return x.V
		}
	}
	return nil
}

// Time returns a duration key's value; 0 when unset.
func (v Values) Time(key string) sim.Time { t, _ := v.get(key).(sim.Time); return t }

// Times returns a list-of-durations key's value; nil when unset.
func (v Values) Times(key string) []sim.Time { t, _ := v.get(key).([]sim.Time); return t }

// Float returns a number key's value; 0 when unset.
func (v Values) Float(key string) float64 { f, _ := v.get(key).(float64); return f }

// Int returns a count key's value; 0 when unset.
func (v Values) Int(key string) int { n, _ := v.get(key).(int); return n }

// Dist returns a distribution key's value; nil when unset.
func (v Values) Dist(key string) sim.Dist { d, _ := v.get(key).(sim.Dist); return d }

// Build returns the spec of one [[workload]] table — the common fields of c,
// the type typ and the values of the type-specific keys set — with its
// defaults filled and validated: the first problem is a *FieldError naming
// the key. Problems are checked in a fixed order: the type, the common
// keys, keys of other types (in the order of v), then the type's own.
func (ks Kinds) Build(c Spec, typ string, v Values) (Spec, error) {
	k, ok := ks.Lookup(Type(typ))
	switch {
	case typ == "":
		return Spec{}, fieldErr("type", "missing (want one of %s)", ks.names())
	case !ok:
		return Spec{}, fieldErr("type", "unknown workload type %q (want one of %s)", typ, ks.names())
	}
	c.Params = k.Decode(v)
	s := c.WithDefaults()
	if err := s.validateCommon(); err != nil {
		return Spec{}, err
	}
	for _, x := range v {
		if !k.takes(x.Key) {
			return Spec{}, ks.foreign(x.Key, k.Type)
		}
	}
	if err := s.Params.Validate(&s); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func (k Kind) takes(key string) bool {
	for _, x := range k.Keys {
		if x.Name == key {
			return true
		}
	}
	return false
}

// foreign is the error of key set on a workload of type t, which does not
// take it.
func (ks Kinds) foreign(key string, t Type) *FieldError {
	var takers []string
	noun := key
	for _, k := range ks {
		for _, x := range k.Keys {
			if x.Name == key {
				takers = append(takers, string(k.Type))
				noun = x.Noun
			}
		}
	}
	if len(takers) == 0 {
		return fieldErr(key, "no workload type takes %s (this one is %s)", key, t)
	}
	return fieldErr(key, "only %s workloads take %s (this one is %s)", strings.Join(takers, " and "), noun, t)
}
