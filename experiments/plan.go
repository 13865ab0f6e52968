package experiments

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
)

// Options change an experiment from the command line.
type Options struct {
	// Seed, when set, replaces the experiment's seed.
	Seed *uint64
	// Sets are "key=value" overrides applied before the sweep, e.g.
	// "protocol.n=7" or "workload[0].count=100".
	Sets []string
	// Force accepts runs whose estimated memory exceeds the machine's.
	Force bool
	// Memory is the memory available to one run in bytes; 0 reads the
	// machine's (MachineMemory).
	Memory uint64
}

// Plan is an experiment expanded into runs.
type Plan struct {
	Source *Source
	// Base is the experiment with overrides and defaults, before the sweep.
	Base *Experiment
	// Axes are the swept keys, in order.
	Axes []string
	// Points is the number of sweep points; Runs has Points × Repetitions.
	Points int
	Runs   []Run
	// Groups are the swept keys by axis: a [[sweep.zip]] group's keys
	// together, any other key alone.
	Groups [][]string
	// Plots are the validated [[plot]] tables.
	Plots []results.PlotSpec
	reg   *protocols.Registry
	// first is the first run's world as checking assembled it, for that
	// run to fill instead of building it again (see takeFirst).
	first atomic.Pointer[instance]
}

// takeFirst returns the world assembled for run r when r is the plan's
// first run and its world is still there, and nil otherwise; the plan
// keeps it no longer either way. A traced run builds its world itself,
// with the tracer installed.
func (p *Plan) takeFirst(r *Run) *instance {
	in := p.first.Swap(nil)
	if in == nil || len(p.Runs) == 0 || r != &p.Runs[0] || r.Exp != in.run.Exp || r.Seed != in.run.Seed || r.Exp.Output.Trace {
		return nil
	}
	in.run = r
	return in
}

// Load reads an experiment file and expands it into a validated plan.
func Load(path string, reg *protocols.Registry, opt Options) (*Plan, error) {
	data, err := readText(path)
	if err != nil {
		return nil, err
	}
	return LoadBytes(path, data, reg, opt)
}

// LoadBytes is Load for experiment text already in memory.
func LoadBytes(name string, data []byte, reg *protocols.Registry, opt Options) (*Plan, error) {
	src, err := parse(name, data)
	if err != nil {
		return nil, err
	}
	return plan(src, reg, opt)
}

type setting struct {
	key   string
	value any
}

func parseSets(sets []string) ([]setting, error) {
	var out []setting
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, &UsageError{Msg: fmt.Sprintf("--set %q: want key=value, e.g. --set protocol.n=7", s)}
		}
		out = append(out, setting{canonicalPath(k), parseValue(strings.TrimSpace(v))})
	}
	return out, nil
}

// fresh returns a new copy of the experiment as the source's text decodes,
// so every run owns its values.
func (s *Source) fresh() *Experiment { return s.parsed.clone() }

func plan(src *Source, reg *protocols.Registry, opt Options) (*Plan, error) {
	sets, err := parseSets(opt.Sets)
	if err != nil {
		return nil, err
	}
	src.overridden = map[string]string{}
	base := src.fresh()
	var es Errors
	apply := func(e *Experiment, key string, v any, origin string) {
		src.overridden[key] = origin
		if err := setPath(e, key, v); err != nil {
			line := -1
			if origin == "sweep" {
				line = src.sweepLine(key)
			}
			es = append(es, &Error{Key: key + " (" + origin + ")", Msg: err.Error(), Line: line})
		}
	}
	for _, s := range sets {
		apply(base, s.key, s.value, "--set")
	}
	if opt.Seed != nil {
		base.Seed = Seed(*opt.Seed)
	}
	axes, aerrs := sweepAxes(base.Sweep, src.keyOrder)
	es = append(es, aerrs...)
	if len(es) > 0 {
		return nil, src.locate(es)
	}
	var axisKeys []string
	for _, ax := range axes {
		axisKeys = append(axisKeys, ax.keys...)
	}
	if n := pointCount(axes); n > maxPoints {
		return nil, Errors{{File: src.File, Line: src.lines.line("sweep"), Key: "sweep", Msg: fmt.Sprintf("%d sweep points (allowed: at most %d; split the sweep into several experiments)", n, maxPoints)}}
	}
	// A swept key that names nothing is reported once, at its line, before
	// anything else is checked against the sweep.
	for _, ax := range axes {
		for ki, k := range ax.keys {
			scratch := src.fresh()
			if err := setPath(scratch, k, ax.values[0][ki]); err != nil && !strings.HasPrefix(err.Error(), "cannot use") {
				es = append(es, &Error{File: src.File, Line: src.sweepLine(k), Key: "sweep." + k, Msg: err.Error()})
			}
		}
	}
	if len(es) > 0 {
		return nil, es.sorted()
	}
	specs, perrs := validatePlots(base.Plots, axes)
	if len(perrs) > 0 {
		return nil, src.locate(perrs)
	}
	pts := points(axes)
	fillDefaults(base)
	p := &Plan{Source: src, Base: base, Axes: axisKeys, Points: len(pts), Groups: axisGroups(axes), Plots: specs, reg: reg}
	seen := map[string]bool{}
	var first *instance
	width := len(strconv.Itoa(len(pts)*max(base.Repetitions, 1) - 1))
	for pi, pt := range pts {
		e := src.fresh()
		for _, s := range sets {
			apply(e, s.key, s.value, "--set")
		}
		if opt.Seed != nil {
			e.Seed = Seed(*opt.Seed)
		}
		var params []Assignment
		for _, pv := range pt {
			apply(e, pv.key, pv.value, "sweep")
			params = append(params, Assignment{pv.key, formatValue(pv.value)})
		}
		fillDefaults(e)
		in, verrs := checkRun(e, reg, &opt)
		if pi == 0 {
			first = in
		}
		if len(verrs) > 0 {
			for _, ve := range src.locate(verrs) {
				if msg := ve.Error(); !seen[msg] {
					seen[msg] = true
					es = append(es, ve)
				}
			}
			continue
		}
		if len(p.Runs)+e.Repetitions > maxRuns {
			return nil, Errors{{File: src.File, Line: src.lines.line("repetitions"), Key: "repetitions", Msg: fmt.Sprintf("the sweep has more than %d runs (points × repetitions)", maxRuns)}}
		}
		for rep := 0; rep < e.Repetitions; rep++ {
			idx := len(p.Runs)
			p.Runs = append(p.Runs, Run{
				ID:         fmt.Sprintf("%0*d", width, idx),
				Index:      idx,
				Point:      pi,
				Repetition: rep,
				Seed:       RepetitionSeed(uint64(e.Seed), rep),
				Params:     params,
				Exp:        e,
			})
		}
	}
	if len(es) > 0 {
		for _, e := range es {
			if e.Line < 0 {
				e.Line = 0
			}
			e.File = src.File
		}
		return nil, es.sorted()
	}
	if first != nil && len(p.Runs) > 0 {
		p.first.Store(first)
	}
	return p, nil
}

