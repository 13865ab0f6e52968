package workloads

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// Timed sends requests separated by the given delays and never resends
// (the reference's timed).
const Timed Type = "timed"

func timedKind() Kind {
	return Kind{
		Type:   Timed,
		Doc:    "requests sent after the given delays between consecutive requests, never resent",
		Keys:   []Key{{"delays", "delays"}},
		Decode: func(v Values) Params { return &TimedParams{Delays: v.Times("delays")} },
	}
}

// TimedParams are the parameters of a timed workload.
type TimedParams struct {
	clientDefaults
	// Delays are the gaps between consecutive requests of a client
	// (delays): exactly Count−1 durations, each ≥ 0.
	Delays []sim.Time
}

// Type implements Params.
func (*TimedParams) Type() Type { return Timed }

// WithDefaults implements Params: Delays are copied.
func (p *TimedParams) WithDefaults() Params {
	return &TimedParams{Delays: slices.Clone(p.Delays)}
}

// Validate implements Params.
func (p *TimedParams) Validate(s *Spec) *FieldError {
	if len(p.Delays) != s.Count-1 {
		return fieldErr("delays", "must hold count−1 = %d durations (one between each two consecutive requests), got %d", s.Count-1, len(p.Delays))
	}
	for i, d := range p.Delays {
		if d < 0 {
			return fieldErr(fmt.Sprintf("delays[%d]", i), "must be ≥ 0, got %v", d)
		}
	}
	return nil
}

// Values implements Params.
func (p *TimedParams) Values() Values { return Values{{"delays", slices.Clone(p.Delays)}} }

func (*TimedParams) start(c *Client) {
	c.issue()
	c.pace()
}

func (*TimedParams) next(c *Client) {
	c.issue()
	c.pace()
}

func (p *TimedParams) gap(c *Client) sim.Time { return p.Delays[c.next-1] }
