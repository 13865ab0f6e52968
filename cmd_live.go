package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/byzsim/byzsim/experiments"
)

func liveCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	out := fs.String("o", "out-live", "output `dir`ectory; results go to DIR/<experiment>")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed (0 to 18446744073709551615)")
	var sets stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	freePorts := fs.Bool("free-ports", false, "ignore the [live] ports: every socket and endpoint gets a free port")
	noServe := fs.Bool("no-endpoints", false, "do not serve the replicas' metrics and REST endpoints")
	processes := fs.Bool("processes", false, "run each replica as its own byzsim node process (this process hosts the clients)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("live", pos)
	if err != nil {
		return err
	}
	given := append([]string(nil), sets...)
	// Live runs sign and verify for real.
	sets = append(sets, "costs.real_crypto=true")
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets})
	if err != nil {
		return err
	}
	for _, r := range plan.Runs {
		proto, _ := registry().Lookup(r.Exp.Protocol.Name)
		if probs := experiments.LiveProblems(r.Exp, proto); len(probs) > 0 {
			return &experiments.UsageError{Msg: fmt.Sprintf("%s cannot run live:\n  %s", file, strings.Join(probs, "\n  "))}
		}
	}
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	opt := experiments.RunOptions{
		Out:     *out,
		Command: strings.Replace(reproduceCommand(file, seed, sets[:len(sets)-1]), "byzsim run", "byzsim live", 1),
		Note:    func(s string) { fmt.Fprintln(stderr, "byzsim:", s) },
		Live:    &experiments.LiveOptions{FreePorts: *freePorts, Serve: !*noServe},
	}
	if *processes {
		if len(plan.Runs) != 1 {
			return usageErrorf("byzsim live --processes: %s has %d runs (a sweep or repetitions); a cluster of processes runs one", file, len(plan.Runs))
		}
		dir := filepath.Join(*out, plan.Base.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		bin, err := os.Executable()
		if err != nil {
			return err
		}
		opt.Live.Processes = &experiments.Processes{Dir: dir, Experiment: file, Seed: seed.v, Sets: given, Spawn: spawnNode(bin, dir)}
	} else if !*noServe {
		opt.Live.OnStart = func(r experiments.LiveRun) func() {
			for id, ep := range r.Endpoints {
				fmt.Fprintf(stderr, "byzsim: replica %d: metrics http://%s/metrics, REST http://%s\n", id, ep.MetricsAddr, ep.RESTAddr)
			}
			return nil
		}
	}
	rep, err := experiments.Execute(ctx, plan, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d live runs in %.2fs → %s\n", plan.Base.Name, rep.Ran, rep.Wall.Seconds(), rep.Dir)
	for _, f := range rep.Failures {
		fmt.Fprintf(stderr, "run %s FAILED (seed %d%s)\n", f.Run.ID, f.Run.Seed, paramText(f.Run))
		for _, c := range f.Checks {
			if !c.OK {
				fmt.Fprintf(stderr, "  %s: %s\n", c.Name, c.Detail)
			}
		}
	}
	if rep.Interrupted || sig() != nil {
		code := exitWallBudget
		if s := sig(); s != nil {
			code = signalExit(s)
		}
		return &interruptedError{code: code, msg: fmt.Sprintf("interrupted: %d of %d live runs finished and written", rep.Ran, rep.Selected)}
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d of %d live runs failed their checks: %w", len(rep.Failures), rep.Selected, errRunsFailed)
	}
	return nil
}
