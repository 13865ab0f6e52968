package explore

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Fault kinds a schedule may hold.
const (
	KindPartition = "partition"
	KindCrash     = "crash"
	KindLink      = "link"
	KindRule      = "rule"
	KindSetattr   = "setattr"
	KindByzantine = "byzantine"
	KindTransient = "transient"
)

// AllKinds lists the fault kinds in order.
var AllKinds = []string{KindPartition, KindCrash, KindLink, KindRule, KindSetattr, KindByzantine, KindTransient}

// Defaults of the [explore] table.
const (
	DefaultSchedules = 2000
	DefaultFaults    = 4
	DefaultKeep      = 3
	DefaultMaxDelay  = 2 * sim.Second
	maxSchedules     = 100_000_000
	maxFaults        = 64
	maxSizes         = 64
)

// Generators of schedules.
const (
	// GeneratorRandom draws random fault schedules of the experiment
	// (this package's Problem).
	GeneratorRandom = "random"
	// GeneratorTwins draws Twins scenarios; the command runs them through
	// the same search driver with the Twins executor.
	GeneratorTwins = "twins"
)

// Size is one system size explored.
type Size struct{ N, F int }

func (s Size) String() string { return fmt.Sprintf("n=%d f=%d", s.N, s.F) }

// Config is a validated exploration: the base experiment and the resolved
// [explore] table.
type Config struct {
	// Base is the experiment with defaults filled; its [explore] table is
	// removed.
	Base *experiments.Experiment
	// Proto is the base's protocol.
	Proto *protocols.Protocol
	// Reg resolves protocols.
	Reg *protocols.Registry
	// Seed is the master seed (the experiment's).
	Seed uint64
	// Schedules is the budget.
	Schedules int64
	// Sizes are the (n, f) explored, by n then f; schedule i runs at
	// Sizes[i mod len(Sizes)].
	Sizes []Size
	// Faults is the largest number of faults per schedule.
	Faults int
	// Kinds are the fault kinds drawn, in AllKinds order.
	Kinds []string
	// GST, MaxDelay: see experiments.ExploreConfig.
	GST, MaxDelay sim.Time
	// Keep violations are minimized and written; Minimize turns the
	// minimizer on.
	Keep     int
	Minimize bool
	// Generator is GeneratorRandom or GeneratorTwins; Twins is the
	// [explore.twins] table of the latter.
	Generator string
	Twins     map[string]any
}

// Error is an input error located in the experiment file.
type Error = experiments.Error

