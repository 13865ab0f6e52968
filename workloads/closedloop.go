package workloads

import "github.com/byzsim/byzsim/sim"

// ClosedLoop keeps k requests outstanding per client, with a think time
// between a completion and the next request.
const ClosedLoop Type = "closed_loop"

// DefaultOutstanding is ClosedLoopParams.Outstanding's default.
const DefaultOutstanding = 1

func closedLoopKind() Kind {
	return Kind{
		Type: ClosedLoop,
		Doc:  "k outstanding requests per client, a think time between a completion and the next request; incomplete requests resent every retransmit_after",
		Keys: []Key{{"outstanding", "outstanding"}, {"think", "a think time"}, {"retransmit_after", "retransmit_after"}},
		Decode: func(v Values) Params {
			return &ClosedLoopParams{Outstanding: v.Int("outstanding"), Think: v.Dist("think"), RetransmitAfter: v.Time("retransmit_after")}
		},
	}
}

// ClosedLoopParams are the parameters of a closed-loop workload.
type ClosedLoopParams struct {
	clientDefaults
	// Outstanding is the number of requests each client keeps in flight
	// (outstanding), ≥ 1. Default 1.
	Outstanding int
	// Think is the time between a completion and the next request
	// (think); nil means none. Draws below zero count as zero.
	Think sim.Dist
	// RetransmitAfter resends an incomplete request every RetransmitAfter
	// since its last transmission (retransmit_after), > 0, or
	// NoRetransmit (never). Default DefaultRetransmitAfter.
	RetransmitAfter sim.Time
}

// Type implements Params.
func (*ClosedLoopParams) Type() Type { return ClosedLoop }

// WithDefaults implements Params.
func (p *ClosedLoopParams) WithDefaults() Params {
	d := *p
	if d.Outstanding == 0 {
		d.Outstanding = DefaultOutstanding
	}
	d.RetransmitAfter = resendDefault(d.RetransmitAfter)
	return &d
}

// Validate implements Params.
func (p *ClosedLoopParams) Validate(*Spec) *FieldError {
	if p.Outstanding < 1 {
		return fieldErr("outstanding", "must be ≥ 1, got %d", p.Outstanding)
	}
	if p.Think != nil && p.Think.Mean() < 0 {
		return fieldErr("think", "must not be negative, got %v", p.Think)
	}
	return validateResend(p.RetransmitAfter)
}

// Values implements Params.
func (p *ClosedLoopParams) Values() Values {
	v := Values{{"outstanding", p.Outstanding}}
	if p.Think != nil {
		v = append(v, Value{"think", p.Think})
	}
	return append(v, Value{"retransmit_after", p.RetransmitAfter})
}

func (p *ClosedLoopParams) start(c *Client) {
	for c.next < min(p.Outstanding, c.spec.Count) {
		c.issue()
	}
}

func (*ClosedLoopParams) next(c *Client) { c.issue() }

func (p *ClosedLoopParams) firstResend(*Client) (sim.Time, bool) {
	return resendPeriod(p.RetransmitAfter)
}
func (p *ClosedLoopParams) nextResend(*Client) sim.Time { return p.RetransmitAfter }

func (p *ClosedLoopParams) completed(c *Client) {
	if c.next >= c.spec.Count {
		return
	}
	think := sim.Time(0)
	if p.Think != nil {
		think = p.Think.Sample(c.rng)
	}
	if think <= 0 {
		c.issue()
		return
	}
	c.thinking++
	c.env.SetTimer(think, timerNext, 0)
}
