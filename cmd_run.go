package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/byzsim/byzsim/batch"
	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/internal/gcpolicy"
	"github.com/byzsim/byzsim/report"
	"github.com/byzsim/byzsim/sim"
	"github.com/schollz/progressbar/v3"
)

func runCmd(args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	out := fs.String("o", "out", "output `dir`ectory; results go to DIR/<experiment>")
	jobs := fs.Int("j", 0, "runs in parallel (default: $SLURM_CPUS_PER_TASK when set, else the number of cores)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed (0 to 18446744073709551615)")
	var sets, only stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	fs.Var(&only, "run", "run only the run with this `ID` (repeatable)")
	resume := fs.Bool("resume", false, "skip runs already finished in the output directory (refused if it holds another experiment's results)")
	shard := fs.String("shard", "", "run the runs whose index is i modulo n (`i/n`), or auto: i and n from the Slurm job array or Kubernetes Indexed Job")
	shards := fs.Int("shards", 0, "with --shard auto: the shard count `n`, when the batch system does not give it (default $BYZSIM_SHARDS, else the size of the Slurm array)")
	quiet := fs.Bool("q", false, "no progress bar")
	force := fs.Bool("force", false, "run even when a run's estimated memory exceeds the machine's")
	noReport := fs.Bool("no-report", false, "do not write report.html (also: [output] report = false)")
	maxWall := fs.Duration("max-wall", 0, "stop after this wall-clock `time` (e.g. 30m) as if interrupted; finished runs are kept (exit 124)")
	cpuProfile, memProfile := profileFlags(fs)
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("run", pos)
	if err != nil {
		return err
	}
	if *jobs < 0 {
		return &experiments.UsageError{Msg: fmt.Sprintf("-j %d: want a positive number of parallel runs", *jobs)}
	}
	if *maxWall < 0 {
		return usageErrorf("--max-wall %v: want a positive duration such as 30m", *maxWall)
	}
	env := batch.Env(os.LookupEnv)
	si, sn, err := resolveShard(*shard, *shards, env)
	if err != nil {
		return err
	}
	if sn > 0 {
		*shard = fmt.Sprintf("%d/%d", si, sn)
	}
	if *jobs == 0 {
		n, ok, err := batch.CPUsFromEnv(env)
		if err != nil {
			return &experiments.UsageError{Msg: "byzsim run: " + err.Error()}
		}
		if ok {
			*jobs = n
		}
	}
	// Runs keep most of what they allocate: no garbage collection below
	// 256 MB (a quarter of the machine's memory if less), doubling above
	// (installed once the experiment is loaded and the output directory
	// set up, before the runs start). Where the system allows it, that
	// memory is paged in 2 MB at a time, prepared meanwhile.
	policy := gcpolicy.Start(min(gcpolicy.DefaultFloor, experiments.MachineMemory()/4))
	defer policy.Wait()
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets, Force: *force})
	if err != nil {
		return err
	}
	if *maxWall == 0 {
		for _, w := range plan.Unbounded() {
			fmt.Fprintf(stderr, "byzsim: warning: %s; give a budget with [stop] events = N or --max-wall, or stop it with Ctrl-C (finished runs are kept)\n", w)
		}
	}
	stopProfiling, err := startProfiling(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfilingInto(stopProfiling, &err)
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	if *maxWall > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *maxWall)
		defer cancel()
	}
	command := reproduceCommand(file, seed, sets)
	job := batch.JobFromEnv(env)
	writeReport := !*noReport && (plan.Base.Output.Report == nil || *plan.Base.Output.Report)
	opt := experiments.RunOptions{
		Out: *out, Jobs: *jobs, Resume: *resume, Shard: si, Shards: sn, Only: only,
		Command: command, Job: job.ID, JobAttempt: job.Attempt,
		Note: func(s string) { fmt.Fprintln(stderr, "byzsim:", s) },
	}
	if writeReport {
		opt.KeepLanes = report.MaxTimelines // the report draws these from memory
		drawn := new(report.Timelines)
		opt.OnTimeline = drawn.Start // while the run's files are written
		// report.html is synced with the final files, before the manifest.
		opt.Report = func(f experiments.Final) (string, func(io.Writer) error, error) {
			write, err := report.Prepare(f.Dir, report.Memory{Lanes: f.Lanes, Drawn: drawn, Runs: &f.Runs, Manifest: f.Manifest, Summaries: f.Summaries, Plots: f.Plots})
			return report.File, write, err
		}
	}
	var bar *progressbar.ProgressBar
	if !*quiet && isTerminal(os.Stderr) {
		bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(plan.Base.Name),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish())
		opt.OnRunDone = func(done, total int) {
			bar.ChangeMax(total)
			_ = bar.Set(done)
		}
		opt.OnProgress = progressReporter(bar, plan.Base.Name)
	}
	opt.BeforeRuns = policy.Install
	rep, err := experiments.Execute(ctx, plan, opt)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	partial := ""
	if !rep.Complete {
		partial = fmt.Sprintf(" (PARTIAL: %d of %d runs; runs.csv, points.csv and the plots cover only those)", rep.Ran+rep.Skipped, rep.Selected)
	}
	fmt.Fprintf(stdout, "%s: %d runs (%d ran, %d resumed) in %.2fs, %d events → %s%s\n",
		plan.Base.Name, rep.Selected, rep.Ran, rep.Skipped, rep.Wall.Seconds(), rep.Events, rep.Dir, partial)
	if writeReport {
		if rep.ReportErr != nil {
			return rep.ReportErr
		}
		fmt.Fprintln(stdout, "report:", filepath.Join(rep.Dir, report.File))
	}
	fmt.Fprintln(stdout)
	if err := printSummary(stdout, rep.Dir, summaryRowsShown); err != nil {
		return err
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(stderr, "run %s FAILED (seed %d%s)\n", f.Run.ID, f.Run.Seed, paramText(f.Run))
		for _, c := range f.Checks {
			if !c.OK {
				fmt.Fprintf(stderr, "  %s: %s\n", c.Name, c.Detail)
			}
		}
		fmt.Fprintf(stderr, "  reproduce: %s\n", f.Reproduce)
	}
	if rep.Interrupted || sig() != nil {
		cont := continueCommand(command, *out, si, sn, *shard, only, *jobs)
		why, code := "--max-wall reached", exitWallBudget
		if s := sig(); s != nil {
			why, code = "interrupted by "+signalName(s), signalExit(s)
		}
		return &interruptedError{code: code, msg: fmt.Sprintf("%s: %d of %d runs finished and written; manifest.json says \"complete\": false; continue with:\n  %s",
			why, rep.Ran+rep.Skipped, rep.Selected, cont)}
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d of %d runs failed their checks: %w", len(rep.Failures), rep.Selected, errRunsFailed)
	}
	return nil
}