// FromPlan builds the configuration of a loaded experiment: it must be a
// single run (no sweep, one repetition) with an [explore] table, or
// without one (every default).
func FromPlan(plan *experiments.Plan, reg *protocols.Registry) (*Config, error) {
	src := plan.Source
	at := func(key, format string, args ...any) error {
		return src.Locate(key, fmt.Sprintf(format, args...))
	}
	if len(plan.Runs) != 1 {
		return nil, at("sweep", "byzsim explore takes an experiment of one run; this one has %d (drop [sweep] and repetitions; explore sizes with explore.n and explore.f)", len(plan.Runs))
	}
	base := *plan.Runs[0].Exp
	x := experiments.ExploreConfig{}
	if base.Explore != nil {
		x = *base.Explore
	}
	base.Explore = nil
	proto, ok := reg.Lookup(base.Protocol.Name)
	if !ok {
		return nil, at("protocol.name", "unknown protocol %q", base.Protocol.Name)
	}
	c := &Config{Base: &base, Proto: proto, Reg: reg, Seed: uint64(base.Seed), Minimize: x.Minimize == nil || *x.Minimize,
		Generator: x.Generator, Twins: x.Twins}
	switch c.Generator {
	case "":
		c.Generator = GeneratorRandom
	case GeneratorRandom, GeneratorTwins:
	default:
		return nil, at("explore.generator", "unknown generator %q (allowed: %s, %s)", x.Generator, GeneratorRandom, GeneratorTwins)
	}
	if c.Generator == GeneratorRandom && x.Twins != nil {
		return nil, at("explore.twins", "holds the keys of generator %q, but explore.generator is %q", GeneratorTwins, GeneratorRandom)
	}
	if c.Generator == GeneratorTwins {
		for _, k := range []struct {
			key string
			set bool
		}{{"explore.kinds", x.Kinds != nil}, {"explore.faults", x.Faults != 0}, {"explore.gst", x.GST != 0}, {"explore.max_delay", x.MaxDelay != 0}} {
			if k.set {
				return nil, at(k.key, "applies to generator %q only (Twins scenarios set their faults with explore.twins)", GeneratorRandom)
			}
		}
	}
	switch {
	case x.Schedules == 0:
		c.Schedules = DefaultSchedules
	case x.Schedules < 0 || x.Schedules > maxSchedules:
		return nil, at("explore.schedules", "%d is out of range (allowed: 1 to %d)", x.Schedules, maxSchedules)
	default:
		c.Schedules = int64(x.Schedules)
	}
	switch {
	case x.Faults == 0:
		c.Faults = DefaultFaults
	case x.Faults < 0 || x.Faults > maxFaults:
		return nil, at("explore.faults", "%d is out of range (allowed: 1 to %d)", x.Faults, maxFaults)
	default:
		c.Faults = x.Faults
	}
	switch {
	case x.Keep == 0:
		c.Keep = DefaultKeep
	case x.Keep < 0:
		return nil, at("explore.keep", "%d is negative (allowed: 1 or more)", x.Keep)
	default:
		c.Keep = x.Keep
	}
	dur := base.Duration.T()
	c.GST = x.GST.T()
	if c.GST == 0 && base.Checks.GST != nil {
		c.GST = base.Checks.GST.T()
	}
	if c.GST == 0 {
		c.GST = dur / 3
	}
	if c.GST <= 0 || c.GST >= dur {
		return nil, at("explore.gst", "%v is outside the run (allowed: more than 0s and less than duration %v)", c.GST, dur)
	}
	c.MaxDelay = x.MaxDelay.T()
	if c.MaxDelay == 0 {
		c.MaxDelay = DefaultMaxDelay
	}
	if c.MaxDelay < sim.Millisecond {
		return nil, at("explore.max_delay", "%v is below 1ms", c.MaxDelay)
	}
	var err error
	if c.Kinds, err = kinds(x.Kinds, proto); err != nil {
		return nil, at("explore.kinds", "%v", err)
	}
	if c.Sizes, err = sizes(x.N, x.F, base.Protocol.N, base.Protocol.F, proto); err != nil {
		key := "explore.n"
		if strings.HasPrefix(err.Error(), "f") {
			key = "explore.f"
		}
		return nil, at(key, "%v", strings.TrimPrefix(strings.TrimPrefix(err.Error(), "f: "), "n: "))
	}
	if c.Generator == GeneratorTwins && len(c.Sizes) > 1 {
		return nil, at("explore.n", "generator %q explores one size, got %d (%v to %v); set one n and one f", GeneratorTwins, len(c.Sizes), c.Sizes[0], c.Sizes[len(c.Sizes)-1])
	}
	for _, s := range c.Sizes {
		e := c.at(s)
		if err := experiments.Prepare(e, reg); err != nil {
			return nil, at("explore.n", "the experiment at %v is invalid: %v", s, err)
		}
		if err := replacementFits(c, e, s); err != nil {
			return nil, at("duration", "%v", err)
		}
	}
	return c, nil
}

// replacementFits checks that the runs leave the protocol the time it
// needs after GST to replace f faulty leaders (Protocol.Replacement):
// faults may leave f of them in place at GST, and the liveness checks of a
// shorter window would blame the protocol for the run's length.
func replacementFits(c *Config, e *experiments.Experiment, s Size) error {
	if c.Proto.Replacement == nil || c.Generator != GeneratorRandom {
		return nil
	}
	params, err := experiments.ProtocolParams(e, c.Reg)
	if err != nil {
		return err
	}
	need, window := c.Proto.Replacement(params, s.N, s.F), e.Duration.T()-c.GST
	hold := ""
	if slices.Contains(c.Kinds, KindTransient) {
		// A transient fault just before GST is followed by the
		// replacements and the convergence check's hold window.
		need += e.Convergence.Hold.T()
		hold = fmt.Sprintf(" and hold a converged state for %v", e.Convergence.Hold.T())
	}
	if need <= window {
		return nil
	}
	return fmt.Errorf("%s at %v may need %v after GST to replace f = %d faulty leaders in a row (its failure detection, for these parameters)%s, but the run leaves %v after GST %v: lengthen duration (and the workloads' deadlines) or set parameters that detect sooner",
		c.Proto.Name, s, need, s.F, hold, window, c.GST)
}

// at returns a copy of the base experiment at size s (shallow: the
// slices it shares are read only).
func (c *Config) at(s Size) *experiments.Experiment {
	e := *c.Base
	e.Protocol.N, e.Protocol.F = s.N, s.F
	return &e
}

