package workloads

import (
	"math"

	"github.com/byzsim/byzsim/sim"
)

// Retransmit keeps one request outstanding per client and resends it with
// exponential backoff until it completes (the reference's retransmit).
const Retransmit Type = "retransmit"

// Defaults of RetransmitParams. They mirror the reference retransmitting
// client (the one the reference experiment configurations use): a
// 1 s initial timeout, doubled on each expiry and halved after each
// success. The reference had no cap and let the timeout fall below its
// initial value; byzsim caps it at DefaultMaxTimeout (2⁶ × the initial
// value) and never goes below the initial value.
const (
	DefaultInitialTimeout = sim.Second
	DefaultMaxTimeout     = 64 * sim.Second
	DefaultBackoff        = 2.0
	DefaultDecay          = 2.0
)

func retransmitKind() Kind {
	return Kind{
		Type: Retransmit,
		Doc:  "one outstanding request per client, resent with exponential backoff until f+1 matching replies",
		Keys: []Key{{"initial_timeout", "initial_timeout"}, {"max_timeout", "max_timeout"}, {"backoff", "backoff"}, {"decay", "decay"}},
		Decode: func(v Values) Params {
			return &RetransmitParams{InitialTimeout: v.Time("initial_timeout"), MaxTimeout: v.Time("max_timeout"),
				Backoff: v.Float("backoff"), Decay: v.Float("decay")}
		},
	}
}

// RetransmitParams are the parameters of a retransmit workload.
type RetransmitParams struct {
	clientDefaults
	// InitialTimeout is the retransmission timeout of a client's first
	// request (initial_timeout), > 0. Default 1s.
	InitialTimeout sim.Time
	// MaxTimeout caps the retransmission timeout (max_timeout), ≥
	// InitialTimeout. Default the larger of 64s and InitialTimeout.
	MaxTimeout sim.Time
	// Backoff multiplies the timeout each time it expires (backoff), ≥ 1.
	// Default 2.
	Backoff float64
	// Decay divides the timeout after each completed request, never below
	// InitialTimeout (decay), ≥ 1. Default 2.
	Decay float64
}

// Type implements Params.
func (*RetransmitParams) Type() Type { return Retransmit }

// WithDefaults implements Params.
func (p *RetransmitParams) WithDefaults() Params {
	d := *p
	if d.InitialTimeout == 0 {
		d.InitialTimeout = DefaultInitialTimeout
	}
	if d.MaxTimeout == 0 {
		d.MaxTimeout = max(DefaultMaxTimeout, d.InitialTimeout)
	}
	if d.Backoff == 0 {
		d.Backoff = DefaultBackoff
	}
	if d.Decay == 0 {
		d.Decay = DefaultDecay
	}
	return &d
}

// Validate implements Params.
func (p *RetransmitParams) Validate(*Spec) *FieldError {
	if p.InitialTimeout <= 0 {
		return fieldErr("initial_timeout", "must be > 0, got %v", p.InitialTimeout)
	}
	if p.MaxTimeout < p.InitialTimeout {
		return fieldErr("max_timeout", "must be ≥ initial_timeout (%v), got %v", p.InitialTimeout, p.MaxTimeout)
	}
	if !(p.Backoff >= 1) || math.IsInf(p.Backoff, 0) {
		return fieldErr("backoff", "must be a finite factor ≥ 1, got %g", p.Backoff)
	}
	if !(p.Decay >= 1) || math.IsInf(p.Decay, 0) {
		return fieldErr("decay", "must be a finite factor ≥ 1, got %g", p.Decay)
	}
	return nil
}

// Values implements Params.
func (p *RetransmitParams) Values() Values {
	return Values{{"initial_timeout", p.InitialTimeout}, {"max_timeout", p.MaxTimeout}, {"backoff", p.Backoff}, {"decay", p.Decay}}
}

func (p *RetransmitParams) start(c *Client) {
	c.rto = p.InitialTimeout
	c.issue()
}

func (p *RetransmitParams) firstResend(c *Client) (sim.Time, bool) { return c.rto, true }

func (p *RetransmitParams) nextResend(c *Client) sim.Time {
	c.rto = min(scale(c.rto, p.Backoff), p.MaxTimeout)
	return c.rto
}

func (p *RetransmitParams) completed(c *Client) {
	c.rto = max(scale(c.rto, 1/p.Decay), p.InitialTimeout)
	if c.next < c.spec.Count {
		c.issue()
	}
}
