package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore"
	"github.com/byzsim/byzsim/explore/twinsrun"
	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/results"
)

func exploreCmd(args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	out := fs.String("o", "out", "output `dir`ectory; results go to DIR/<experiment>")
	jobs := fs.Int("j", 0, "schedules in parallel (default: the number of cores)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed (0 to 18446744073709551615)")
	var sets stringList
	fs.Var(&sets, "set", "override a key: --set protocol.params.bug_vote_lt=true, --set explore.schedules=500 (repeatable)")
	schedules := fs.Int64("schedules", 0, "schedules to run (default: explore.schedules)")
	quiet := fs.Bool("q", false, "no progress bar")
	cpuProfile, memProfile := profileFlags(fs)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("explore", pos)
	if err != nil {
		return err
	}
	switch {
	case *jobs < 0:
		return usageErrorf("-j %d: want a positive number of parallel runs", *jobs)
	case *schedules < 0:
		return usageErrorf("--schedules %d: want a positive number of schedules", *schedules)
	}
	reg := registry()
	plan, err := experiments.Load(file, reg, experiments.Options{Seed: seed.v, Sets: sets})
	if err != nil {
		return err
	}
	cfg, err := explore.FromPlan(plan, reg)
	if err != nil {
		return err
	}
	dir, err := results.SafeJoin(*out, cfg.Base.Name)
	if err != nil {
		return &experiments.Error{File: file, Key: "name", Msg: err.Error()}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	total := cfg.Schedules
	if *schedules > 0 {
		total = *schedules
	}
	var tw *twinsrun.Experiment
	if cfg.Generator == explore.GeneratorTwins {
		if tw, err = exploreTwins(plan, cfg, total); err != nil {
			return err
		}
	}
	stopProfiling, err := startProfiling(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfilingInto(stopProfiling, &err)
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	if tw != nil {
		gen, err := twins.New(tw.Params)
		if err != nil {
			return plan.Source.Locate("explore.twins", err.Error())
		}
		return runTwinsSearch(ctx, sig, tw, gen, dir, twinsOptions{jobs: *jobs, keep: cfg.Keep, quiet: *quiet, noMinimize: !cfg.Minimize, verb: "explore"}, stdout, stderr)
	}
	opt := explore.Options{Jobs: *jobs, Schedules: total}
	progress, finish := searchProgress(total, "explore "+cfg.Base.Name, *quiet, stderr)
	opt.Progress = progress
	// Schedules are many short runs with small heaps: collecting garbage
	// less often buys a third more schedules per second.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	res, err := explore.Run(ctx, cfg, opt)
	finish()
	stopped := stoppedBySignal(sig, err)
	if err != nil && !stopped {
		return err
	}
	j := *jobs
	if j <= 0 {
		j = runtime.NumCPU()
	}
	files, err := explore.Write(dir, cfg, res, stopped, j)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d schedules over %d sizes, %d failed, %.0f schedules/s → %s\n",
		cfg.Base.Name, res.Schedules, len(cfg.Sizes), res.Failed, float64(res.Schedules)/res.Wall.Seconds(), dir)
	if res.Failed > 0 {
		names := make([]string, 0, len(res.ByCheck))
		for n := range res.ByCheck {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %s failed in %d schedules\n", n, res.ByCheck[n])
		}
		for i, f := range res.Failures {
			fmt.Fprintf(stderr, "counterexample: %s (%v, %d faults, from schedule %d); reproduce: byzsim run %s\n",
				files[i], f.Schedule.Size, len(f.Schedule.Faults), f.Found.Index, files[i])
		}
	}
	switch {
	case stopped:
		return &interruptedError{code: signalExit(sig()), msg: fmt.Sprintf("explore %s: %s: stopped after %d of %d schedules; %s covers only those",
			cfg.Base.Name, signalName(sig()), res.Schedules, total, dir)}
	case res.Failed > 0:
		return violationsError(fmt.Sprintf("%d of %d schedules failed a check", res.Failed, res.Schedules))
	}
	return nil
}

// exploreTwins builds the Twins experiment of an exploration with
// generator "twins": the experiment's size, seed, protocol parameters and
// budget, and its [explore.twins] table. A protocol without Twins support
// is refused at explore.generator.
func exploreTwins(plan *experiments.Plan, cfg *explore.Config, total int64) (*twinsrun.Experiment, error) {
	b := cfg.Base
	size := cfg.Sizes[0]
	tw, err := twinsrun.FromBase(twinsrun.Base{Name: b.Name, Description: b.Description, Protocol: cfg.Proto.Name, Protocols: twinsProtocols(),
		N: size.N, F: size.F, Seed: cfg.Seed, Params: b.Protocol.Params, Scenarios: total, Table: cfg.Twins})
	var ce *experiments.Error
	if errors.As(err, &ce) {
		return nil, plan.Source.Locate(ce.Key, ce.Msg)
	}
	return tw, err
}
