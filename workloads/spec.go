package workloads

import (
	"fmt"
	"math"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Type is a workload type, as written in experiment files.
type Type string

// Workload types.
const (
	// Retransmit keeps one request outstanding per client and resends it
	// with exponential backoff until it completes (the reference's
	// retransmit).
	Retransmit Type = "retransmit"
	// Flood sends every request at the start and never resends (the
	// reference's flood).
	Flood Type = "flood"
	// Timed sends requests separated by the given delays and never resends
	// (the reference's timed).
	Timed Type = "timed"
	// OpenLoop sends requests as a Poisson process at a rate per client,
	// whatever the replies (throughput curves).
	OpenLoop Type = "open_loop"
	// ClosedLoop keeps k requests outstanding per client, with a think time
	// between a completion and the next request.
	ClosedLoop Type = "closed_loop"
	// Saturated puts every request in every replica's queue before the run
	// starts, as if clients had sent them all at time 0, and has no client
	// nodes: no request or reply crosses the network, every leader always
	// has full blocks while requests remain, and a request completes when
	// n−f correct replicas committed the entry that carries it (throughput
	// from commits). Benchmark shapes of simulators that model no clients.
	Saturated Type = "saturated"
)

var typeDocs = []protocols.Named{
	{Name: string(Retransmit), Doc: "one outstanding request per client, resent with exponential backoff until f+1 matching replies"},
	{Name: string(Flood), Doc: "all requests sent at the start, never resent"},
	{Name: string(Timed), Doc: "requests sent after the given delays between consecutive requests, never resent"},
	{Name: string(OpenLoop), Doc: "Poisson arrivals at rate requests/s per client, whatever the replies; incomplete requests resent every retransmit_after"},
	{Name: string(ClosedLoop), Doc: "k outstanding requests per client, a think time between a completion and the next request; incomplete requests resent every retransmit_after"},
	{Name: string(Saturated), Doc: "every request in every replica's queue from the start, no client messages; a request completes when n−f correct replicas committed it (latency counts from time 0)"},
}

// Types lists the workload types with a one-line description each, in a
// fixed order.
func Types() []protocols.Named {
	return append([]protocols.Named(nil), typeDocs...)
}

// ParseType returns the type named s.
func ParseType(s string) (Type, error) {
	for _, d := range typeDocs {
		if d.Name == s {
			return Type(s), nil
		}
	}
	return "", fmt.Errorf("workloads: unknown workload type %q (want %s)", s, typeList())
}

func typeList() string {
	names := make([]string, len(typeDocs))
	for i, d := range typeDocs {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}

// Defaults of Spec fields (see Spec.WithDefaults). The retransmit values
// mirror the DiemBFT reference client: a 1 s initial timeout, doubled on
// each expiry and halved after each success. The reference had no cap and
// let the timeout fall below its initial value; byzsim caps it at
// DefaultMaxTimeout (2⁶ × the initial value) and never goes below the
// initial value.
const (
	DefaultClients        = 1
	DefaultInitialTimeout = sim.Second
	DefaultMaxTimeout     = 64 * sim.Second
	DefaultBackoff        = 2.0
	DefaultDecay          = 2.0
	DefaultOutstanding    = 1
	// DefaultRetransmitAfter is the resend period of open- and closed-loop
	// clients. Real BFT clients resend a request that has not completed
	// after a timeout (PBFT's client retransmits to all replicas when its
	// timer expires; the DiemBFT reference client after 1 s, doubling),
	// because replicas may drop a request they cannot order yet (e.g.
	// BFTList before its first view is established) and the client is the
	// only one that knows it is still waiting. byzsim takes the reference
	// client's first timeout, resent at that period; NoRetransmit turns
	// resending off.
	DefaultRetransmitAfter = sim.Second
	// NoRetransmit as Spec.RetransmitAfter never resends: a request the
	// replicas drop is never completed.
	NoRetransmit = sim.Never
)

// maxRate bounds OpenLoop.Rate so that the mean gap is at least 1 ns.
const maxRate = 1e9

// Spec describes one workload. Field comments give the experiment-file key
// (the name FieldError reports), the unit and the limits. Fields that a
// type does not use must be left zero.
type Spec struct {
	// Name identifies the workload in observations, records and errors
	// (name); letters, digits, '_', '-' and '.'. Default: the type. Names are
	// unique within an experiment.
	Name string
	// Type is the workload type (type).
	Type Type
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

	// Delays are the gaps between consecutive requests of a client (delays;
	// timed only): exactly Count−1 durations, each ≥ 0.
	Delays []sim.Time

	// Rate is the mean number of requests per second per client (rate;
	// open_loop only), in (0, 1e9].
	Rate float64

	// Outstanding is the number of requests each client keeps in flight
	// (outstanding; closed_loop only), ≥ 1. Default 1.
	Outstanding int
	// Think is the time between a completion and the next request (think;
	// closed_loop only); nil means none. Draws below zero count as zero.
	Think sim.Dist

	// RetransmitAfter resends an incomplete request every RetransmitAfter
	// since its last transmission (retransmit_after; open_loop and
	// closed_loop only), > 0, or NoRetransmit (never). Default
	// DefaultRetransmitAfter.
	RetransmitAfter sim.Time

	// InitialTimeout is the retransmission timeout of a client's first
	// request (initial_timeout; retransmit only), > 0. Default 1s.
	InitialTimeout sim.Time
	// MaxTimeout caps the retransmission timeout (max_timeout; retransmit
	// only), ≥ InitialTimeout. Default the larger of 64s and InitialTimeout.
	MaxTimeout sim.Time
	// Backoff multiplies the timeout each time it expires (backoff;
	// retransmit only), ≥ 1. Default 2.
	Backoff float64
	// Decay divides the timeout after each completed request, never below
	// InitialTimeout (decay; retransmit only), ≥ 1. Default 2.
	Decay float64
}

// resends reports whether the workload's clients resend an incomplete
// request at a fixed period (open and closed loop, unless NoRetransmit).
func (s *Spec) resends() bool {
	return (s.Type == OpenLoop || s.Type == ClosedLoop) && s.RetransmitAfter > 0 && s.RetransmitAfter != NoRetransmit
}

// Total is the number of requests of the workload: Count × Clients.
func (s *Spec) Total() int { return s.Count * s.Clients }

// WithDefaults returns a copy of s whose unset fields hold their defaults:
// Name the type, Clients 1, and the defaults of the fields the type uses
// (retransmit: InitialTimeout, MaxTimeout, Backoff, Decay; closed_loop:
// Outstanding, RetransmitAfter; open_loop: RetransmitAfter). Delays are copied, so the result shares nothing mutable
// with s.
func (s Spec) WithDefaults() Spec {
	if s.Name == "" {
		s.Name = string(s.Type)
	}
	if s.Clients == 0 {
		s.Clients = DefaultClients
	}
	switch s.Type {
	case Retransmit:
		if s.InitialTimeout == 0 {
			s.InitialTimeout = DefaultInitialTimeout
		}
		if s.MaxTimeout == 0 {
			s.MaxTimeout = max(DefaultMaxTimeout, s.InitialTimeout)
		}
		if s.Backoff == 0 {
			s.Backoff = DefaultBackoff
		}
		if s.Decay == 0 {
			s.Decay = DefaultDecay
		}
	case ClosedLoop:
		if s.Outstanding == 0 {
			s.Outstanding = DefaultOutstanding
		}
	}
	if (s.Type == OpenLoop || s.Type == ClosedLoop) && s.RetransmitAfter == 0 {
		s.RetransmitAfter = DefaultRetransmitAfter
	}
	if s.Delays != nil {
		s.Delays = append([]sim.Time(nil), s.Delays...)
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
	if _, err := ParseType(string(s.Type)); err != nil {
		if s.Type == "" {
			return fieldErr("type", "missing (want one of %s)", typeList())
		}
		return fieldErr("type", "unknown workload type %q (want one of %s)", s.Type, typeList())
	}
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
	if s.Type != Timed && s.Delays != nil {
		return fieldErr("delays", "only timed workloads take delays (this one is %s)", s.Type)
	}
	if s.Type != OpenLoop && s.Rate != 0 {
		return fieldErr("rate", "only open_loop workloads take a rate (this one is %s)", s.Type)
	}
	if s.Type != ClosedLoop && s.Outstanding != 0 {
		return fieldErr("outstanding", "only closed_loop workloads take outstanding (this one is %s)", s.Type)
	}
	if s.Type != ClosedLoop && s.Think != nil {
		return fieldErr("think", "only closed_loop workloads take a think time (this one is %s)", s.Type)
	}
	if s.Type != OpenLoop && s.Type != ClosedLoop && s.RetransmitAfter != 0 {
		return fieldErr("retransmit_after", "only open_loop and closed_loop workloads take retransmit_after (this one is %s)", s.Type)
	}
	if s.Type != Retransmit {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"initial_timeout", s.InitialTimeout != 0},
			{"max_timeout", s.MaxTimeout != 0},
			{"backoff", s.Backoff != 0},
			{"decay", s.Decay != 0},
		} {
			if f.set {
				return fieldErr(f.name, "only retransmit workloads take %s (this one is %s)", f.name, s.Type)
			}
		}
	}
	switch s.Type {
	case Timed:
		if len(s.Delays) != s.Count-1 {
			return fieldErr("delays", "must hold count−1 = %d durations (one between each two consecutive requests), got %d", s.Count-1, len(s.Delays))
		}
		for i, d := range s.Delays {
			if d < 0 {
				return fieldErr(fmt.Sprintf("delays[%d]", i), "must be ≥ 0, got %v", d)
			}
		}
	case OpenLoop:
		if !(s.Rate > 0 && s.Rate <= maxRate) { // also rejects NaN
			return fieldErr("rate", "must be in (0, %g] requests/s, got %g", float64(maxRate), s.Rate)
		}
		if s.RetransmitAfter <= 0 {
			return fieldErr("retransmit_after", "must be > 0 (or never), got %v", s.RetransmitAfter)
		}
	case ClosedLoop:
		if s.Outstanding < 1 {
			return fieldErr("outstanding", "must be ≥ 1, got %d", s.Outstanding)
		}
		if s.Think != nil && s.Think.Mean() < 0 {
			return fieldErr("think", "must not be negative, got %v", s.Think)
		}
		if s.RetransmitAfter <= 0 {
			return fieldErr("retransmit_after", "must be > 0 (or never), got %v", s.RetransmitAfter)
		}
	case Saturated:
		if s.Start != 0 {
			return fieldErr("start", "a saturated workload's requests are queued when the run starts: start must be 0, got %v", s.Start)
		}
	case Retransmit:
		if s.InitialTimeout <= 0 {
			return fieldErr("initial_timeout", "must be > 0, got %v", s.InitialTimeout)
		}
		if s.MaxTimeout < s.InitialTimeout {
			return fieldErr("max_timeout", "must be ≥ initial_timeout (%v), got %v", s.InitialTimeout, s.MaxTimeout)
		}
		if !(s.Backoff >= 1) || math.IsInf(s.Backoff, 0) {
			return fieldErr("backoff", "must be a finite factor ≥ 1, got %g", s.Backoff)
		}
		if !(s.Decay >= 1) || math.IsInf(s.Decay, 0) {
			return fieldErr("decay", "must be a finite factor ≥ 1, got %g", s.Decay)
		}
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
