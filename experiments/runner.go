package experiments

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// Output file names of an experiment directory.
const (
	ExperimentFile = "experiment.toml"
	ManifestFile   = "manifest.json"
	RunsDir        = "runs"
	TraceFile      = "trace.jsonl"
)

// RunOptions control how a plan is executed.
type RunOptions struct {
	// Out is the output root; the experiment writes to Out/<name>.
	Out string
	// Jobs is the number of runs in parallel; 0 means the number of cores.
	Jobs int
	// Resume skips runs whose summary.json already exists.
	Resume bool
	// Shard and Shards select the runs whose index ≡ Shard (mod Shards);
	// Shards 0 or 1 runs everything.
	Shard, Shards int
	// Only, when not empty, selects runs by ID.
	Only []string
	// Command is the command line that reproduces this invocation (for the
	// one-line reproduction of failed runs), without --run.
	Command string
	// OnRunDone is called after each finished run (from the runner's
	// goroutine, in completion order), e.g. to advance a progress bar.
	OnRunDone func(done, total int)
	// OnProgress, when set, is called every 256 events of every
	// run in progress, from the run's goroutine (so possibly from several at
	// once), with the virtual time reached and the events so far.
	OnProgress func(r *Run, now sim.Time, events uint64)
	// Job names the batch job this execution runs in ("" outside one) and
	// JobAttempt its restarts: the lock of the output directory left by an
	// earlier attempt of the same job, killed and requeued on another host,
	// is then taken over.
	Job        string
	JobAttempt int
	// Note, when set, receives remarks for the user (a stale lock taken
	// over, parallelism lowered to fit in memory).
	Note func(string)
	// Memory is the memory the runs may use in bytes, to bound the runs in
	// parallel; 0 reads the machine's.
	Memory uint64
	// Live, when set, runs the runs live (see LiveOptions), one at a time,
	// instead of simulating them.
	Live *LiveOptions
	// KeepLanes is how many runs' timeline lanes (results.LanesOf) the
	// Report keeps in memory, for a report drawn without reading their
	// replicas.csv back: the failed runs first, then the first repetition
	// of each sweep point, then the others, in plan order.
	KeepLanes int
	// OnTimeline, when set with KeepLanes, is called from a run's
	// goroutine with the run's timeline (results.TimelineOf) as soon as
	// the run ended, before its files are written, when its lanes are
	// among those kept so far (a later run may still take their place):
	// byzsim run starts drawing the report's timeline then, on another
	// core, while the run's files are written.
	OnTimeline func(id string, rt results.RunTimeline)
	// BeforeRuns, when set, is called once the output directory is set
	// up (locked, experiment.toml and the first manifest on their way to
	// the disk) and the runs to execute are selected, before any of them
	// starts; the function it returns is called when Execute returns.
	// byzsim run installs its collector policy there, so that waiting for
	// the heap's preparation overlaps the setup.
	BeforeRuns func() (after func())
	// Report, when set, is called with the experiment's final files
	// before they are in place (not when a run ended in an error: Execute
	// returns it) and returns a file to write with them (byzsim run's
	// report.html): its name in the experiment directory and a function
	// that writes it. The file is synced with the final files and renamed
	// before manifest.json, which stays last. Its error does not stop the
	// execution: the final files are written, and the error is
	// Report.ReportErr.
	Report func(Final) (name string, write func(io.Writer) error, err error)
}

// Final is what RunOptions.Report is given: an experiment's final files
// before they are in place, and the timeline lanes kept in memory.
type Final struct {
	// Dir is the experiment's output directory.
	Dir string
	// Lanes are the timeline lanes kept (see Report.Lanes).
	Lanes map[string]results.TimelineLanes
	// Runs is runs.csv as it reads back (results.ReadRunsCSV).
	Runs results.RunsTable
	// Manifest is the manifest.json written last.
	Manifest *Manifest
	// Summaries are the summaries of the runs executed now, as their
	// summary.json reads back, by run ID; the last run's may not be in
	// place yet.
	Summaries map[string]results.Summary
	// Plots are the contents of the plot files not in place yet (the
	// last run's), by path.
	Plots map[string][]byte
}

