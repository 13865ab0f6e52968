package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/sim"
)

// Planted bugs, off by default, and the DiemBFT test parameter each sets.
var bugParams = map[string]string{
	"conflicting_votes":      "bug_vote_lt",
	"small_quorum":           "bug_small_quorum",
	"vote_to_current_leader": "bug_vote_current_leader",
	"one_chain_commit":       "bug_one_chain_commit",
}

// Bugs lists the planted bug names in order.
func Bugs() []string {
	out := make([]string, 0, len(bugParams))
	for b := range bugParams {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

// CheckBug returns an error naming the allowed bugs when name is unknown.
func CheckBug(name string) error {
	if _, ok := bugParams[name]; !ok {
		return fmt.Errorf("unknown bug %q (allowed: %s)", name, strings.Join(Bugs(), ", "))
	}
	return nil
}

// Settings are what a run needs besides the scenario.
type Settings struct {
	N, F, T     int
	Delta       sim.Time // Δ, the bound on message delay after GST
	Delay       sim.Time // constant link delay, in (0, Δ]
	TimerFactor int      // round timer = TimerFactor × Δ
	Seed        uint64   // keys and streams
	Bugs        []string // planted bugs, sorted
}

// Validate checks the settings; the error names the field.
func (s *Settings) Validate() error {
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
		if err := CheckBug(b); err != nil {
			return fmt.Errorf("bugs: %v", err)
		}
	}
	return nil
}

// Header is the scenario-file header of these settings.
func (s *Settings) Header() twins.Header {
	return twins.Header{
		Format: twins.Format, N: s.N, F: s.F, T: s.T,
		Delta: s.Delta.String(), Delay: s.Delay.String(), TimerFactor: s.TimerFactor,
		Seed: s.Seed, Bugs: append([]string(nil), s.Bugs...),
	}
}

// FromHeader reads settings from a scenario-file header.
func FromHeader(h twins.Header) (Settings, error) {
	s := Settings{N: h.N, F: h.F, T: h.T, TimerFactor: h.TimerFactor, Seed: h.Seed, Bugs: append([]string(nil), h.Bugs...)}
	var err error
	if s.Delta, err = sim.ParseDuration(h.Delta); err != nil {
		return s, fmt.Errorf("delta: %v", err)
	}
	if s.Delay, err = sim.ParseDuration(h.Delay); err != nil {
		return s, fmt.Errorf("delay: %v", err)
	}
	sort.Strings(s.Bugs)
	return s, s.Validate()
}

// params are the DiemBFT parameters of the settings.
func (s *Settings) params() protocols.Params {
	p := protocols.Defaults(diembft.ParamSpecs())
	p["transmission_delay_bound"] = s.Delta
	p["timer_factor"] = int64(s.TimerFactor)
	p["block_size"] = int64(1)
	for _, b := range s.Bugs {
		p[bugParams[b]] = true
	}
	return p
}

// RoundTimer is TimerFactor × Δ.
func (s *Settings) RoundTimer() sim.Time { return sim.Time(s.TimerFactor) * s.Delta }
