package exec

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/sim"
)

// Protocol is the one protocol Twins scenarios run: twins are two
// processes with one identity, which this executor builds from DiemBFT
// replicas.
const Protocol = "diembft"

// Base is what a Twins search takes from an ordinary experiment (byzsim
// explore with generator "twins"): its name, size, seed, protocol
// parameters and budget, and the [explore.twins] table, which holds the
// keys of a Twins experiment file that the experiment does not set
// (t, partitions, rounds, leaders, drops, quorum_filter, gst_rounds,
// delay, sampling, skip).
type Base struct {
	Name, Description string
	N, F              int
	Seed              uint64
	// Params are the experiment's protocol.params: transmission_delay_bound
	// (Δ), timer_factor and the planted bugs' bug_* switches.
	Params map[string]any
	// Scenarios is the budget (explore.schedules).
	Scenarios int64
	// Table is [explore.twins].
	Table map[string]any
}

// tableKeys are the keys [explore.twins] may hold.
var tableKeys = []string{"t", "partitions", "rounds", "leaders", "drops", "quorum_filter", "gst_rounds", "delay", "sampling", "skip"}

// FromBase builds the Twins experiment of an ordinary experiment. An
// error is a *ConfigError whose Key names the experiment's key
// (protocol.params.X, explore.twins.X, explore.schedules, …); its File
// and Line are left for the caller to locate.
func FromBase(b Base) (*Experiment, error) {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	f := map[string]any{"name": b.Name, "description": b.Description, "n": int64(b.N), "f": int64(b.F),
		"seed": fmt.Sprint(b.Seed), "scenarios": b.Scenarios}
	// origin maps a Twins file key to the experiment key it comes from.
	origin := map[string]string{"name": "name", "description": "description", "n": "protocol.n", "f": "protocol.f",
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
		switch {
		case k == "transmission_delay_bound":
			d, err := duration(v)
			if err != nil {
				return nil, bad(key, "%v", err)
			}
			f["delta"], origin["delta"] = d.String(), key
		case k == "timer_factor":
			n, ok := v.(int64)
			if !ok {
				return nil, bad(key, "want an integer, got %v", v)
			}
			f["timer_factor"], origin["timer_factor"] = n, key
		case strings.HasPrefix(k, "bug_"):
			on, ok := v.(bool)
			bug := ""
			for name, param := range bugParams {
				if param == k {
					bug = name
				}
			}
			switch {
			case !ok:
				return nil, bad(key, "want true or false, got %v", v)
			case bug == "":
				return nil, bad(key, "Twins scenarios cannot plant this bug (allowed: %s)", strings.Join(bugSwitches(), ", "))
			case on:
				bugs = append(bugs, bug)
			}
		default:
			return nil, bad(key, "Twins scenarios do not take this parameter (allowed: transmission_delay_bound, timer_factor, %s)", strings.Join(bugSwitches(), ", "))
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
	e, err := Parse("explore.twins", text.Bytes(), Overrides{})
	var ce *ConfigError
	if errors.As(err, &ce) {
		key := origin[ce.Key]
		if key == "" {
			key = "explore.twins"
		}
		return nil, &ConfigError{Key: key, Msg: ce.Msg}
	}
	return e, err
}

// bugSwitches lists the protocol parameters that plant Twins' bugs.
func bugSwitches() []string {
	out := make([]string, 0, len(bugParams))
	for _, p := range bugParams {
		out = append(out, p)
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