// Failure is a run whose checks failed.
type Failure struct {
	Run       *Run
	Checks    []results.Check
	Reproduce string
}

// Report is what an execution did.
type Report struct {
	Dir      string
	Selected int // runs selected (shard, --run)
	Ran      int // runs executed now
	Skipped  int // runs skipped by --resume
	Failures []Failure
	// Interrupted is set when the context was cancelled before every run
	// finished; the finished runs are written.
	Interrupted bool
	// Complete is set when every selected run is finished and written.
	Complete bool
	Wall     time.Duration
	Events   uint64
	// Lanes are the timeline lanes of at most RunOptions.KeepLanes of the
	// runs executed now, by run ID.
	Lanes map[string]results.TimelineLanes
	// ReportErr is RunOptions.Report's error; the report is then not
	// written.
	ReportErr error
}

// Execute runs the selected runs of plan and writes the output directory:
// experiment.toml, runs/<id>/..., runs.csv and manifest.json. A run's files
// are written atomically, summary.json last, so an interrupted execution
// resumes where it stopped.
func Execute(ctx context.Context, plan *Plan, opt RunOptions) (*Report, error) {
	dir, err := results.SafeJoin(opt.Out, plan.Base.Name)
	if err != nil {
		return nil, &Error{File: plan.Source.File, Line: plan.Source.lines.line("name"), Key: "name", Msg: err.Error()}
	}
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	lock, err := lockDir(dir, opt.Job, opt.JobAttempt, opt.Note)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	removeTemps(dir)
	removeTemps(filepath.Join(dir, results.PlotsDir))
	resolvedText, err := resolvedTOML(plan.Base)
	if err != nil {
		return nil, err
	}
	if opt.Resume {
		if err := checkResume(dir, plan, resolvedText); err != nil {
			return nil, err
		}
	}
	// experiment.toml and the manifest are synced to disk at once (see
	// results.Batch), while the runs run: nothing else is written before
	// they are in place (ready).
	var first results.Batch
	defer first.Abort()
	if err := first.WriteFile(filepath.Join(dir, ExperimentFile), resolvedText); err != nil {
		return nil, err
	}
	selected, err := selectRuns(plan, opt)
	if err != nil {
		return nil, cmp.Or(first.Commit(), err)
	}
	rep := &Report{Dir: dir, Selected: len(selected)}
	// Until the end, the manifest says the directory is incomplete, even if
	// this process is killed.
	manifest, err := manifestOf(plan, selected, rep).marshal()
	if err != nil {
		return nil, err
	}
	if err := first.WriteFile(filepath.Join(dir, ManifestFile), manifest); err != nil {
		return nil, err
	}
	ready := first.Start()
	defer ready()
	// If they cannot be written, nothing of the runs can: the runs stop
	// at once (as when interrupted), and Execute returns the error.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		if ready() != nil {
			stop()
		}
	}()
	var todo []*Run
	for _, r := range selected {
		rd, err := runDir(dir, r)
		if err != nil {
			return nil, err
		}
		if opt.Resume && fileExists(filepath.Join(rd, results.SummaryFile)) {
			// A resumed run that failed still fails the sweep: the exit
			// status does not depend on how often it was resumed.
			s, err := results.ReadSummary(filepath.Join(rd, results.SummaryFile))
			if err != nil {
				return nil, fmt.Errorf("--resume: run %s: %w", r.ID, err)
			}
			if s.Verdict != results.VerdictPass {
				rep.Failures = append(rep.Failures, Failure{Run: r, Checks: s.Checks, Reproduce: reproduce(opt.Command, r)})
			}
			rep.Skipped++
			continue
		}
		todo = append(todo, r)
	}
	// The plan's first run fills the world that checking the plan
	// assembled, instead of building it again; the plan gives it up
	// either way.
	var firstRun *Run
	if len(todo) > 0 && opt.Live == nil {
		firstRun = todo[0]
	}
	assembled := plan.takeFirst(firstRun)
	if opt.BeforeRuns != nil {
		defer opt.BeforeRuns()()
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	jobs = fitJobs(jobs, todo, opt)
	if opt.Live != nil {
		jobs = 1
	}
	start := time.Now()
	type outcome struct {
		run     *Run
		summary results.Summary // as summary.json reads back
		perf    results.Perf
		lanes   *results.TimelineLanes
		// files, when not nil, are the run's files not committed yet:
		// the last run's, committed with the final files; plots are
		// the contents of its plot files by path.
		files *results.Batch
		plots map[string][]byte
		err   error
	}
	// The last run to end leaves its files to be committed with the
	// final files, so that the end of the execution waits for the disk
	// once.
	var left atomic.Int64
	left.Store(int64(len(todo)))
	work := make(chan *Run)
	done := make(chan outcome)
	kept := keptLanes{max: opt.KeepLanes}
	var wg sync.WaitGroup
	for i := 0; i < min(jobs, max(len(todo), 1)); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if runCtx.Err() != nil { // handed over as the runs stopped
					done <- outcome{run: r, err: errInterrupted}
					continue
				}
				poll := func(now sim.Time, events uint64) bool {
					if opt.OnProgress != nil {
						opt.OnProgress(r, now, events)
					}
					return runCtx.Err() == nil
				}
				rd, _ := runDir(dir, r) // checked above
				var lanes *results.TimelineLanes
				var early func(results.RunTimeline, bool)
				if opt.KeepLanes > 0 {
					lanes = new(results.TimelineLanes)
					if opt.OnTimeline != nil {
						early = func(rt results.RunTimeline, failed bool) {
							if kept.wouldKeep(r, failed) {
								opt.OnTimeline(r.ID, rt)
							}
						}
					}
				}
				var built *instance
				if r == firstRun {
					// Only this worker runs it; the world is let go
					// with the run, not kept until the last worker ends.
					built, assembled = assembled, nil
				}
				files, plots := new(results.Batch), map[string][]byte{}
				s, p, err := safeExecuteRunTo(files, plots, r, plan.reg, built, rd, poll, opt.Live, lanes, early, ready)
				if last := left.Add(-1) == 0; err != nil || !last {
					if err == nil {
						err = files.Commit()
					}
					files.Abort()
					files, plots = nil, nil
				} else {
					// Committed with the final files, but on their way to
					// the disk while those are prepared.
					files.StartWriteback()
				}
				done <- outcome{r, s, p, lanes, files, plots, err}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, r := range todo {
			select {
			case work <- r:
			case <-runCtx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	var firstErr error
	finished := rep.Skipped
	summaries := map[string]results.Summary{}
	var lastFiles *results.Batch
	var lastRun string
	var lastPlots map[string][]byte
	// A finished run's files are committed whatever happens after it (the
	// error that ended Execute early is the one returned; a failure here
	// is told as a note).
	defer func() {
		if lastFiles == nil {
			return
		}
		if err := lastFiles.Commit(); err != nil && opt.Note != nil {
			opt.Note(fmt.Sprintf("run %s: its files were not kept: %v", lastRun, err))
		}
	}()
	for o := range done {
		if o.files != nil {
			lastFiles, lastRun, lastPlots = o.files, o.run.ID, o.plots
		}
		if errors.Is(o.err, errInterrupted) {
			continue
		}
		if o.err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("run %s: %w", o.run.ID, o.err)
			}
			continue
		}
		rep.Ran++
		rep.Events += o.perf.Events
		finished++
		summaries[o.run.ID] = o.summary
		if o.summary.Verdict != results.VerdictPass {
			rep.Failures = append(rep.Failures, Failure{Run: o.run, Checks: o.summary.Checks, Reproduce: reproduce(opt.Command, o.run)})
		}
		if o.lanes != nil && o.lanes.Interval > 0 {
			kept.add(o.run, o.summary.Verdict != results.VerdictPass, *o.lanes)
		}
		if opt.OnRunDone != nil {
			opt.OnRunDone(finished, len(selected))
		}
	}
	rep.Wall = time.Since(start)
	rep.Lanes = kept.byID()
	rep.Interrupted = ctx.Err() != nil && finished < len(selected)
	rep.Complete = finished == len(selected) && firstErr == nil
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].Run.Index < rep.Failures[j].Run.Index })
	if err := ready(); err != nil {
		return rep, err
	}
	// runs.csv, points.csv, summary.md and the manifest are synced to
	// disk at once, with the last run's files when it left them, the
	// manifest renamed last; when the plots are drawn, from points.csv,
	// the manifest waits for them.
	var last results.Batch
	defer last.Abort()
	runs, err := writeRunsCSV(&last, dir, plan, selected, summaries)
	if err != nil {
		return rep, err
	}
	// The report reads the files of the runs it shows whose lanes it
	// does not have: the last run's must then be in place.
	if lastFiles != nil && opt.Report != nil {
		if _, kept := rep.Lanes[lastRun]; !kept {
			if err := lastFiles.Commit(); err != nil {
				return rep, err
			}
		}
	}
	if ps := plan.plotSetup(); ps.draws() {
		if err := results.CommitBatches(lastFiles, &last); err != nil {
			return rep, err
		}
		if err := DrawPlots(dir, ps, nil); err != nil {
			return rep, err
		}
	}
	m := manifestOf(plan, selected, rep)
	manifest, err = m.marshal()
	if err != nil {
		return rep, err
	}
	if opt.Report != nil && firstErr == nil {
		f := Final{Dir: dir, Lanes: rep.Lanes, Runs: runs, Manifest: &m, Summaries: summaries}
		if lastFiles.Len() > 0 {
			f.Plots = lastPlots
		}
		rep.ReportErr = writeReport(&last, opt.Report, f)
	}
	if err := last.WriteFile(filepath.Join(dir, ManifestFile), manifest); err != nil {
		return rep, err
	}
	if err := results.CommitBatches(lastFiles, &last); err != nil {
		return rep, err
	}
	return rep, firstErr
}