// sweepLine returns the line of a swept key in the [sweep] table (or a
// [[sweep.zip]] group), or of the table itself.
func (s *Source) sweepLine(key string) int {
	for _, k := range []string{"sweep." + key, "sweep.zip." + key} {
		if l := s.lines.loose(k); l != 0 {
			return l
		}
	}
	best := 0
	for p, l := range s.lines {
		rest, ok := strings.CutPrefix(p, "sweep.zip[")
		if !ok {
			continue
		}
		if _, k, ok := strings.Cut(rest, "]."); ok && canonicalPath(k) == key && (best == 0 || l < best) {
			best = l
		}
	}
	if best != 0 {
		return best
	}
	return s.lines.line("sweep")
}

// checkRun validates one point's experiment, bounds its memory, and
// assembles the world of its first repetition without running it, so that
// anything that would stop the run at start-up is reported now, located at
// a key. It returns that world when there is no problem.
func checkRun(e *Experiment, reg *protocols.Registry, opt *Options) (*instance, Errors) {
	res, errs := validate(e, reg)
	if len(errs) > 0 {
		return nil, errs
	}
	est, key := memoryEstimate(e)
	if !opt.Force {
		if opt.Memory == 0 {
			opt.Memory = MachineMemory()
		}
		if opt.Memory > 0 && est > opt.Memory {
			return nil, Errors{{Key: key, Msg: fmt.Sprintf("a run needs about %s of memory by byzsim's estimate, more than the %s available (run anyway with --force)", gib(est), gib(opt.Memory))}}
		}
	}
	in, err := dryBuild(e, reg)
	if err != nil {
		return nil, Errors{{Key: startupKey(err.Error(), res), Msg: "a run cannot start: " + err.Error()}}
	}
	return in, nil
}

// dryBuild assembles the world of a point's first repetition as the runner
// would, without running it.
func dryBuild(e *Experiment, reg *protocols.Registry) (in *instance, err error) {
	defer func() {
		if v := recover(); v != nil {
			in, err = nil, fmt.Errorf("%v", v)
		}
	}()
	return assemble(&Run{Exp: e, Seed: RepetitionSeed(uint64(e.Seed), 0)}, reg, nil, 0)
}

// startupKey guesses the key a start-up error is about: a protocol
// parameter it names, else the part of the experiment that failed.
func startupKey(msg string, res *resolved) string {
	if res.proto != nil {
		best := ""
		for _, spec := range res.proto.Params {
			if strings.Contains(msg, spec.Name) && len(spec.Name) > len(best) {
				best = spec.Name
			}
		}
		if best != "" {
			return "protocol.params." + best
		}
	}
	for _, m := range [][2]string{{"workloads:", "workload"}, {"network:", "network"}, {"fault rules:", "fault"},
		{"fault schedule:", "crash"}, {"transient faults:", "transient"}} {
		if strings.HasPrefix(msg, m[0]) {
			return m[1]
		}
	}
	return "protocol"
}
