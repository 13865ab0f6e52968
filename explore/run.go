package explore

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// Options configure Run.
type Options struct {
	// Jobs is the number of schedules run in parallel; ≤ 0 means the
	// number of cores.
	Jobs int
	// Schedules, when > 0, replaces the configuration's budget (e.g. a
	// short exploration for a mutation test).
	Schedules int64
	// Progress, when set, is called from one goroutine with the number of
	// schedules finished so far.
	Progress func(done int64)
	// NoMinimize skips the minimizer: failures are returned as found.
	NoMinimize bool
	// StopAtFirst ends the search at the first failed schedule (for a
	// caller that only asks whether the budget finds a failure, such as a
	// mutation test). Whether a failure is found stays a function of the
	// budget; which one and the counts then depend on the workers' timing.
	StopAtFirst bool
}

// Failure is a schedule whose run failed a check.
type Failure struct {
	// Check is the name of the failed check the failure stands for (the
	// first failed one of the found schedule).
	Check string
	// Found is the schedule as drawn; Schedule the minimized one (Found
	// when not minimized) and Checks its failed checks.
	Found    Schedule
	Schedule Schedule
	Checks   []results.Check
	// Runs is the number of runs the minimizer made.
	Runs int
}

// Result is what Run found. Everything but Wall is a function of the
// configuration and the budget alone, whatever Options.Jobs is.
type Result struct {
	// Schedules run; Failed of them failed a check.
	Schedules, Failed int64
	// ByCheck counts the failed schedules per failed check.
	ByCheck map[string]int64
	// BySize counts the schedules and the failed ones per size.
	BySize map[Size][2]int64
	// Events of all runs, and the virtual time they covered.
	Events  uint64
	Virtual sim.Time
	// Failures are the first failed schedule (by index) of each check, at
	// most Config.Keep of them, by index, minimized unless
	// Options.NoMinimize.
	Failures []Failure
	// Wall is the wall-clock time of the search (without minimizing).
	Wall time.Duration
}

// chunk is the number of consecutive schedules a worker takes at once.
const chunk = 16

type found struct {
	index  int64
	checks []results.Check
	events uint64
	now    sim.Time
	size   Size
}

// Run explores the configuration's schedules on opt.Jobs workers, then
// minimizes the first failure of each failed check. A cancelled context
// stops the search; the result then covers the schedules finished, and
// the error is the context's.
func Run(ctx context.Context, c *Config, opt Options) (*Result, error) {
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	total := c.Schedules
	if opt.Schedules > 0 {
		total = opt.Schedules
	}
	start := time.Now()
	gen := newGenerator(c)
	// A schedule that cannot run stops the other workers too.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	out := make(chan []found, 2*jobs)
	errs := make(chan error, jobs)
	var wg sync.WaitGroup
	for range min(int64(jobs), max(total, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poll := func(sim.Time, uint64) bool { return wctx.Err() == nil }
			for wctx.Err() == nil {
				lo := next.Add(chunk) - chunk
				if lo >= total {
					return
				}
				hi := min(lo+chunk, total)
				batch := make([]found, 0, hi-lo)
				for i := lo; i < hi; i++ {
					s := gen.schedule(i)
					o, err := experiments.Simulate(s.Experiment(c.Base), s.Seed, c.Reg, poll)
					if err != nil {
						errs <- scheduleError(&s, err)
						cancel()
						return
					}
					if o.End == sim.Interrupted {
						break
					}
					batch = append(batch, found{index: i, checks: o.Failed(), events: o.Events, now: o.Now, size: s.Size})
				}
				out <- batch
				if opt.StopAtFirst && slices.ContainsFunc(batch, func(f found) bool { return len(f.checks) > 0 }) {
					cancel()
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out); close(errs) }()
	res := &Result{ByCheck: map[string]int64{}, BySize: map[Size][2]int64{}}
	first := map[string]int64{}
	for batch := range out {
		for _, f := range batch {
			res.Schedules++
			res.Events += f.events
			res.Virtual += f.now
			bs := res.BySize[f.size]
			bs[0]++
			if len(f.checks) > 0 {
				bs[1]++
				res.Failed++
				for _, ch := range f.checks {
					res.ByCheck[ch.Name]++
				}
				name := f.checks[0].Name
				if old, ok := first[name]; !ok || f.index < old {
					first[name] = f.index
				}
			}
			res.BySize[f.size] = bs
		}
		if opt.Progress != nil {
			opt.Progress(res.Schedules)
		}
	}
	res.Wall = time.Since(start)
	if err := <-errs; err != nil {
		return nil, err
	}
	type pick struct {
		check string
		index int64
	}
	var picks []pick
	for name, i := range first {
		picks = append(picks, pick{name, i})
	}
	sort.Slice(picks, func(i, j int) bool { return picks[i].index < picks[j].index })
	if len(picks) > c.Keep {
		picks = picks[:c.Keep]
	}
	m := &minimizer{c: c, ctx: ctx}
	for _, p := range picks {
		s := gen.schedule(p.index)
		f := Failure{Check: p.check, Found: s, Schedule: s}
		if !opt.NoMinimize && c.Minimize {
			f.Schedule, f.Runs = m.minimize(s, p.check)
		}
		o, err := experiments.Simulate(f.Schedule.Experiment(c.Base), f.Schedule.Seed, c.Reg, nil)
		if err != nil {
			return nil, scheduleError(&f.Schedule, err)
		}
		f.Checks = o.Failed()
		res.Failures = append(res.Failures, f)
	}
	return res, ctx.Err()
}

// ScheduleError is a schedule that could not run (an invalid schedule or a
// panic in the simulation): a bug of byzsim, reported with the schedule.
type ScheduleError struct {
	Schedule Schedule
	Err      error
}

func (e *ScheduleError) Error() string {
	return fmt.Sprintf("schedule %d (%v): %v", e.Schedule.Index, e.Schedule.Size, e.Err)
}

func (e *ScheduleError) Unwrap() error { return e.Err }

func scheduleError(s *Schedule, err error) error { return &ScheduleError{Schedule: *s, Err: err} }