// writeReport writes the file that report returns for f into the batch b.
func writeReport(b *results.Batch, report func(Final) (string, func(io.Writer) error, error), f Final) error {
	name, write, err := report(f)
	if err != nil {
		return err
	}
	path, err := results.SafeJoin(f.Dir, name)
	if err != nil {
		return err
	}
	return b.Write(path, write)
}

// keptLanes keeps the timeline lanes of the max runs that a report shows
// first: failed runs, then the first repetition of each sweep point, then
// the others, each in plan order. It is safe for concurrent use.
type keptLanes struct {
	max  int
	mu   sync.Mutex
	runs []keptRun
}

type keptRun struct {
	run    *Run
	failed bool
	lanes  results.TimelineLanes
}

// before says whether a is shown before b.
func (a keptRun) before(b keptRun) bool {
	if a.failed != b.failed {
		return a.failed
	}
	if first := a.run.Repetition == 0; first != (b.run.Repetition == 0) {
		return first
	}
	return a.run.Index < b.run.Index
}

// add keeps the lanes of run r if they are among the max first shown.
func (k *keptLanes) add(r *Run, failed bool, lanes results.TimelineLanes) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kr := keptRun{r, failed, lanes}
	switch i := k.slot(kr); {
	case i == len(k.runs):
		k.runs = append(k.runs, kr)
	case i >= 0:
		k.runs[i] = kr
	}
}

