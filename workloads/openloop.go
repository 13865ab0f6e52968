package workloads

import (
	"math"

	"github.com/byzsim/byzsim/sim"
)

// OpenLoop sends requests as a Poisson process at a rate per client,
// whatever the replies (throughput curves).
const OpenLoop Type = "open_loop"

// maxRate bounds OpenLoopParams.Rate so that the mean gap is at least 1 ns.
const maxRate = 1e9

func openLoopKind() Kind {
	return Kind{
		Type: OpenLoop,
		Doc:  "Poisson arrivals at rate requests/s per client, whatever the replies; incomplete requests resent every retransmit_after",
		Keys: []Key{{"rate", "a rate"}, {"retransmit_after", "retransmit_after"}},
		Decode: func(v Values) Params {
			return &OpenLoopParams{Rate: v.Float("rate"), RetransmitAfter: v.Time("retransmit_after")}
		},
	}
}

// OpenLoopParams are the parameters of an open-loop workload.
type OpenLoopParams struct {
	clientDefaults
	// Rate is the mean number of requests per second per client (rate),
	// in (0, 1e9].
	Rate float64
	// RetransmitAfter resends an incomplete request every RetransmitAfter
	// since its last transmission (retransmit_after), > 0, or
	// NoRetransmit (never). Default DefaultRetransmitAfter.
	RetransmitAfter sim.Time
}

// Type implements Params.
func (*OpenLoopParams) Type() Type { return OpenLoop }

// WithDefaults implements Params.
func (p *OpenLoopParams) WithDefaults() Params {
	d := *p
	d.RetransmitAfter = resendDefault(d.RetransmitAfter)
	return &d
}

// Validate implements Params.
func (p *OpenLoopParams) Validate(*Spec) *FieldError {
	if !(p.Rate > 0 && p.Rate <= maxRate) { // also rejects NaN
		return fieldErr("rate", "must be in (0, %g] requests/s, got %g", float64(maxRate), p.Rate)
	}
	return validateResend(p.RetransmitAfter)
}

// Values implements Params.
func (p *OpenLoopParams) Values() Values {
	return Values{{"rate", p.Rate}, {"retransmit_after", p.RetransmitAfter}}
}

func (*OpenLoopParams) start(c *Client) { c.pace() }

func (*OpenLoopParams) next(c *Client) {
	c.issue()
	c.pace()
}

func (p *OpenLoopParams) firstResend(*Client) (sim.Time, bool) {
	return resendPeriod(p.RetransmitAfter)
}
func (p *OpenLoopParams) nextResend(*Client) sim.Time { return p.RetransmitAfter }

func (p *OpenLoopParams) gap(c *Client) sim.Time {
	return sim.Time(math.Round(c.rng.ExpFloat64() * float64(sim.Second) / p.Rate))
}
