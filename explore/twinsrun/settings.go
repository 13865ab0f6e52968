package twinsrun

import (
	"fmt"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Protocols is how Twins finds the protocol it runs: the registry, and the
// protocol of Twins files and scenario files that name none.
type Protocols struct {
	Registry *protocols.Registry
	// Default is the protocol of a file without a protocol key.
	Default string
}

// Lookup returns the named protocol ("" is the default). A protocol that
// is unknown or has no Twins support is an error naming the protocols
// that have it.
func (ps Protocols) Lookup(name string) (*protocols.Protocol, error) {
	if name == "" {
		name = ps.Default
	}
	p, ok := ps.Registry.Lookup(name)
	switch {
	case !ok:
		return nil, fmt.Errorf("unknown protocol %q (allowed: %s)", name, strings.Join(ps.Supported(), ", "))
	case p.Twins == nil:
		return nil, fmt.Errorf("protocol %s cannot run Twins scenarios: it declares no Twins support (protocols that do: %s)", name, strings.Join(ps.Supported(), ", "))
	}
	return p, nil
}

// Supported lists the registered protocols with Twins support, sorted.
func (ps Protocols) Supported() []string {
	return Supported(ps.Registry)
}

// Supported lists the protocols of a registry that have Twins support,
// sorted.
func Supported(reg *protocols.Registry) []string {
	var out []string
	for _, n := range reg.Names() {
		if p, _ := reg.Lookup(n); p.Twins != nil {
			out = append(out, n)
		}
	}
	return out
}

// Settings are what a run needs besides the scenario.
type Settings struct {
	// Protocol is the protocol under test; it has Twins support.
	Protocol *protocols.Protocol
	// Named says the protocol was named explicitly (a file's protocol
	// key): the scenario-file header and the summary then name it too;
	// otherwise they leave it implicit, the default.
	Named       bool
	N, F, T     int
	Delta       sim.Time // Δ, the bound on message delay after GST
	Delay       sim.Time // constant link delay, in (0, Δ]
	TimerFactor int      // round timer = TimerFactor × Δ
	Seed        uint64   // keys and streams
	Bugs        []string // planted bugs, sorted
}

// CheckBug returns an error naming the allowed bugs when the protocol has
// no planted bug of that name.
func CheckBug(p *protocols.Protocol, name string) error {
	if p.Twins == nil {
		return fmt.Errorf("protocol %s has no Twins support", p.Name)
	}
	if _, ok := p.Twins.Bug(name); !ok {
		allowed := strings.Join(p.Twins.BugNames(), ", ")
		if allowed == "" {
			allowed = "none: " + p.Name + " plants no bug"
		}
		return fmt.Errorf("unknown bug %q (allowed: %s)", name, allowed)
	}
	return nil
}

// Validate checks the settings; the error names the field.
func (s *Settings) Validate() error {
	if s.Protocol == nil || s.Protocol.Twins == nil {
		return fmt.Errorf("protocol: none with Twins support given")
	}
	h := s.Header()
	if err := h.Validate(); err != nil {
		return err
	}
	switch {
	case s.Delta <= 0:
		return fmt.Errorf("delta: must be > 0")
	case s.Delay <= 0 || s.Delay > s.Delta:
		return fmt.Errorf("delay: must be in (0, delta = %v], got %v", s.Delta, s.Delay)
	case s.TimerFactor < 2 || s.TimerFactor > 100:
		return fmt.Errorf("timer_factor: must be in [2, 100], got %d", s.TimerFactor)
	}
	for _, b := range s.Bugs {
		if err := CheckBug(s.Protocol, b); err != nil {
			return fmt.Errorf("bugs: %v", err)
		}
	}
	return nil
}

// Header is the scenario-file header of these settings.
func (s *Settings) Header() twins.Header {
	h := twins.Header{
		Format: twins.Format, N: s.N, F: s.F, T: s.T,
		Delta: s.Delta.String(), Delay: s.Delay.String(), TimerFactor: s.TimerFactor,
		Seed: s.Seed, Bugs: append([]string(nil), s.Bugs...),
	}
	if s.Named && s.Protocol != nil {
		h.Protocol = s.Protocol.Name
	}
	return h
}

// FromHeader reads settings from a scenario-file header; its protocol
// (the default when it names none) is looked up in ps.
func FromHeader(h twins.Header, ps Protocols) (Settings, error) {
	s := Settings{N: h.N, F: h.F, T: h.T, TimerFactor: h.TimerFactor, Seed: h.Seed, Bugs: append([]string(nil), h.Bugs...)}
	var err error
	if s.Protocol, err = ps.Lookup(h.Protocol); err != nil {
		return s, fmt.Errorf("protocol: %v", err)
	}
	s.Named = h.Protocol != "" && h.Protocol != ps.Default
	if s.Delta, err = sim.ParseDuration(h.Delta); err != nil {
		return s, fmt.Errorf("delta: %v", err)
	}
	if s.Delay, err = sim.ParseDuration(h.Delay); err != nil {
		return s, fmt.Errorf("delay: %v", err)
	}
	sort.Strings(s.Bugs)
	return s, s.Validate()
}

// params are the protocol's parameters for the settings.
func (s *Settings) params() (protocols.Params, error) {
	return s.Protocol.Twins.Params(s.Delta, s.TimerFactor, s.Bugs)
}

// RoundTimer is TimerFactor × Δ.
func (s *Settings) RoundTimer() sim.Time { return sim.Time(s.TimerFactor) * s.Delta }
