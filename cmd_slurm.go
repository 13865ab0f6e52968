package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/byzsim/byzsim/batch"
	"github.com/byzsim/byzsim/experiments"
)

// slurmCmd writes the Slurm scripts that run an experiment as a job array
// and merge it.
func slurmCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("slurm", flag.ContinueOnError)
	out := fs.String("o", "", "`dir`ectory on storage every node sees, for the scripts, logs, shards and merged results (default slurm-<experiment>)")
	shards := fs.Int("shards", 0, "array tasks, one shard each (default: one per run, at most 64)")
	cpus := fs.Int("cpus-per-task", 1, "CPUs of each task; byzsim runs that many runs at once")
	tlimit := fs.String("time", "", "time limit of each task, as sbatch --time (default: the partition's)")
	mtime := fs.String("merge-time", "", "time limit of the merge job (default: the partition's)")
	partition := fs.String("partition", "", "Slurm partition (default: the cluster's default)")
	account := fs.String("account", "", "Slurm account to charge")
	mem := fs.String("mem", "", "memory of each task, as sbatch --mem (e.g. 4G)")
	bin := fs.String("byzsim", "", "`path` of byzsim on the nodes (default: this byzsim)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	var sets stringList
	fs.Var(&sets, "set", "override a key: --set protocol.n=7 (repeatable)")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	file, err := oneFile("slurm", pos)
	if err != nil {
		return err
	}
	plan, err := experiments.Load(file, registry(), experiments.Options{Seed: seed.v, Sets: sets})
	if err != nil {
		return err
	}
	n := *shards
	if n == 0 {
		n = min(len(plan.Runs), 64)
	}
	if n < 1 {
		return usageErrorf("byzsim slurm: --shards %d: want at least 1", n)
	}
	if n > len(plan.Runs) {
		fmt.Fprintf(stderr, "byzsim slurm: warning: %d shards for %d runs: %d tasks will have nothing to run\n", n, len(plan.Runs), n-len(plan.Runs))
	}
	dir := *out
	if dir == "" {
		dir = "slurm-" + plan.Base.Name
	}
	binary := absPath(*bin)
	if *bin == "" {
		if binary, err = os.Executable(); err == nil {
			binary, err = filepath.EvalSymlinks(binary)
		}
		if err != nil {
			return fmt.Errorf("byzsim slurm: cannot find this byzsim (give --byzsim PATH): %w", err)
		}
		if strings.Contains(binary, "go-build") || strings.HasPrefix(binary, os.TempDir()+string(filepath.Separator)) {
			fmt.Fprintf(stderr, "byzsim slurm: warning: this byzsim is %s, a temporary file (go run?): build byzsim on storage every node sees and give its path with --byzsim PATH\n", binary)
		}
	}
	cfg := batch.SlurmConfig{
		Binary: binary, Experiment: absPath(file), Name: plan.Base.Name, Dir: absPath(dir),
		Shards: n, CPUsPerTask: *cpus, Time: *tlimit, MergeTime: *mtime,
		Partition: *partition, Account: *account, Mem: *mem, RunArgs: runArgs(seed, sets),
	}
	files, err := batch.SlurmScripts(cfg)
	if err != nil {
		return usageErrorf("byzsim slurm: %v", err)
	}
	if err := writeFiles(cfg.Dir, files); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s/{%s,%s,%s,%s}: %d array tasks of %d CPU(s) for %d runs\n", cfg.Dir,
		batch.SweepScript, batch.MergeScript, batch.SubmitScript, batch.WaitScript, n, *cpus, len(plan.Runs))
	fmt.Fprintf(stdout, "byzsim must be at %s on every node (--byzsim PATH to change); then:\n", cfg.Binary)
	fmt.Fprintf(stdout, "  %s/%s    # submit the array and the merge job after it\n", cfg.Dir, batch.SubmitScript)
	fmt.Fprintf(stdout, "  %s/%s      # wait for them; prints where the merged results are\n", cfg.Dir, batch.WaitScript)
	fmt.Fprintf(stdout, "merged results: %s/merged/%s\n", cfg.Dir, plan.Base.Name)
	return nil
}

// runArgs are the byzsim run arguments that reproduce --seed and --set.
func runArgs(seed seedFlag, sets []string) []string {
	var a []string
	if seed.v != nil {
		a = append(a, "--seed", seed.String())
	}
	for _, s := range sets {
		a = append(a, "--set", s)
	}
	return a
}

// absPath returns p as an absolute, clean path (p itself if that fails).
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// writeFiles writes generated files into dir, creating it.
func writeFiles(dir string, files []batch.File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	for _, f := range files {
		mode := os.FileMode(0o644)
		if f.Exec {
			mode = 0o755
		}
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, []byte(f.Text), mode); err != nil {
			return fmt.Errorf("output: %w", err)
		}
		if err := os.Chmod(path, mode); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	return nil
}
