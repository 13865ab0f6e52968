package workloads

import "github.com/byzsim/byzsim/sim"

// This file is a whole workload type written for a test, to show that a
// type is one file: "burst" issues size requests at once every period and
// never resends. Tests register it with append(Builtin(), BurstKind()).

// BurstKind returns the burst type's Kind.
func BurstKind() Kind {
	return Kind{
		Type: "burst",
		Doc:  "size requests at once every period, never resent",
		Keys: []Key{{"size", "a burst size"}, {"period", "a period"}},
		Decode: func(v Values) Params {
			return &BurstParams{Size: v.Int("size"), Period: v.Time("period")}
		},
	}
}

// BurstParams are the parameters of a burst workload.
type BurstParams struct {
	clientDefaults
	// Size is the number of requests of a burst (size), ≥ 1. Default 1.
	Size int
	// Period is the time between bursts (period), > 0.
	Period sim.Time
}

// Type implements Params.
func (*BurstParams) Type() Type { return "burst" }

// WithDefaults implements Params.
func (p *BurstParams) WithDefaults() Params {
	d := *p
	if d.Size == 0 {
		d.Size = 1
	}
	return &d
}

// Validate implements Params.
func (p *BurstParams) Validate(*Spec) *FieldError {
	if p.Size < 1 {
		return fieldErr("size", "must be ≥ 1, got %d", p.Size)
	}
	if p.Period <= 0 {
		return fieldErr("period", "must be > 0, got %v", p.Period)
	}
	return nil
}

// Values implements Params.
func (p *BurstParams) Values() Values { return Values{{"size", p.Size}, {"period", p.Period}} }

func (p *BurstParams) start(c *Client) { p.next(c) }

func (p *BurstParams) next(c *Client) {
	for k := 0; k < p.Size && c.next < c.spec.Count; k++ {
		c.issue()
	}
	c.pace()
}

func (p *BurstParams) gap(*Client) sim.Time { return p.Period }
