package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/byzsim/byzsim/experiments"
	"github.com/schollz/progressbar/v3"
)

func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	out := fs.String("o", "out", "output `dir`ectory; results go to DIR/<experiment>")
	jobs := fs.Int("j", 0, "runs in parallel (default: the number of cores)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	var sets, only stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	fs.Var(&only, "run", "run only the run with this `ID` (repeatable)")
	resume := fs.Bool("resume", false, "skip runs already finished in the output directory")
	shard := fs.String("shard", "", "run the runs whose index is i modulo n (`i/n`)")
	quiet := fs.Bool("q", false, "no progress bar")
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
	si, sn, err := parseShard(*shard)
	if err != nil {
		return err
	}
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := experiments.RunOptions{
		Out: *out, Jobs: *jobs, Resume: *resume, Shard: si, Shards: sn, Only: only,
		Command: reproduceCommand(file, seed, sets),
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
	}
	rep, err := experiments.Execute(ctx, plan, opt)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d runs (%d ran, %d resumed) in %.2fs, %d events → %s\n",
		plan.Base.Name, rep.Selected, rep.Ran, rep.Skipped, rep.Wall.Seconds(), rep.Events, rep.Dir)
	for _, f := range rep.Failures {
		fmt.Fprintf(stderr, "run %s FAILED (seed %d%s)\n", f.Run.ID, f.Run.Seed, paramText(f.Run))
		for _, c := range f.Checks {
			if !c.OK {
				fmt.Fprintf(stderr, "  %s: %s\n", c.Name, c.Detail)
			}
		}
		fmt.Fprintf(stderr, "  reproduce: %s\n", f.Reproduce)
	}
	if rep.Interrupted {
		return fmt.Errorf("interrupted: %d of %d runs finished and written; continue with --resume", rep.Ran+rep.Skipped, rep.Selected)
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d of %d runs failed their checks: %w", len(rep.Failures), rep.Selected, errRunsFailed)
	}
	return nil
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