// wouldKeep says whether add would now keep the lanes of run r.
func (k *keptLanes) wouldKeep(r *Run, failed bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.slot(keptRun{run: r, failed: failed}) >= 0
}

// slot returns where add keeps kr: len(k.runs) to append it, the index of
// the kept run it replaces, or -1 when it is not kept.
func (k *keptLanes) slot(kr keptRun) int {
	switch {
	case k.max <= 0:
		return -1
	case len(k.runs) < k.max:
		return len(k.runs)
	}
	if last := k.lastShown(); kr.before(k.runs[last]) {
		return last
	}
	return -1
}

// lastShown returns the index of the kept run shown last; k must hold at
// least one.
func (k *keptLanes) lastShown() int {
	last := 0
	for i := range k.runs {
		if k.runs[last].before(k.runs[i]) {
			last = i
		}
	}
	return last
}

// byID returns the kept lanes by run ID; nil if none.
func (k *keptLanes) byID() map[string]results.TimelineLanes {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.runs) == 0 {
		return nil
	}
	out := make(map[string]results.TimelineLanes, len(k.runs))
	for _, kr := range k.runs {
		out[kr.run.ID] = kr.lanes
	}
	return out
}

// runDir returns the directory of run r under the experiment directory.
func runDir(dir string, r *Run) (string, error) { return results.SafeJoin(dir, RunsDir, r.ID) }

