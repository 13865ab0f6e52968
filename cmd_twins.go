package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/failures/twins/exec"
	"github.com/byzsim/byzsim/results"
	"github.com/schollz/progressbar/v3"
)

func twinsCmd(args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("twins", flag.ContinueOnError)
	out := fs.String("o", "out", "output `dir`ectory; results go to DIR/<experiment>")
	jobs := fs.Int("j", 0, "scenarios in parallel (default: the number of cores)")
	var seed seedFlag
	fs.Var(&seed, "seed", "replace the experiment's seed")
	var bugs stringList
	fs.Var(&bugs, "bug", "plant a bug: "+strings.Join(exec.Bugs(), ", ")+" (repeatable)")
	scenarios := fs.Int64("scenarios", 0, "scenarios to run (default: the file's)")
	replay := fs.String("replay", "", "run the scenarios of a scenario `file` (JSON lines) instead of generating")
	generate := fs.Bool("generate", false, "write the generated scenarios to DIR/<experiment>/scenarios.jsonl without running them")
	keep := fs.Int("keep", 5, "minimized counterexamples to write (the first violation of each property, by scenario index)")
	quiet := fs.Bool("q", false, "no progress bar")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the command to `file` (read it with go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a memory (allocation) profile of the command to `file` when it ends")
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
	for _, b := range bugs {
		if err := exec.CheckBug(b); err != nil {
			return usageErrorf("--bug: %v", err)
		}
	}
	stopProfiling, err := startProfiling(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer func() {
		if perr := stopProfiling(); perr != nil {
			err = errors.Join(err, perr)
		}
	}()
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	if *replay != "" {
		if len(pos) != 0 {
			return usageErrorf("byzsim twins: --replay takes no experiment file, got %d arguments", len(pos))
		}
		err := twinsReplay(ctx, *replay, bugs, *jobs, stdout, stderr)
		if s := sig(); s != nil && errors.Is(err, context.Canceled) {
			return &interruptedError{code: signalExit(s), msg: fmt.Sprintf("twins --replay %s: %s: stopped before every scenario was replayed", *replay, signalName(s))}
		}
		return err
	}
	file, err := oneFile("twins", pos)
	if err != nil {
		return err
	}
	ov := exec.Overrides{Bugs: bugs, Seed: seed.v}
	if *scenarios > 0 {
		ov.Scenarios = scenarios
	}
	e, err := exec.Load(file, ov)
	if err != nil {
		return inputError(err)
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
	old, _ := filepath.Glob(filepath.Join(dir, "violation-*"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	var bar *progressbar.ProgressBar
	opt := exec.Options{Jobs: *jobs}
	if !*quiet && isTerminal(os.Stderr) {
		bar = progressbar.NewOptions64(e.Scenarios,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("twins "+e.Name),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish())
		opt.Progress = func(done int64) { _ = bar.Set64(done) }
	}
	rep, err := exec.Execute(ctx, e.Settings, e.Source(gen), opt)
	if bar != nil {
		_ = bar.Finish()
	}
	// A signal stops the scenarios in progress; what was found so far is
	// still written, and the exit status says the search was cut short.
	stopped := sig() != nil && errors.Is(err, context.Canceled)
	if err != nil && !stopped {
		return err
	}
	files, err := writeCounterexamples(e.Settings, rep, dir, *keep)
	if err != nil {
		return err
	}
	if err := writeTwinsSummary(e, gen, rep, files, dir); err != nil {
		return err
	}
	seen := rep.Scenarios + rep.Generator.Removed
	fmt.Fprintf(stdout, "%s: %d scenarios (%d removed by symmetry, %.1f%%), %d violations, %.0f scenarios/s → %s\n",
		e.Name, rep.Scenarios, rep.Generator.Removed, 100*frac(rep.Generator.Removed, seen), rep.Failed,
		float64(rep.Scenarios)/rep.Wall.Seconds(), dir)
	if rep.Failed > 0 {
		reportViolations(rep, files, stderr)
	}
	switch {
	case stopped:
		return &interruptedError{code: signalExit(sig()), msg: fmt.Sprintf("twins %s: %s: stopped after %d of %d scenarios; the summary and counterexamples in %s cover only those",
			e.Name, signalName(sig()), rep.Scenarios, e.Scenarios, dir)}
	case rep.Failed > 0:
		return violationsError(fmt.Sprintf("%d of %d scenarios violated a property", rep.Failed, rep.Scenarios))
	}
	return nil
}

// reportViolations lists, on stderr, how many scenarios violated each
// property and where the minimized counterexamples are.
func reportViolations(rep *exec.Report, files []string, stderr io.Writer) {
	props := make([]string, 0, len(rep.ByProperty))
	for p := range rep.ByProperty {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		fmt.Fprintf(stderr, "  %s (%s): %d scenarios\n", p, exec.PropertyText[p], rep.ByProperty[p])
	}
	for _, f := range files {
		fmt.Fprintf(stderr, "counterexample: %s (replay: byzsim twins --replay %s)\n", strings.TrimSuffix(f, ".jsonl")+".txt", f)
	}
}

// inputError turns the twins package's located errors into experiment
// errors (exit status 2).
func inputError(err error) error {
	var ce *exec.ConfigError
	if errors.As(err, &ce) {
		return &experiments.Error{File: ce.File, Line: ce.Line, Key: ce.Key, Msg: ce.Msg}
	}
	var fe *twins.FileError
	if errors.As(err, &fe) {
		return &experiments.Error{File: fe.File, Line: fe.Line, Msg: fe.Msg}
	}
	return err
}

func frac(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func twinsGenerate(e *exec.Experiment, gen *twins.Generator, dir string, stdout io.Writer) error {
	path := filepath.Join(dir, "scenarios.jsonl")
	tmp, err := os.CreateTemp(dir, ".scenarios-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w, err := twins.NewWriter(tmp, e.Settings.Header())
	if err != nil {
		return err
	}
	var werr error
	st := e.Source(gen)(func(sc twins.Scenario) bool {
		werr = w.Write(&sc)
		return werr == nil
	})
	if werr == nil {
		werr = w.Flush()
	}
	if werr == nil {
		werr = tmp.Close()
	}
	if werr != nil {
		tmp.Close()
		return werr
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d scenarios (%d removed by symmetry) → %s\n", e.Name, st.Generated, st.Removed, path)
	return nil
}

func twinsReplay(ctx context.Context, path string, bugs []string, jobs int, stdout, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return &experiments.Error{File: path, Msg: fmt.Sprintf("cannot read scenarios: %v", errors.Unwrap(err))}
	}
	h, scens, err := twins.ReadScenarios(f, path)
	f.Close()
	if err != nil {
		return inputError(err)
	}
	h.Bugs = append(h.Bugs, bugs...)
	s, err := exec.FromHeader(h)
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
	rep, err := exec.Execute(ctx, s, src, exec.Options{Jobs: jobs, Keep: len(scens)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d scenarios replayed, %d violations\n", path, rep.Scenarios, rep.Failed)
	for _, fl := range rep.Failures {
		for _, v := range fl.Result.Violations {
			fmt.Fprintln(stdout)
			fmt.Fprint(stdout, exec.Explain(&s, &fl.Scenario, v))
		}
	}
	if rep.Failed > 0 {
		return violationsError("the replayed scenario violated a property")
	}
	return nil
}

// writeCounterexamples minimizes the first failure of each property (by
// scenario index), at most keep of them, and writes each as a replayable
// scenario file and an explanation. It returns the scenario files.
func writeCounterexamples(s exec.Settings, rep *exec.Report, dir string, keep int) ([]string, error) {
	rn, err := exec.NewRunner(s)
	if err != nil {
		return nil, err
	}
	var files []string
	done := map[string]bool{}
	for _, fl := range rep.Failures {
		if len(files) >= keep {
			break
		}
		prop := fl.Result.Violations[0].Property
		if done[prop] {
			continue
		}
		done[prop] = true
		min, res, err := exec.Minimize(rn, fl.Scenario, prop)
		if err != nil {
			return nil, err
		}
		var v exec.Violation
		for _, x := range res.Violations {
			if x.Property == prop {
				v = x
			}
		}
		base := filepath.Join(dir, fmt.Sprintf("violation-%s-%d", prop, fl.Scenario.Index))
		var b strings.Builder
		w, err := twins.NewWriter(&b, s.Header())
		if err != nil {
			return nil, err
		}
		if err := w.Write(&min); err != nil {
			return nil, err
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(base+".jsonl", []byte(b.String())); err != nil {
			return nil, err
		}
		text := exec.Explain(&s, &min, v) + fmt.Sprintf("\nMinimized from scenario %d (%d rounds); replay: byzsim twins --replay %s.jsonl\n",
			fl.Scenario.Index, len(fl.Scenario.Rounds), filepath.Base(base))
		if err := writeFileAtomic(base+".txt", []byte(text)); err != nil {
			return nil, err
		}
		files = append(files, base+".jsonl")
	}
	return files, nil
}

// twinsSummary is summary.json: a function of the experiment alone.
type twinsSummary struct {
	Name              string           `json:"name"`
	N                 int              `json:"n"`
	F                 int              `json:"f"`
	T                 int              `json:"t"`
	Bugs              []string         `json:"bugs"`
	Sampling          string           `json:"sampling"`
	Seed              uint64           `json:"seed"`
	RoundConfigs      int              `json:"round_configurations"`
	Space             string           `json:"scenario_space"`
	Scenarios         int64            `json:"scenarios"`
	RemovedBySymmetry int64            `json:"removed_by_symmetry"`
	RemovedFraction   float64          `json:"removed_fraction"`
	Exhausted         bool             `json:"exhausted"`
	LivenessChecked   int64            `json:"liveness_checked"`
	Violations        int64            `json:"violations"`
	ByProperty        map[string]int64 `json:"by_property"`
	Events            uint64           `json:"events"`
	FirstViolations   []int64          `json:"first_violating_scenarios"`
	Counterexamples   []string         `json:"counterexamples"`
}

// twinsPerf is perf.json: wall-clock figures.
type twinsPerf struct {
	WallSeconds           float64 `json:"wall_seconds"`
	ScenariosPerSecond    float64 `json:"scenarios_per_second"`
	FirstViolationSeconds float64 `json:"first_violation_seconds"`
}

func writeTwinsSummary(e *exec.Experiment, gen *twins.Generator, rep *exec.Report, files []string, dir string) error {
	sum := twinsSummary{
		Name: e.Name, N: e.Settings.N, F: e.Settings.F, T: e.Settings.T, Bugs: e.Settings.Bugs,
		Sampling: e.Sampling, Seed: e.Settings.Seed, RoundConfigs: gen.Configs(), Space: gen.Space().String(),
		Scenarios: rep.Scenarios, RemovedBySymmetry: rep.Generator.Removed,
		RemovedFraction: frac(rep.Generator.Removed, rep.Scenarios+rep.Generator.Removed),
		Exhausted:       rep.Generator.Exhausted, LivenessChecked: rep.Liveness,
		Violations: rep.Failed, ByProperty: rep.ByProperty, Events: rep.Events,
		FirstViolations: []int64{}, Counterexamples: []string{},
	}
	if sum.Bugs == nil {
		sum.Bugs = []string{}
	}
	for _, f := range rep.Failures {
		sum.FirstViolations = append(sum.FirstViolations, f.Scenario.Index)
	}
	for _, f := range files {
		sum.Counterexamples = append(sum.Counterexamples, filepath.Base(f))
	}
	perf := twinsPerf{WallSeconds: rep.Wall.Seconds(), ScenariosPerSecond: float64(rep.Scenarios) / rep.Wall.Seconds(), FirstViolationSeconds: -1}
	if rep.FirstFailure >= 0 {
		perf.FirstViolationSeconds = rep.FirstFailure.Seconds()
	}
	for name, v := range map[string]any{"summary.json": sum, "perf.json": perf} {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(dir, name), append(data, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes a file through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
