package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/explore/twinsrun"
	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/results"
)

func twinsCmd(args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("twins", flag.ContinueOnError)
	out := fs.String("o", "out", "output `dir`ectory; results go to DIR/<experiment>")
	jobs := fs.Int("j", 0, "scenarios in parallel (default: the number of cores)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	ps := twinsProtocols()
	protocol := fs.String("protocol", "", "run this `protocol` instead of the file's ("+strings.Join(ps.Supported(), ", ")+"; default "+ps.Default+")")
	var bugs stringList
	fs.Var(&bugs, "bug", "plant a bug of the protocol (repeatable): "+bugHelp(ps))
	scenarios := fs.Int64("scenarios", 0, "scenarios to run (default: the file's)")
	replay := fs.String("replay", "", "run the scenarios of a scenario `file` (JSON lines) instead of generating")
	generate := fs.Bool("generate", false, "write the generated scenarios to DIR/<experiment>/scenarios.jsonl without running them")
	keep := fs.Int("keep", 5, "minimized counterexamples to write (the first violation of each property, by scenario index)")
	quiet := fs.Bool("q", false, "no progress bar")
	cpuProfile, memProfile := profileFlags(fs)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case *jobs < 0:
		return usageErrorf("-j %d: want a positive number of parallel runs", *jobs)
	case *scenarios < 0:
		return usageErrorf("--scenarios %d: want a positive number of scenarios", *scenarios)
	case *keep < 0:
		return usageErrorf("--keep %d: want a number ≥ 0", *keep)
	}
	if *protocol != "" {
		if _, err := ps.Lookup(*protocol); err != nil {
			return usageErrorf("--protocol: %v", err)
		}
	}
	stopProfiling, err := startProfiling(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfilingInto(stopProfiling, &err)
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	if *replay != "" {
		if len(pos) != 0 {
			return usageErrorf("byzsim twins: --replay takes no experiment file, got %d arguments", len(pos))
		}
		err := twinsReplay(ctx, ps, *replay, *protocol, bugs, *jobs, stdout, stderr)
		if s := sig(); s != nil && errors.Is(err, context.Canceled) {
			return &interruptedError{code: signalExit(s), msg: fmt.Sprintf("twins --replay %s: %s: stopped before every scenario was replayed", *replay, signalName(s))}
		}
		return err
	}
	file, err := oneFile("twins", pos)
	if err != nil {
		return err
	}
	ov := twinsrun.Overrides{Protocol: *protocol, Bugs: bugs, Seed: seed.v}
	if *scenarios > 0 {
		ov.Scenarios = scenarios
	}
	e, err := twinsrun.Load(file, ov, ps)
	if err != nil {
		return err
	}
	gen, err := twins.New(e.Params)
	if err != nil {
		return &experiments.Error{File: file, Msg: err.Error()}
	}
	dir, err := results.SafeJoin(*out, e.Name)
	if err != nil {
		return &experiments.Error{File: file, Key: "name", Msg: err.Error()}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if *generate {
		return twinsGenerate(e, gen, dir, stdout)
	}
	return runTwinsSearch(ctx, sig, e, gen, dir, twinsOptions{jobs: *jobs, keep: *keep, quiet: *quiet, verb: "twins"}, stdout, stderr)
}

// twinsOptions are the command-line options of a Twins search.
type twinsOptions struct {
	jobs, keep int
	quiet      bool
	noMinimize bool
	verb       string // the command, for the progress bar and messages
}

// runTwinsSearch runs a Twins experiment through the search driver (the
// one byzsim explore uses), writes its counterexamples, summary.json and
// perf.json to dir, and returns the command's error: violations (exit
// status 1) or a signal (130 or 143; what was found so far is written).
func runTwinsSearch(ctx context.Context, sig func() os.Signal, e *twinsrun.Experiment, gen *twins.Generator, dir string, o twinsOptions, stdout, stderr io.Writer) error {
	progress, finish := searchProgress(e.Scenarios, o.verb+" "+e.Name, o.quiet, stderr)
	rep, err := twinsrun.Execute(ctx, e.Settings, e.Source(gen), twinsrun.Options{Jobs: o.jobs, Counterexamples: o.keep, Progress: progress, NoMinimize: o.noMinimize})
	finish()
	// A signal stops the scenarios in progress; what was found so far is
	// still written, and the exit status says the search was cut short.
	stopped := stoppedBySignal(sig, err)
	if err != nil && !stopped {
		return err
	}
	files, err := search.Write(dir, rep.Search, &twinsrun.Encoder{Exp: e, Gen: gen, Rep: rep}, stopped)
	if err != nil {
		return err
	}
	seen := rep.Scenarios + rep.Generator.Removed
	fmt.Fprintf(stdout, "%s: %d scenarios (%d removed by symmetry, %.1f%%), %d violations, %.0f scenarios/s → %s\n",
		e.Name, rep.Scenarios, rep.Generator.Removed, 100*twinsrun.Frac(rep.Generator.Removed, seen), rep.Failed,
		float64(rep.Scenarios)/rep.Wall.Seconds(), dir)
	if rep.Failed > 0 {
		reportViolations(&e.Settings, rep, files, stderr)
	}
	switch {
	case stopped:
		return &interruptedError{code: signalExit(sig()), msg: fmt.Sprintf("%s %s: %s: stopped after %d of %d scenarios; the summary and counterexamples in %s cover only those",
			o.verb, e.Name, signalName(sig()), rep.Scenarios, e.Scenarios, dir)}
	case rep.Failed > 0:
		return violationsError(fmt.Sprintf("%d of %d scenarios violated a property", rep.Failed, rep.Scenarios))
	}
	return nil
}

// reportViolations lists, on stderr, how many scenarios violated each
// property and where the minimized counterexamples are.
func reportViolations(s *twinsrun.Settings, rep *twinsrun.Report, files []string, stderr io.Writer) {
	props := make([]string, 0, len(rep.ByProperty))
	for p := range rep.ByProperty {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		fmt.Fprintf(stderr, "  %s (%s): %d scenarios\n", p, s.PropertyText(p), rep.ByProperty[p])
	}
	for _, f := range files {
		fmt.Fprintf(stderr, "counterexample: %s (replay: byzsim twins --replay %s)\n", strings.TrimSuffix(f, ".jsonl")+".txt", f)
	}
}

// inputError turns the scenario reader's located errors into experiment
// errors (exit status 2).
func inputError(err error) error {
	var fe *twins.FileError
	if errors.As(err, &fe) {
		return &experiments.Error{File: fe.File, Line: fe.Line, Msg: fe.Msg}
	}
	return err
}

func twinsGenerate(e *twinsrun.Experiment, gen *twins.Generator, dir string, stdout io.Writer) error {
	path := filepath.Join(dir, "scenarios.jsonl")
	var st twins.Stats
	err := results.WriteAtomic(path, func(out io.Writer) error {
		w, err := twins.NewWriter(out, e.Settings.Header())
		if err != nil {
			return err
		}
		var werr error
		st = e.Source(gen)(func(sc twins.Scenario) bool {
			werr = w.Write(&sc)
			return werr == nil
		})
		if werr != nil {
			return werr
		}
		return w.Flush()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d scenarios (%d removed by symmetry) → %s\n", e.Name, st.Generated, st.Removed, path)
	return nil
}

func twinsReplay(ctx context.Context, ps twinsrun.Protocols, path, protocol string, bugs []string, jobs int, stdout, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return &experiments.Error{File: path, Msg: fmt.Sprintf("cannot read scenarios: %v", errors.Unwrap(err))}
	}
	h, scens, err := twins.ReadScenarios(f, path)
	f.Close()
	if err != nil {
		return inputError(err)
	}
	if protocol != "" {
		h.Protocol = protocol
	}
	if p, err := ps.Lookup(h.Protocol); err == nil {
		for _, b := range bugs {
			if err := twinsrun.CheckBug(p, b); err != nil {
				return usageErrorf("--bug: %v", err)
			}
		}
	}
	h.Bugs = append(h.Bugs, bugs...)
	s, err := twinsrun.FromHeader(h, ps)
	if err != nil {
		return &experiments.Error{File: path, Line: 1, Msg: "header: " + err.Error()}
	}
	src := func(emit func(twins.Scenario) bool) twins.Stats {
		for _, sc := range scens {
			if !emit(sc) {
				break
			}
		}
		return twins.Stats{Generated: int64(len(scens))}
	}
	rep, err := twinsrun.Execute(ctx, s, src, twinsrun.Options{Jobs: jobs, Keep: len(scens)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d scenarios replayed, %d violations\n", path, rep.Scenarios, rep.Failed)
	for _, fl := range rep.Failures {
		for _, v := range fl.Result.Violations {
			fmt.Fprintln(stdout)
			fmt.Fprint(stdout, twinsrun.Explain(&s, &fl.Scenario, v))
		}
	}
	if rep.Failed > 0 {
		return violationsError("the replayed scenario violated a property")
	}
	return nil
}

// bugHelp lists the planted bugs of each protocol with Twins support.
func bugHelp(ps twinsrun.Protocols) string {
	var parts []string
	for _, name := range ps.Supported() {
		p, _ := ps.Registry.Lookup(name)
		bugs := strings.Join(p.Twins.BugNames(), ", ")
		if bugs == "" {
			bugs = "none"
		}
		parts = append(parts, name+": "+bugs)
	}
	return strings.Join(parts, "; ")
}
