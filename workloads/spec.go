package workloads

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// Defaults of the common Spec fields and of the clients' resending (see
// Spec.WithDefaults and each type's file).
const (
	DefaultClients = 1
	// DefaultRetransmitAfter is the resend period of open- and closed-loop
	// clients. Real BFT clients resend a request that has not completed
	// after a timeout (PBFT's client retransmits to all replicas when its
	// timer expires; the reference retransmitting client after 1 s,
	// doubling), because replicas may drop a request they cannot order yet
	// (e.g. before a protocol's first view is established) and the client is the
	// only one that knows it is still waiting. byzsim takes the reference
	// client's first timeout, resent at that period; NoRetransmit turns
	// resending off.
	DefaultRetransmitAfter = sim.Second
	// NoRetransmit as a RetransmitAfter never resends: a request the
	// replicas drop is never completed.
	NoRetransmit = sim.Never
)

// Spec describes one workload: the fields every type has, and the type's
// own parameters. Field comments give the experiment-file key (the name
// FieldError reports), the unit and the limits.
type Spec struct {
	// Name identifies the workload in observations, records and errors
	// (name); letters, digits, '_', '-' and '.'. Default: the type. Names are
	// unique within an experiment.
	Name string
	// Count is the number of requests per client (count), ≥ 1.
	Count int
	// Clients is the number of clients running this workload (clients),
	// ≥ 1. Default 1.
	Clients int
	// Timeout is the workload's deadline, measured from Start (timeout),
	// > 0. The workload fails if its requests have not all completed by then.
	Timeout sim.Time
	// Start is when the workload's clients start (start), ≥ 0.
	Start sim.Time
	// Payload is the size of each request's command in bytes (payload), ≥ 0.
	Payload int
	// Params are the type's own parameters (type): *RetransmitParams,
	// *FloodParams, *TimedParams, *OpenLoopParams, *ClosedLoopParams or
	// *SaturatedParams. They name the type.
	Params Params
}

// Params are one workload type's parameters and the strategy of its
// clients. Implementations are pointers to a struct in the type's file.
type Params interface {
	// Type is the workload type the parameters belong to.
	Type() Type
	// WithDefaults returns a copy whose unset fields hold their defaults,
	// sharing nothing mutable with the receiver.
	WithDefaults() Params
	// Validate reports the first impossible value (defaults filled) of
	// the workload s, which the parameters belong to.
	Validate(s *Spec) *FieldError
	// Values returns the parameters by key, for writing the values used
	// back into the experiment.
	Values() Values

	// start issues a client's first requests when it starts.
	start(c *Client)
	// next issues at a timerNext: the pacer or a think time expired.
	next(c *Client)
	// firstResend returns when a request just issued is resent; false: never.
	firstResend(c *Client) (sim.Time, bool)
	// nextResend returns when a request just resent is resent again.
	nextResend(c *Client) sim.Time
	// gap returns the time from the last issue to the next one (paced types).
	gap(c *Client) sim.Time
	// completed acts on the completion of one of the client's requests.
	completed(c *Client)
	// preloaded reports that the workload has no client nodes: its
	// requests are in every replica's queue from the start (Saturated).
	preloaded() bool
}

// Type returns the workload's type; "" when Params is nil.
func (s *Spec) Type() Type {
	if s.Params == nil {
		return ""
	}
	return s.Params.Type()
}

// Total is the number of requests of the workload: Count × Clients.
func (s *Spec) Total() int { return s.Count * s.Clients }

// WithDefaults returns a copy of s whose unset fields hold their defaults:
// Name the type, Clients 1, and the defaults of the type's parameters. The
// result shares nothing mutable with s.
func (s Spec) WithDefaults() Spec {
	if s.Name == "" {
		s.Name = string(s.Type())
	}
	if s.Clients == 0 {
		s.Clients = DefaultClients
	}
	if s.Params != nil {
		s.Params = s.Params.WithDefaults()
	}
	return s
}

// FieldError reports a Spec field with an impossible value. Field is the
// experiment-file key (see Spec).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate reports the first problem of s with its defaults filled (see
// WithDefaults), as a *FieldError naming the field and saying what is
// allowed; nil means s can run.
func (s Spec) Validate() error {
	d := s.WithDefaults()
	if err := d.validate(); err != nil {
		return err
	}
	return nil
}

func (s *Spec) validate() *FieldError {
	if s.Params == nil {
		return fieldErr("type", "missing (want one of %s)", Builtin().names())
	}
	if err := s.validateCommon(); err != nil {
		return err
	}
	return s.Params.Validate(s)
}

// validateCommon checks the fields every type has.
func (s *Spec) validateCommon() *FieldError {
	if !validName(s.Name) {
		return fieldErr("name", "%q is not a valid name (use letters, digits, '_', '-' and '.')", s.Name)
	}
	if s.Count < 1 {
		return fieldErr("count", "must be ≥ 1, got %d", s.Count)
	}
	if s.Clients < 1 {
		return fieldErr("clients", "must be ≥ 1, got %d", s.Clients)
	}
	if s.Start < 0 {
		return fieldErr("start", "must be ≥ 0, got %v", s.Start)
	}
	if s.Timeout <= 0 {
		return fieldErr("timeout", "must be > 0, got %v", s.Timeout)
	}
	if s.Payload < 0 {
		return fieldErr("payload", "must be ≥ 0 bytes, got %d", s.Payload)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// clientDefaults are the strategy methods a type without them inherits:
// no pacing, no resending, nothing on completion, client nodes.
type clientDefaults struct{}

func (clientDefaults) next(*Client)                         {}
func (clientDefaults) firstResend(*Client) (sim.Time, bool) { return 0, false }
func (clientDefaults) nextResend(*Client) sim.Time          { return 0 }
func (clientDefaults) gap(*Client) sim.Time                 { return 0 }
func (clientDefaults) completed(*Client)                    {}
func (clientDefaults) preloaded() bool                      { return false }

// Fixed-period resending of open- and closed-loop clients, whose
// RetransmitAfter (retransmit_after) is > 0, or NoRetransmit.

func resendDefault(d sim.Time) sim.Time {
	if d == 0 {
		return DefaultRetransmitAfter
	}
	return d
}

func validateResend(d sim.Time) *FieldError {
	if d <= 0 {
		return fieldErr("retransmit_after", "must be > 0 (or never), got %v", d)
	}
	return nil
}

func resendPeriod(d sim.Time) (sim.Time, bool) { return d, d > 0 && d != NoRetransmit }