// removeTemps removes the temporary files of atomic writes (".NAME.tmp-*")
// that a killed execution left in dir.
func removeTemps(dir string) {
	temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, t := range temps {
		os.Remove(t)
	}
}

// errInterrupted reports a run stopped before its end because the
// execution was interrupted; nothing of it is written.
var errInterrupted = errors.New("interrupted")

// fitJobs lowers the runs in parallel so that their estimated memory fits
// in the machine's.
func fitJobs(jobs int, todo []*Run, opt RunOptions) int {
	var most uint64
	for _, r := range todo {
		if est, _ := memoryEstimate(r.Exp); est > most {
			most = est
		}
	}
	mem := opt.Memory
	if mem == 0 {
		mem = MachineMemory()
	}
	if most == 0 || mem == 0 || uint64(jobs)*most <= mem {
		return jobs
	}
	fit := max(int(mem/most), 1)
	if fit < jobs && opt.Note != nil {
		opt.Note(fmt.Sprintf("running %d runs in parallel instead of %d: each needs about %s of memory by byzsim's estimate, and %s is available", fit, jobs, gib(most), gib(mem)))
	}
	return min(fit, jobs)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// selectRuns applies --run and --shard.
func selectRuns(plan *Plan, opt RunOptions) ([]*Run, error) {
	if opt.Shards > 1 && (opt.Shard < 0 || opt.Shard >= opt.Shards) {
		return nil, &UsageError{Msg: fmt.Sprintf("--shard %d/%d: the shard must be in 0 to %d", opt.Shard, opt.Shards, opt.Shards-1)}
	}
	only := map[string]bool{}
	for _, id := range opt.Only {
		found := false
		for i := range plan.Runs {
			if plan.Runs[i].ID == id {
				found = true
			}
		}
		if !found {
			return nil, &UsageError{Msg: fmt.Sprintf("--run %s: no such run (the plan has runs %s to %s; see byzsim check)", id, plan.Runs[0].ID, plan.Runs[len(plan.Runs)-1].ID)}
		}
		only[id] = true
	}
	var out []*Run
	for i := range plan.Runs {
		r := &plan.Runs[i]
		if opt.Shards > 1 && r.Index%opt.Shards != opt.Shard {
			continue
		}
		if len(only) > 0 && !only[r.ID] {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// reproduce returns the command line that re-runs one run exactly.
func reproduce(command string, r *Run) string {
	if command == "" {
		return ""
	}
	return command + " --run " + r.ID
}

// safeExecuteRunTo is executeRunTo with a panic inside the simulation
// turned into an error naming the run, so one broken run does not take the
// whole sweep (and its finished results) down with a stack trace.
func safeExecuteRunTo(files *results.Batch, plots map[string][]byte, r *Run, reg *protocols.Registry, built *instance, dir string, poll func(sim.Time, uint64) bool, live *LiveOptions, lanes *results.TimelineLanes, early func(results.RunTimeline, bool), ready func() error) (s results.Summary, p results.Perf, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error (a byzsim bug; please report it with this experiment and seed %d): %v", r.Seed, v)
		}
	}()
	return executeRunTo(files, plots, r, reg, built, dir, poll, live, lanes, early, ready)
}

// executeRunTo runs one run and writes its directory's files into the batch
// files, summary.json last, so that its presence means the run is complete
// once files is committed; on an error, files must be aborted. It returns
// the summary as it reads back. rendered, when not nil, receives the
// contents of the run's plot files by path. built, when not nil, is the
// run's world assembled ahead (Plan.takeFirst), filled and run instead of
// building one; it must not be given to a traced or live run. poll, when not nil, is
// the world's poll function: when it returns false the run stops and
// executeRunTo returns errInterrupted without writing the run. With live set,
// the run runs live. With lanes not nil, it also sets *lanes to the run's
// timeline lanes (results.LanesOf), left zero for a run without a replica
// log; with early not nil too, it calls early with the run's timeline and
// whether the run failed its checks before it writes the run's files.
// ready, when not nil, is called before any file of the run is in place
// (only the trace's temporary file is written before: during the
// simulation); its error stops the run.
func executeRunTo(batch *results.Batch, rendered map[string][]byte, r *Run, reg *protocols.Registry, built *instance, dir string, poll func(sim.Time, uint64) bool, live *LiveOptions, lanes *results.TimelineLanes, early func(results.RunTimeline, bool), ready func() error) (results.Summary, results.Perf, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return results.Summary{}, results.Perf{}, err
	}
	// Leftovers of an execution killed while writing this run.
	removeTemps(dir)
	var in *instance
	var ended string
	var perf results.Perf
	simulate := func(trace io.Writer) error {
		var err error
		if built != nil {
			in = built
			in.fill()
		} else if in, err = buildWith(r, reg, trace, live.gateways()); err != nil {
			return err
		}
		meter := results.StartPerf()
		if live != nil {
			if ended, err = in.runLive(live, poll); err != nil {
				return err
			}
		} else {
			in.world.SetPoll(poll)
			ended = in.world.Run(r.Exp.Duration.T())
			in.messages.Add(in.world.MessageCounts())
		}
		if ended == sim.Interrupted {
			return errInterrupted
		}
		ended = endReason(ended)
		perf = meter.Stop(in.stats().Events, in.now())
		if in.trace != nil {
			return in.trace.Flush()
		}
		return nil
	}
	// The run's files, its trace and plots and perf.json are synced to
	// disk at once (see results.Batch), then renamed into place,
	// summary.json last: it marks the run done.
	var err error
	if r.Exp.Output.Trace {
		err = batch.Write(filepath.Join(dir, TraceFile), simulate)
	} else {
		err = simulate(nil)
	}
	if errors.Is(err, errInterrupted) {
		os.Remove(dir) // only if empty: nothing of the run is written
	}
	if err != nil {
		return results.Summary{}, perf, err
	}
	if ready != nil {
		if err := ready(); err != nil {
			batch.Abort()
			os.Remove(dir) // only if empty: nothing of the run is written
			return results.Summary{}, perf, err
		}
	}
	input := in.summaryInput(ended)
	recs := latencyRecords(in)
	if lanes != nil {
		// The lanes, and the timeline drawn from them, are taken from the
		// run's logs while its files are written (both only read them).
		// A panic there is the run's, as if it happened here.
		done := make(chan struct{})
		var crashed any
		defer func() {
			if <-done; crashed != nil {
				panic(crashed)
			}
		}()
		failed := results.Verdict(input.Checks) != results.VerdictPass
		go func() {
			defer close(done)
			defer func() { crashed = recover() }()
			if l, ok := results.LanesOf(input); ok {
				*lanes = l
				if early != nil {
					early(results.TimelineOf(dir, input, l), failed)
				}
			}
		}()
	}
	var plots *results.RunPlots
	if boolOr(r.Exp.Output.Plots, true) {
		plots = &results.RunPlots{Stem: filepath.Join(dir, "plot"), Formats: r.Exp.Output.Formats, Rendered: rendered}
	}
	if err := results.WritePerfTo(batch, filepath.Join(dir, results.PerfFile), perf); err != nil {
		return results.Summary{}, perf, err
	}
	s, err := results.WriteRunTo(batch, dir, input, recs, plots)
	return s, perf, err
}

// endReason words the World's reason for stopping for summary.json: the
// duration cap is "duration reached", no event left "idle", and a stop
// reason (e.g. "workloads finished") stays as it is.
func endReason(why string) string {
	if why == "until" {
		return "duration reached"
	}
	return why
}

// summaryInput gathers what the run's summary is built from; it adds the
// spans in which faults acted to the timeline's markers.
func (in *instance) summaryInput(ended string) results.RunInput {
	in.markFaultSpans(in.now())
	var params []results.Param
	for _, a := range in.run.Params {
		params = append(params, results.Param{Name: a.Key, Value: a.Value})
	}
	return withConvergence(results.RunInput{
		RunID:               in.run.ID,
		Experiment:          in.run.Exp.Name,
		Seed:                in.run.Seed,
		Parameters:          params,
		Checks:              in.checks(),
		Ended:               ended,
		Stats:               in.stats(),
		End:                 in.now(),
		Latency:             in.latency,
		Messages:            in.messages,
		Timeline:            in.timeline,
		Commits:             in.commits,
		RoundChanges:        in.rounds.roundChanges,
		TimeoutRoundChanges: in.rounds.timeoutRoundChanges,
		ViewChanges:         in.rounds.viewChanges,
		Timeouts:            in.rounds.timeouts,
		Faults:              in.faultCounts(),
		Replicas:            in.replicaLog,
	}, in)
}

// markFaultSpans adds to the timeline's markers the spans in which each
// fault rule acted, each crashed replica was down and the network was
// partitioned, up to end.
func (in *instance) markFaultSpans(end sim.Time) {
	if in.faultSpans != nil {
		for _, m := range in.faultSpans.Markers() {
			in.timeline.MarkSpan(m.At.Time(), m.Until.Time(), m.Label)
		}
	}
	s := in.res.schedule
	for _, c := range s.Crashes {
		until := end
		if c.RecoverAt != 0 {
			until = min(until, c.RecoverAt)
		}
		if until > c.At {
			in.timeline.MarkSpan(c.At, until, failures.ReplicaName(c.Replica)+" down")
		}
	}
	for i, ph := range s.Partitions {
		until := end
		if i+1 < len(s.Partitions) {
			until = min(until, s.Partitions[i+1].At)
		}
		if len(ph.Groups) > 0 && until > ph.At {
			in.timeline.MarkSpan(ph.At, until, "partitioned")
		}
	}
}

// faultCounts returns each fault rule's counters.
func (in *instance) faultCounts() []results.FaultCount {
	if in.engine == nil {
		return nil
	}
	stats := in.engine.Stats()
	out := make([]results.FaultCount, len(stats))
	for i, st := range stats {
		out[i] = results.FaultCount{Rule: in.res.rules[i].String(), Matched: st.Matched, Fired: st.Fired}
		if first, last, ok := in.faultSpans.Times(i); ok {
			f, l := results.Seconds(first), results.Seconds(last)
			out[i].FirstFiredS, out[i].LastFiredS = &f, &l
		}
	}
	return out
}

func latencyRecords(in *instance) []results.LatencyRecord {
	var out []results.LatencyRecord
	for _, c := range in.tracker.Completions() {
		out = append(out, results.LatencyRecord{
			Workload:        c.Workload,
			Client:          c.Client,
			ID:              c.ID,
			Sent:            c.SentAt,
			Latency:         c.Latency,
			Retransmissions: c.Retransmissions,
		})
	}
	return out
}

// writeRunsCSV writes runs.csv from the summaries of the selected runs,
// in run order, and points.csv and summary.md from it, into the batch b,
// and returns runs.csv as it reads back. A run's summary is taken from
// done (the runs executed now, as their summary.json reads back), else
// from its summary.json on disk, if there is one.
func writeRunsCSV(b *results.Batch, dir string, plan *Plan, runs []*Run, done map[string]results.Summary) (results.RunsTable, error) {
	table := results.RunsTable{Params: plan.Axes, Metrics: metricNames(plan.reg.Metrics())}
	for _, r := range runs {
		if s, ok := done[r.ID]; ok {
			table.Rows = append(table.Rows, results.RowOf(s, plan.Axes, table.Metrics))
			continue
		}
		rd, err := runDir(dir, r)
		if err != nil {
			return results.RunsTable{}, err
		}
		s, err := results.ReadSummary(filepath.Join(rd, results.SummaryFile))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return results.RunsTable{}, err
		}
		table.Rows = append(table.Rows, results.RowOf(s, plan.Axes, table.Metrics))
	}
	return results.WriteRunsAndPointsTo(b, dir, table, 0)
}

