package twinsrun

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Base is what a Twins search takes from an ordinary experiment (byzsim
// explore with generator "twins"): its name, protocol, size, seed,
// protocol parameters and budget, and the [explore.twins] table, which
// holds the keys of a Twins experiment file that the experiment does not
// set (t, partitions, rounds, leaders, drops, quorum_filter, gst_rounds,
// delay, sampling, skip).
type Base struct {
	Name, Description string
	// Protocol is the experiment's protocol.name, looked up in Protocols.
	Protocol  string
	Protocols Protocols
	N, F      int
	Seed      uint64
	// Params are the experiment's protocol.params: the protocol's Δ and
	// timer factor parameters (TwinsSupport.DeltaParam and
	// TimerFactorParam) and its planted bugs' switches.
	Params map[string]any
	// Scenarios is the budget (explore.schedules).
	Scenarios int64
	// Table is [explore.twins].
	Table map[string]any
}

// tableKeys are the keys [explore.twins] may hold.
var tableKeys = []string{"t", "partitions", "rounds", "leaders", "drops", "quorum_filter", "gst_rounds", "delay", "sampling", "skip"}

// FromBase builds the Twins experiment of an ordinary experiment. An
// error is an *experiments.Error whose Key names the experiment's key
// (protocol.params.X, explore.twins.X, explore.schedules, …); its File
// and Line are left for the caller to locate.
func FromBase(b Base) (*Experiment, error) {
	bad := func(key, format string, args ...any) error {
		return &experiments.Error{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	proto, err := b.Protocols.Lookup(b.Protocol)
	if err != nil {
		return nil, bad("explore.generator", "%v; use generator \"random\"", err)
	}
	ts := proto.Twins
	f := map[string]any{"name": b.Name, "description": b.Description, "protocol": proto.Name, "n": int64(b.N), "f": int64(b.F),
		"seed": fmt.Sprint(b.Seed), "scenarios": b.Scenarios}
	// origin maps a Twins file key to the experiment key it comes from.
	origin := map[string]string{"name": "name", "description": "description", "protocol": "protocol.name", "n": "protocol.n", "f": "protocol.f",
		"seed": "seed", "scenarios": "explore.schedules", "bugs": "protocol.params"}
	var bugs []string
	names := make([]string, 0, len(b.Params))
	for k := range b.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := b.Params[k]
		key := "protocol.params." + k
		bug, isBug := ts.BugByParam(k)
		switch {
		case k == ts.DeltaParam && k != "":
			d, err := duration(v)
			if err != nil {
				return nil, bad(key, "%v", err)
			}
			f["delta"], origin["delta"] = d.String(), key
		case k == ts.TimerFactorParam && k != "":
			n, ok := v.(int64)
			if !ok {
				return nil, bad(key, "want an integer, got %v", v)
			}
			f["timer_factor"], origin["timer_factor"] = n, key
		case isBug:
			on, ok := v.(bool)
			switch {
			case !ok:
				return nil, bad(key, "want true or false, got %v", v)
			case on:
				bugs = append(bugs, bug.Name)
			}
		case strings.HasPrefix(k, "bug_"):
			return nil, bad(key, "Twins scenarios cannot plant this bug (allowed: %s)", strings.Join(bugSwitches(ts), ", "))
		default:
			return nil, bad(key, "Twins scenarios do not take this parameter (allowed: %s)", strings.Join(twinsParams(ts), ", "))
		}
	}
	if len(bugs) > 0 {
		f["bugs"] = bugs
	}
	tk := make([]string, 0, len(b.Table))
	for k := range b.Table {
		tk = append(tk, k)
	}
	sort.Strings(tk)
	for _, k := range tk {
		known := false
		for _, a := range tableKeys {
			known = known || a == k
		}
		if !known {
			return nil, bad("explore.twins."+k, "unknown key (allowed: %s)", strings.Join(tableKeys, ", "))
		}
		f[k], origin[k] = b.Table[k], "explore.twins."+k
	}
	var text bytes.Buffer
	if err := toml.NewEncoder(&text).Encode(f); err != nil {
		return nil, bad("explore.twins", "%v", err)
	}
	e, err := Parse("explore.twins", text.Bytes(), Overrides{}, b.Protocols)
	if err != nil {
		key, msg := "explore.twins", err.Error()
		if ce := firstError(err); ce != nil {
			key, msg = origin[ce.Key], ce.Msg
			if key == "" {
				key = "explore.twins"
			}
		}
		return nil, &experiments.Error{Key: key, Msg: msg}
	}
	return e, nil
}

// firstError is the first located error of err, nil if none.
func firstError(err error) *experiments.Error {
	var es experiments.Errors
	if errors.As(err, &es) && len(es) > 0 {
		return es[0]
	}
	var e *experiments.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// twinsParams lists the protocol parameters a Twins search takes from an
// experiment: Δ, the timer factor and the planted bugs' switches.
func twinsParams(ts *protocols.TwinsSupport) []string {
	var out []string
	for _, p := range []string{ts.DeltaParam, ts.TimerFactorParam} {
		if p != "" {
			out = append(out, p)
		}
	}
	out = append(out, bugSwitches(ts)...)
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// bugSwitches lists the protocol parameters that plant Twins' bugs.
func bugSwitches(ts *protocols.TwinsSupport) []string {
	out := make([]string, 0, len(ts.Bugs))
	for _, b := range ts.Bugs {
		out = append(out, b.Param)
	}
	sort.Strings(out)
	return out
}

// duration reads a duration parameter as decoded from an experiment file
// (a string such as "500ms") or already resolved.
func duration(v any) (sim.Time, error) {
	switch d := v.(type) {
	case string:
		return sim.ParseDuration(d)
	case sim.Time:
		return d, nil
	case interface{ T() sim.Time }:
		return d.T(), nil
	}
	return 0, fmt.Errorf("want a duration such as \"1s\", got %v", v)
}
