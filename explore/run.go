package explore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore/search"
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

// Problem is the random fault-schedule space of a configuration as a
// search problem: schedule i of the budget, drawn from the seed, run as
// an experiment and checked by the experiment's checks.
type Problem struct {
	c     *Config
	gen   *generator
	total int64
}

// NewProblem returns the search problem of c's first total schedules.
func NewProblem(c *Config, total int64) *Problem {
	return &Problem{c: c, gen: newGenerator(c), total: total}
}

// Cases implements search.Problem: the schedules in index order.
func (p *Problem) Cases(emit func(Schedule) bool) {
	for i := int64(0); i < p.total; i++ {
		if !emit(p.gen.schedule(i)) {
			return
		}
	}
}

// Index implements search.Problem.
func (p *Problem) Index(s Schedule) int64 { return s.Index }

// Executor implements search.Problem.
func (p *Problem) Executor() (search.Executor[Schedule, []results.Check], error) {
	return executor{p.c}, nil
}

type executor struct{ c *Config }

// Run runs a schedule as an experiment; the outcome's detail is the
// failed checks.
func (x executor) Run(ctx context.Context, s Schedule) (search.Outcome[[]results.Check], error) {
	poll := func(sim.Time, uint64) bool { return ctx.Err() == nil }
	o, err := experiments.Simulate(s.Experiment(x.c.Base), s.Seed, x.c.Reg, poll)
	if err != nil {
		return search.Outcome[[]results.Check]{}, err
	}
	out := search.Outcome[[]results.Check]{Events: o.Events, Virtual: o.Now, Group: s.Size.String(),
		Interrupted: o.End == sim.Interrupted}
	if failed := o.Failed(); len(failed) > 0 {
		out.Detail = failed
		for _, ch := range failed {
			out.Failed = append(out.Failed, ch.Name)
		}
	}
	return out, nil
}

// Run explores the configuration's schedules on opt.Jobs workers, then
// minimizes the first failure of each failed check. A cancelled context
// stops the search; the result then covers the schedules finished, and
// the error is the context's.
func Run(ctx context.Context, c *Config, opt Options) (*Result, error) {
	total := c.Schedules
	if opt.Schedules > 0 {
		total = opt.Schedules
	}
	p := NewProblem(c, total)
	sopt := search.Options[Schedule]{Jobs: opt.Jobs, Progress: opt.Progress, StopAtFirst: opt.StopAtFirst, Keep: c.Keep}
	if !opt.NoMinimize && c.Minimize {
		sopt.Minimizer = Minimizer(c)
	}
	sr, err := search.Run(ctx, p, sopt)
	if sr == nil {
		var ce *search.CaseError
		if asCaseError(err, &ce) {
			return nil, &ScheduleError{Schedule: p.gen.schedule(ce.Index), Err: ce.Err}
		}
		return nil, err
	}
	res := &Result{Schedules: sr.Cases, Failed: sr.Failed, ByCheck: sr.ByCheck, BySize: map[Size][2]int64{},
		Events: sr.Events, Virtual: sr.Virtual, Wall: sr.Wall}
	for _, s := range c.Sizes {
		if g, ok := sr.ByGroup[s.String()]; ok {
			res.BySize[s] = g
		}
	}
	for _, cx := range sr.Counterexamples {
		res.Failures = append(res.Failures, Failure{Check: cx.Check, Found: cx.Found, Schedule: cx.Case, Checks: cx.Outcome.Detail, Runs: cx.Runs})
	}
	return res, err
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

func asCaseError(err error, target **search.CaseError) bool { return errors.As(err, target) }
