package twinsrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/failures/twins"
)

// Source emits scenarios in a fixed order until emit returns false, and
// returns the generator's statistics.
type Source func(emit func(twins.Scenario) bool) twins.Stats

// Failure is a scenario that violated a property, with its result.
type Failure struct {
	Scenario twins.Scenario
	Result   Result
}

// Counterexample is the first scenario (by index) violating a property,
// minimized: Found as generated, Scenario minimized, Result its run.
type Counterexample = search.Counterexample[twins.Scenario, Result]

// SearchResult is the search's own account of an execution, which
// search.Write writes.
type SearchResult = search.Result[twins.Scenario, Result]

// Report is what Execute found. Everything but the wall-clock fields is a
// function of the settings and the scenarios alone, whatever Jobs is.
type Report struct {
	Generator twins.Stats
	// Scenarios is the number of scenarios run.
	Scenarios int64
	// Failed is the number of scenarios that violated a property.
	Failed int64
	// ByProperty counts the scenarios violating each property.
	ByProperty map[string]int64
	// Liveness is the number of scenarios in which P3 and P4 were checked.
	Liveness int64
	// Events is the number of simulation events of all runs.
	Events uint64
	// Failures holds the failing scenarios with the smallest indices (at
	// most Options.Keep), by index.
	Failures []Failure
	// Counterexamples are the first failing scenario of each property
	// (by index), at most Options.Counterexamples, minimized.
	Counterexamples []Counterexample
	// Search is the whole result, for search.Write.
	Search *SearchResult
	// Wall-clock figures.
	Wall         time.Duration
	FirstFailure time.Duration // −1 when nothing failed
}

// Options configure Execute.
type Options struct {
	Jobs int // parallel runners; ≤ 0 means the number of cores
	Keep int // failing scenarios kept; ≤ 0 means 16
	// Counterexamples is the number of properties whose first failing
	// scenario is minimized (Minimizer) and returned.
	Counterexamples int
	// Progress, if set, is called from one goroutine with the number of
	// scenarios finished so far.
	Progress func(done int64)
	// StopAtFirst ends the execution at the first failing scenario.
	StopAtFirst bool
	// NoMinimize returns the counterexamples as found.
	NoMinimize bool
}

// markLiveness marks the runs in which P3 and P4 were checked.
const markLiveness = "liveness"

// Problem is a stream of Twins scenarios as a search problem: the cases
// are the source's scenarios, run by a Runner each.
type Problem struct {
	s     Settings
	src   Source
	stats twins.Stats
}

// NewProblem returns the search problem of the source's scenarios.
func NewProblem(s Settings, src Source) (*Problem, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Problem{s: s, src: src}, nil
}

// Cases implements search.Problem.
func (p *Problem) Cases(emit func(twins.Scenario) bool) { p.stats = p.src(emit) }

// Stats are the generator's statistics, once search.Run returned.
func (p *Problem) Stats() twins.Stats { return p.stats }

// Index implements search.Problem.
func (p *Problem) Index(sc twins.Scenario) int64 { return sc.Index }

// Executor implements search.Problem: a Runner.
func (p *Problem) Executor() (search.Executor[twins.Scenario, Result], error) {
	rn, err := NewRunner(p.s)
	if err != nil {
		return nil, err
	}
	return runnerExec{rn}, nil
}

// runnerExec runs scenarios on a Runner; the outcome's detail is the
// run's Result.
type runnerExec struct{ rn *Runner }

func (x runnerExec) Run(_ context.Context, sc twins.Scenario) (search.Outcome[Result], error) {
	r, err := x.rn.Run(&sc)
	if err != nil {
		return search.Outcome[Result]{}, err
	}
	o := search.Outcome[Result]{Events: r.Events, Detail: r}
	for _, v := range r.Violations {
		o.Failed = append(o.Failed, v.Property)
	}
	if r.Liveness {
		o.Marks = []string{markLiveness}
	}
	return o, nil
}

// Execute runs every scenario of src on opt.Jobs runners through the
// search driver, then minimizes the first failure of each property.
func Execute(ctx context.Context, s Settings, src Source, opt Options) (*Report, error) {
	keep := opt.Keep
	if keep <= 0 {
		keep = 16
	}
	p, err := NewProblem(s, src)
	if err != nil {
		return nil, err
	}
	sopt := search.Options[twins.Scenario]{Jobs: opt.Jobs, Progress: opt.Progress, StopAtFirst: opt.StopAtFirst,
		Keep: opt.Counterexamples, Failures: keep}
	if !opt.NoMinimize {
		sopt.Minimizer = Minimizer(s)
	}
	sr, err := search.Run(ctx, p, sopt)
	if sr == nil {
		var ce *search.CaseError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("twins: scenario %d: %w", ce.Index, ce.Err)
		}
		return nil, err
	}
	rep := &Report{Generator: p.Stats(), Scenarios: sr.Cases, Failed: sr.Failed, ByProperty: sr.ByCheck,
		Liveness: sr.Marks[markLiveness], Events: sr.Events, Counterexamples: sr.Counterexamples, Search: sr,
		Wall: sr.Wall, FirstFailure: sr.FirstFailure}
	for _, f := range sr.Failures {
		rep.Failures = append(rep.Failures, Failure{Scenario: f.Case, Result: f.Outcome.Detail})
	}
	return rep, err
}