// kinds resolves explore.kinds against what the protocol supports.
func kinds(given []string, proto *protocols.Protocol) ([]string, error) {
	supported := map[string]bool{KindPartition: true, KindCrash: true, KindLink: true, KindRule: len(proto.MessageKinds) > 0,
		KindSetattr: len(benign(proto)) > 0, KindByzantine: len(proto.Behaviours) > 0,
		KindTransient: proto.SelfStabilizing && len(proto.CorruptScopes) > 0}
	if len(given) == 0 {
		var out []string
		for _, k := range AllKinds {
			if supported[k] {
				out = append(out, k)
			}
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, k := range given {
		known := false
		for _, a := range AllKinds {
			known = known || a == k
		}
		switch {
		case !known:
			return nil, fmt.Errorf("unknown kind %q (allowed: %s)", k, strings.Join(AllKinds, ", "))
		case !supported[k]:
			return nil, fmt.Errorf("%s cannot have %s faults (%s)", proto.Name, k, whyUnsupported(k))
		}
		want[k] = true
	}
	var out []string
	for _, k := range AllKinds {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

func whyUnsupported(kind string) string {
	switch kind {
	case KindRule:
		return "it declares no message kinds"
	case KindSetattr:
		return "it declares no benign attributes"
	case KindByzantine:
		return "it declares no Byzantine behaviours"
	}
	return "it is not self-stabilizing, or declares no corruption scopes"
}

// benign returns the protocol's benign attributes.
func benign(proto *protocols.Protocol) []protocols.AttrSpec {
	var out []protocols.AttrSpec
	for _, a := range proto.Attributes {
		if a.Benign {
			out = append(out, a)
		}
	}
	return out
}

// sizes resolves explore.n and explore.f into (n, f) pairs.
func sizes(ns, fs []any, baseN, baseF int, proto *protocols.Protocol) ([]Size, error) {
	nlist := []int{baseN}
	if len(ns) > 0 {
		var err error
		if nlist, err = intList(ns, 1, 4096); err != nil {
			return nil, fmt.Errorf("n: %v", err)
		}
	}
	fmax := false
	var flist []int
	switch {
	case len(fs) == 0 && len(ns) == 0:
		flist = []int{baseF}
	case len(fs) == 0:
		fmax = true
	default:
		var ints []any
		for _, v := range fs {
			if s, ok := v.(string); ok && s == "max" {
				fmax = true
				continue
			}
			ints = append(ints, v)
		}
		var err error
		if flist, err = intList(ints, 0, 4096); err != nil {
			return nil, fmt.Errorf("f: %v (allowed: integers and \"max\")", err)
		}
	}
	seen := map[Size]bool{}
	var out []Size
	for _, n := range nlist {
		top := proto.MaxFaulty(n)
		cands := append([]int(nil), flist...)
		if fmax {
			cands = append(cands, top)
		}
		for _, f := range cands {
			s := Size{n, f}
			if f <= top && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("n: no size to explore: %s tolerates none of the given f at the given n", proto.Name)
	}
	if len(out) > maxSizes {
		return nil, fmt.Errorf("n: %d sizes (allowed: at most %d)", len(out), maxSizes)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N < out[j].N
		}
		return out[i].F < out[j].F
	})
	return out, nil
}

// intList expands integers and "a-b" ranges, each in [lo, hi].
func intList(vs []any, lo, hi int) ([]int, error) {
	var out []int
	check := func(x int64) error {
		if x < int64(lo) || x > int64(hi) {
			return fmt.Errorf("%d is out of range (allowed: %d to %d)", x, lo, hi)
		}
		return nil
	}
	for _, v := range vs {
		switch v := v.(type) {
		case int64:
			if err := check(v); err != nil {
				return nil, err
			}
			out = append(out, int(v))
		case string:
			a, b, ok := strings.Cut(v, "-")
			x, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
			y, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
			if !ok || err1 != nil || err2 != nil || y < x {
				return nil, fmt.Errorf("%q is not a range \"a-b\" with a ≤ b", v)
			}
			if err := check(x); err != nil {
				return nil, err
			}
			if err := check(y); err != nil {
				return nil, err
			}
			for i := x; i <= y; i++ {
				out = append(out, int(i))
			}
		case float64:
			if v != math.Trunc(v) {
				return nil, fmt.Errorf("%v is not an integer", v)
			}
			return nil, fmt.Errorf("%v: write integers without a decimal point", v)
		default:
			return nil, fmt.Errorf("%v is not an integer or a range \"a-b\"", v)
		}
	}
	return out, nil
}