// Manifest is manifest.json: provenance and wall-clock figures.
type Manifest struct {
	Byzsim     string   `json:"byzsim"`
	Go         string   `json:"go"`
	Experiment string   `json:"experiment"`
	Source     string   `json:"source"`
	ConfigHash string   `json:"config_sha256"`
	Axes       []string `json:"axes"`
	Runs       int      `json:"runs"`
	Selected   int      `json:"selected"`
	Shard      string   `json:"shard,omitempty"`
	Seeds      []uint64 `json:"seeds"`
	// Complete is true once every selected run is finished and runs.csv,
	// points.csv and the plots cover them all; false while an execution
	// is under way or after it was interrupted (they then cover the runs
	// finished so far).
	Complete   bool     `json:"complete"`
	Failed     []string `json:"failed"`
	WallSecs   float64  `json:"wall_seconds"`
	Events     uint64   `json:"events"`
	EventsPerS float64  `json:"events_per_wall_second"`
	Finished   string   `json:"finished"`
	// Plotting is what byzsim plot and byzsim merge draw the plots from.
	Plotting PlotSetup `json:"plotting"`
	// Merged lists the shard directories byzsim merge joined; Missing the
	// runs none of them had (a partial merge).
	Merged  []string `json:"merged,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// manifestOf returns the manifest of an execution of the given runs of
// plan.
func manifestOf(plan *Plan, runs []*Run, rep *Report) Manifest {
	sum := sha256.Sum256([]byte(plan.Source.Text))
	m := Manifest{
		Byzsim:     version(),
		Go:         runtime.Version(),
		Experiment: plan.Base.Name,
		Source:     plan.Source.File,
		ConfigHash: hex.EncodeToString(sum[:]),
		Axes:       append([]string{}, plan.Axes...),
		Runs:       len(plan.Runs),
		Selected:   len(runs),
		Seeds:      []uint64{},
		Complete:   rep.Complete,
		Failed:     []string{},
		WallSecs:   rep.Wall.Seconds(),
		Events:     rep.Events,
		Finished:   time.Now().UTC().Format(time.RFC3339),
		Plotting:   plan.plotSetup(),
	}
	if rep.Wall > 0 {
		m.EventsPerS = float64(rep.Events) / rep.Wall.Seconds()
	}
	seen := map[uint64]bool{}
	for _, r := range runs {
		if !seen[r.Seed] {
			seen[r.Seed] = true
			m.Seeds = append(m.Seeds, r.Seed)
		}
	}
	for _, f := range rep.Failures {
		m.Failed = append(m.Failed, f.Run.ID)
	}
	return m
}

// marshal returns m as manifest.json.
func (m Manifest) marshal() ([]byte, error) {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// version is byzsim's module version, or "devel" for a source build.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// resolvedTOML writes the experiment with defaults filled, as TOML.
func resolvedTOML(e *Experiment) ([]byte, error) {
	var b strings.Builder
	b.WriteString("# The experiment as byzsim resolved it: defaults filled, overrides applied.\n")
	if err := toml.NewEncoder(&b).Encode(e); err != nil {
		return nil, fmt.Errorf("experiment.toml: %w", err)
	}
	return []byte(b.String()), nil
}
