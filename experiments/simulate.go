package experiments

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// Outcome is the verdict of one run simulated in memory by Simulate.
type Outcome struct {
	// Checks are the run's checks, as summary.json would list them.
	Checks []results.Check
	// End is why the run ended, worded as in summary.json.
	End string
	// Events is the number of simulation events; Now the virtual time at
	// the end.
	Events uint64
	Now    sim.Time
}

// Failed returns the checks that failed, in order.
func (o *Outcome) Failed() []results.Check {
	var out []results.Check
	for _, c := range o.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Prepare fills the defaults of an experiment built or changed in memory
// and validates it against the registry; the error lists the problems by
// key (without lines).
func Prepare(e *Experiment, reg *protocols.Registry) error {
	fillDefaults(e)
	if _, errs := validate(e, reg); len(errs) > 0 {
		return errs.sorted()
	}
	return nil
}

// ProtocolParams returns the protocol parameters of a prepared
// experiment, defaults filled in.
func ProtocolParams(e *Experiment, reg *protocols.Registry) (protocols.Params, error) {
	r, errs := validate(e, reg)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return r.params, nil
}

// Simulate runs a prepared experiment with the given seed in memory and
// returns its checks, writing nothing: the run is the one byzsim run makes
// of the same experiment and seed, so its verdict is the same. poll, when
// not nil, is called every 256 events; the run stops when it returns false
// (End is then sim.Interrupted). A panic inside the simulation is returned
// as an error. Simulate does not change e; several goroutines may simulate
// the same experiment at once.
func Simulate(e *Experiment, seed uint64, reg *protocols.Registry, poll func(sim.Time, uint64) bool) (out Outcome, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error (a byzsim bug; please report it with this experiment and seed %d): %v", seed, v)
		}
	}()
	in, err := build(&Run{Exp: e, Seed: seed}, reg, nil)
	if err != nil {
		return Outcome{}, err
	}
	if poll != nil {
		in.world.SetPoll(poll)
	}
	// The message counts, latencies and timeline only feed output files,
	// which nothing writes here.
	in.world.SetTracer(nil)
	in.lean = true
	in.replicaLog = nil
	ended := in.world.Run(e.Duration.T())
	out = Outcome{End: ended, Events: in.world.Stats().Events, Now: in.world.Now()}
	if ended == sim.Interrupted {
		return out, nil
	}
	out.End = endReason(ended)
	in.markFaultSpans(in.world.Now())
	out.Checks = in.checks()
	return out, nil
}

// MarshalTOML writes an experiment as a TOML experiment file, after the
// given comment lines (each written as "# line").
func MarshalTOML(e *Experiment, comment []string) ([]byte, error) {
	var b strings.Builder
	for _, l := range comment {
		b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	if err := toml.NewEncoder(&b).Encode(e); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.Name, err)
	}
	return []byte(b.String()), nil
}

// Locate returns an error about a key path ("explore.schedules"): at the
// key's line in the file, or, when the value came from the command line,
// without a line and with the key marked "(--set)".
func (s *Source) Locate(key, msg string) *Error {
	if origin, ok := s.overriddenBy(key); ok {
		return &Error{File: s.File, Key: key + " (" + origin + ")", Msg: msg}
	}
	line := s.lines.line(key)
	if line == 0 {
		line = s.lines.loose(key)
	}
	return &Error{File: s.File, Line: line, Key: key, Msg: msg}
}
