package twinsrun

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// Sampling modes.
const (
	SamplingRandom    = "random"
	SamplingEnumerate = "enumerate"
)

// File is a Twins experiment file (TOML). Every key is optional except n;
// the comments give the defaults.
type File struct {
	Name         string           `toml:"name"`          // default: the file name
	Description  string           `toml:"description"`   //
	Protocol     string           `toml:"protocol"`      // default: Protocols.Default
	N            int              `toml:"n"`             // replicas
	F            *int             `toml:"f"`             // default: the protocol's largest f
	T            *int             `toml:"t"`             // twinned replicas, default f
	Partitions   int              `toml:"partitions"`    // buckets per round, default 2
	Rounds       int              `toml:"rounds"`        // rounds before GST, default 7
	Leaders      string           `toml:"leaders"`       // "twins" (default) or "any"
	Drops        int              `toml:"drops"`         // intra-bucket drops per round, at most; default 0
	QuorumFilter bool             `toml:"quorum_filter"` // keep partitions with a quorum bucket only
	GSTRounds    *int             `toml:"gst_rounds"`    // default 7
	Delta        string           `toml:"delta"`         // Δ, default "1s"
	Delay        string           `toml:"delay"`         // link delay, default Δ/2
	TimerFactor  int              `toml:"timer_factor"`  // round timer = timer_factor × Δ, default 4
	Seed         experiments.Seed `toml:"seed"`          // default 1; a string for seeds above 2^63−1
	Sampling     string           `toml:"sampling"`      // "random" (default) or "enumerate"
	Scenarios    *int64           `toml:"scenarios"`     // scenarios to run, default 1000
	Skip         int64            `toml:"skip"`          // scenarios skipped first
	Bugs         []string         `toml:"bugs"`          // planted bugs
}

// fileKeys lists the keys of File in order, for error messages.
var fileKeys = []string{"name", "description", "protocol", "n", "f", "t", "partitions", "rounds", "leaders", "drops",
	"quorum_filter", "gst_rounds", "delta", "delay", "timer_factor", "seed", "sampling", "scenarios", "skip", "bugs"}

// Experiment is a validated Twins experiment.
type Experiment struct {
	Name      string
	Settings  Settings
	Params    twins.Params
	Sampling  string
	Scenarios int64
	Skip      int64
}

// Overrides are command-line values that replace the file's.
type Overrides struct {
	Protocol  string   // replaces the file's protocol when not empty
	Bugs      []string // added to the file's bugs
	Scenarios *int64
	Seed      *uint64
}

// Load reads, decodes strictly and validates a Twins experiment file. Its
// errors are experiments' located errors (*experiments.Error or
// experiments.Errors: file, line, key).
func Load(path string, ov Overrides, ps Protocols) (*Experiment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &experiments.Error{File: path, Msg: fmt.Sprintf("cannot read twins experiment: %v", err)}
	}
	return Parse(path, data, ov, ps)
}

// Limits on Twins experiments, checked before anything is allocated.
const (
	// MaxFileBytes bounds the size of a Twins experiment file.
	MaxFileBytes = 64 << 10
	// maxNesting bounds the nesting of arrays and inline tables.
	maxNesting = 16
	// maxDelta bounds Δ (1000 hours), which round timers multiply.
	maxDelta = 1000 * 3600 * sim.Second
	// MaxScenarios bounds the scenarios of one experiment (time).
	MaxScenarios = 1_000_000_000
	// maxProcesses bounds n + t, the processes of a run.
	maxProcesses = 16
)

