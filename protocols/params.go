package protocols

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// ParamType is the type of a protocol parameter.
type ParamType uint8

const (
	ParamInt      ParamType = iota // int64
	ParamFloat                     // float64
	ParamBool                      // bool
	ParamString                    // string, one of Enum when Enum is set
	ParamDuration                  // sim.Time, written "250ms" in experiments
)

func (t ParamType) String() string {
	switch t {
	case ParamInt:
		return "int"
	case ParamFloat:
		return "float"
	case ParamBool:
		return "bool"
	case ParamString:
		return "string"
	case ParamDuration:
		return "duration"
	}
	return fmt.Sprintf("paramtype(%d)", uint8(t))
}

// ParamSpec describes one protocol parameter. Default has the Go type of
// Type (int64, float64, bool, string or sim.Time). Min and Max bound numeric
// values when Max > Min.
type ParamSpec struct {
	Name     string
	Type     ParamType
	Default  any
	Min, Max float64
	Enum     []string
	Doc      string
}

// Params holds validated parameter values by name.
type Params map[string]any

// Int returns an int parameter; a missing or mistyped one panics (the
// experiment loader validates and fills defaults first).
func (p Params) Int(name string) int64 { return get[int64](p, name) }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { return get[float64](p, name) }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { return get[bool](p, name) }

// String returns a string parameter.
func (p Params) String(name string) string { return get[string](p, name) }

// Duration returns a duration parameter.
func (p Params) Duration(name string) sim.Time { return get[sim.Time](p, name) }

func get[T any](p Params, name string) T {
	v, ok := p[name].(T)
	if !ok {
		panic(fmt.Sprintf("protocols: parameter %q is %T, not %T", name, p[name], v))
	}
	return v
}

// Defaults returns the default value of every parameter in specs.
func Defaults(specs []ParamSpec) Params {
	p := make(Params, len(specs))
	for _, s := range specs {
		p[s.Name] = s.Default
	}
	return p
}