// continueCommand is the command line that finishes an interrupted
// execution.
func continueCommand(command, out string, si, sn int, shard string, only []string, jobs int) string {
	parts := []string{command, "-o", shellQuote(out)}
	if sn > 1 {
		parts = append(parts, "--shard", shard)
	}
	for _, id := range only {
		parts = append(parts, "--run", shellQuote(id))
	}
	if jobs > 0 {
		parts = append(parts, "-j", fmt.Sprint(jobs))
	}
	return strings.Join(append(parts, "--resume"), " ")
}

// progressReporter returns a progress callback that shows the virtual time
// a run reached and its events per wall second in the bar's description.
func progressReporter(bar *progressbar.ProgressBar, name string) func(*experiments.Run, sim.Time, uint64) {
	type mark struct {
		at     time.Time
		events uint64
	}
	var mu sync.Mutex
	last := map[string]mark{}
	var shown time.Time
	return func(r *experiments.Run, now sim.Time, events uint64) {
		mu.Lock()
		defer mu.Unlock()
		t := time.Now()
		prev, ok := last[r.ID]
		last[r.ID] = mark{t, events}
		if !ok || t.Sub(shown) < 250*time.Millisecond {
			return
		}
		shown = t
		rate := float64(events-prev.events) / t.Sub(prev.at).Seconds()
		bar.Describe(fmt.Sprintf("%s run %s: %v of %v virtual, %.2gM events/s", name, r.ID,
			time.Duration(now).Truncate(10*time.Millisecond), time.Duration(r.Exp.Duration.T()), rate/1e6))
	}
}

func paramText(r *experiments.Run) string {
	var b strings.Builder
	for _, p := range r.Params {
		fmt.Fprintf(&b, ", %s=%s", p.Key, p.Value)
	}
	return b.String()
}

// reproduceCommand rebuilds the command line of this invocation, minus the
// flags that do not change results.
func reproduceCommand(file string, seed seedFlag, sets []string) string {
	parts := []string{"byzsim", "run", shellQuote(file)}
	if seed.v != nil {
		parts = append(parts, "--seed", seed.String())
	}
	for _, s := range sets {
		parts = append(parts, "--set", shellQuote(s))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r == '=' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// errorsAsInterrupted reports whether err is an interruption and its exit
// status.
func errorsAsInterrupted(err error) (*interruptedError, bool) {
	var ie *interruptedError
	ok := errors.As(err, &ie)
	return ie, ok
}