// Parse decodes and validates experiment text; name is used in errors.
func Parse(name string, data []byte, ov Overrides, ps Protocols) (*Experiment, error) {
	var f File
	md, src, err := experiments.DecodeStrict(name, data, &f, experiments.TextLimits{MaxBytes: MaxFileBytes, MaxNesting: maxNesting}, fileKeys)
	if err != nil {
		return nil, err
	}
	bad := func(key, format string, args ...any) error {
		return src.Locate(key, fmt.Sprintf(format, args...))
	}
	e := &Experiment{Name: f.Name}
	if e.Name == "" {
		e.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	if err := checkName(e.Name); err != nil {
		return nil, bad("name", "%q cannot name the output directory: %v", e.Name, err)
	}
	if ov.Protocol != "" {
		f.Protocol = ov.Protocol
	}
	proto, err := ps.Lookup(f.Protocol)
	if err != nil {
		if ov.Protocol != "" {
			return nil, &experiments.Error{File: "--protocol", Msg: err.Error()}
		}
		return nil, bad("protocol", "%v", err)
	}
	if f.N < 1 {
		return nil, bad("n", "want the number of replicas, ≥ 1 (got %d)", f.N)
	}
	maxF := proto.MaxFaulty(f.N)
	if f.N+maxF > maxProcesses {
		return nil, bad("n", "at most %d replicas with their twins (n + t ≤ 16), got n = %d", maxProcesses, f.N)
	}
	fv := maxF
	if f.F != nil {
		fv = *f.F
		if fv < 0 || fv > maxF {
			return nil, bad("f", "%d is out of range for n = %d (allowed: 0 ≤ f ≤ %d)", fv, f.N, maxF)
		}
	}
	tv := fv
	if f.T != nil {
		tv = *f.T
		if tv < 0 || tv > fv {
			return nil, bad("t", "%d twinned replicas is out of range (allowed: 0 ≤ t ≤ f = %d)", tv, fv)
		}
	}
	def := func(key string, v, d int) int {
		if md.IsDefined(key) {
			return v
		}
		return d
	}
	p := twins.Params{N: f.N, F: fv, T: tv, Partitions: def("partitions", f.Partitions, 2), Rounds: def("rounds", f.Rounds, 7),
		Leaders: f.Leaders, Drops: f.Drops, QuorumFilter: f.QuorumFilter, Quorum: proto.Twins.Quorum(f.N, fv), GST: 7}
	if p.Leaders == "" {
		p.Leaders = twins.LeadersTwins
		if tv == 0 {
			p.Leaders = twins.LeadersAny
		}
	}
	if f.GSTRounds != nil {
		p.GST = *f.GSTRounds
	}
	if err := p.Validate(); err == nil {
		if n, limit := roundConfigs(p), float64(twins.MaxConfigs); n > limit {
			return nil, bad(def2("partitions", md.IsDefined("partitions"), "n"), "n + t = %d processes into %d buckets with %d possible leaders make %.3g round configurations (allowed: at most %d; lower partitions or n)",
				p.N+p.T, p.Partitions, leaderCount(p), n, twins.MaxConfigs)
		}
	}
	if err := p.Validate(); err != nil {
		key, msg, _ := strings.Cut(err.Error(), ": ")
		switch key {
		case "partitions", "rounds", "leaders", "drops", "gst_rounds":
			return nil, bad(key, "%s", msg)
		}
		return nil, bad("n", "%v", err)
	}
	e.Params = p
	s := Settings{Protocol: proto, Named: proto.Name != ps.Default, N: f.N, F: fv, T: tv, TimerFactor: def("timer_factor", f.TimerFactor, 4), Seed: 1}
	if f.Seed != 0 || md.IsDefined("seed") {
		s.Seed = uint64(f.Seed)
	}
	if ov.Seed != nil {
		s.Seed = *ov.Seed
	}
	s.Delta = sim.Second
	if f.Delta != "" {
		if s.Delta, err = sim.ParseDuration(f.Delta); err != nil || s.Delta == 0 || s.Delta > maxDelta {
			return nil, bad("delta", "want a positive duration up to %v such as \"1s\" (got %q)", maxDelta, f.Delta)
		}
	}
	s.Delay = s.Delta / 2
	if f.Delay != "" {
		if s.Delay, err = sim.ParseDuration(f.Delay); err != nil || s.Delay == 0 || s.Delay > s.Delta {
			return nil, bad("delay", "want a duration in (0, delta = %v] such as \"500ms\" (got %q)", s.Delta, f.Delay)
		}
	}
	if s.TimerFactor < 2 || s.TimerFactor > 100 {
		return nil, bad("timer_factor", "must be in [2, 100], got %d", s.TimerFactor)
	}
	for _, b := range f.Bugs {
		if err := CheckBug(proto, b); err != nil {
			return nil, bad("bugs", "%v", err)
		}
	}
	for _, b := range ov.Bugs {
		if err := CheckBug(proto, b); err != nil {
			return nil, &experiments.Error{File: "--bug", Msg: err.Error()}
		}
	}
	s.Bugs = dedupSorted(append(append([]string(nil), f.Bugs...), ov.Bugs...))
	e.Settings = s
	e.Sampling = f.Sampling
	if e.Sampling == "" {
		e.Sampling = SamplingRandom
	}
	if e.Sampling != SamplingRandom && e.Sampling != SamplingEnumerate {
		return nil, bad("sampling", "must be %q or %q, got %q", SamplingRandom, SamplingEnumerate, e.Sampling)
	}
	e.Scenarios = 1000
	if f.Scenarios != nil {
		e.Scenarios = *f.Scenarios
		if e.Scenarios < 1 {
			return nil, bad("scenarios", "must be ≥ 1, got %d", e.Scenarios)
		}
		if e.Scenarios > MaxScenarios {
			return nil, bad("scenarios", "%d is too many (allowed: at most %d)", e.Scenarios, MaxScenarios)
		}
	}
	if ov.Scenarios != nil {
		e.Scenarios = *ov.Scenarios
	}
	if e.Scenarios > MaxScenarios {
		return nil, &experiments.Error{File: "--scenarios", Msg: fmt.Sprintf("%d is too many (allowed: at most %d)", e.Scenarios, MaxScenarios)}
	}
	if f.Skip < 0 || f.Skip > math.MaxInt64/2 {
		return nil, bad("skip", "must be in [0, %d], got %d", int64(math.MaxInt64/2), f.Skip)
	}
	e.Skip = f.Skip
	return e, nil
}

func dedupSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Source returns the experiment's scenario source.
func (e *Experiment) Source(g *twins.Generator) Source {
	return func(emit func(twins.Scenario) bool) twins.Stats {
		if e.Sampling == SamplingEnumerate {
			return g.Enumerate(e.Skip, e.Scenarios, emit)
		}
		return g.Sample(e.Settings.Seed, e.Skip, e.Scenarios, emit)
	}
}

// def2 returns key when it is defined in the file, else alt.
func def2(key string, defined bool, alt string) string {
	if defined {
		return key
	}
	return alt
}

// leaderCount is the number of leaders a generated round may have.
func leaderCount(p twins.Params) int {
	if p.Leaders == twins.LeadersTwins {
		return p.T
	}
	return p.N
}

// roundConfigs is the number of round configurations without drops: the
// leaders times the partitions of n+t processes into exactly P buckets (a
// Stirling number of the second kind), computed before any is enumerated.
func roundConfigs(p twins.Params) float64 {
	m, k := p.N+p.T, p.Partitions
	if k < 1 || k > m {
		return 0
	}
	// s[j] = S(i, j) for increasing i.
	s := make([]float64, k+1)
	s[0] = 1
	for i := 1; i <= m; i++ {
		for j := min(i, k); j >= 1; j-- {
			s[j] = float64(j)*s[j] + s[j-1]
		}
		s[0] = 0
	}
	return float64(leaderCount(p)) * s[k]
}

// checkName checks that name can name an output directory: one path
// element (results.CheckPathElem), not hidden, at most 100 bytes (the
// rules of experiment names).
func checkName(name string) error {
	if err := results.CheckPathElem(name); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("it starts with '.'")
	case len(name) > 100:
		return fmt.Errorf("%d bytes long (allowed: at most 100)", len(name))
	}
	return nil
}
