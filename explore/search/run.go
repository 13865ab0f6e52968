package search

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/byzsim/byzsim/sim"
)

// Outcome is what running one case found.
type Outcome[R any] struct {
	// Failed names the checks the case failed; the first is the one the
	// case stands for (its counterexample is the first of that check).
	Failed []string
	// Events and Virtual are the simulation events and the virtual time of
	// the run.
	Events  uint64
	Virtual sim.Time
	// Group, when set, counts the case in Result.ByGroup (e.g. its system
	// size).
	Group string
	// Marks are counted in Result.Marks (e.g. "liveness checked").
	Marks []string
	// Interrupted is set when the context stopped the run: it is not
	// counted.
	Interrupted bool
	// Detail is the problem's own account of the run, kept for the
	// failures and counterexamples only.
	Detail R
}

// Problem is a space of cases and the way to run one.
type Problem[C, R any] interface {
	// Cases calls emit with the cases in index order until emit returns
	// false or the space (or its budget) is spent. It is called once, from
	// one goroutine.
	Cases(emit func(C) bool)
	// Index is a case's index: unique, increasing in Cases' order.
	Index(c C) int64
	// Executor returns the executor of one worker.
	Executor() (Executor[C, R], error)
}

// Executor runs cases, one at a time.
type Executor[C, R any] interface {
	// Run runs one case. The context stops a long run (its outcome is
	// then Interrupted). An error is a case that cannot run: it ends the
	// search.
	Run(ctx context.Context, c C) (Outcome[R], error)
}

// Options configure Run.
type Options[C any] struct {
	// Jobs is the number of cases run in parallel; ≤ 0 means the number of
	// cores.
	Jobs int
	// Progress, when set, is called from one goroutine with the number of
	// cases finished so far.
	Progress func(done int64)
	// StopAtFirst ends the search at the first failed case. Whether a
	// failure is found stays a function of the problem; which one and the
	// counts then depend on the workers' timing.
	StopAtFirst bool
	// Keep is the number of counterexamples: the first failed case (by
	// index) of each check, at most Keep of them, by index.
	Keep int
	// Failures is the number of failed cases kept with their outcome, the
	// ones of smallest index.
	Failures int
	// Minimizer, when set, shrinks each counterexample.
	Minimizer *Minimizer[C]
}

// Found is a failed case and its outcome.
type Found[C, R any] struct {
	Case    C
	Outcome Outcome[R]
}

// Counterexample is the first failed case of a check, minimized.
type Counterexample[C, R any] struct {
	// Check is the failed check it stands for.
	Check string
	// Found is the case as drawn, Case the minimized one (Found when not
	// minimized) and Outcome the outcome of Case.
	Found, Case C
	Outcome     Outcome[R]
	// Runs is the number of runs the minimizer made.
	Runs int
}

// Result is what Run found.
type Result[C, R any] struct {
	// Cases run; Failed of them failed a check.
	Cases, Failed int64
	// ByCheck counts the failed cases per failed check.
	ByCheck map[string]int64
	// ByGroup counts the cases ([0]) and the failed ones ([1]) per group.
	ByGroup map[string][2]int64
	// Marks counts the cases per mark.
	Marks map[string]int64
	// Events of all runs, and the virtual time they covered.
	Events  uint64
	Virtual sim.Time
	// Failures are the failed cases of smallest index, at most
	// Options.Failures, by index.
	Failures []Found[C, R]
	// Counterexamples: see Options.Keep.
	Counterexamples []Counterexample[C, R]
	// Wall is the wall-clock time of the search (without minimizing);
	// FirstFailure when the first failure came in (−1 for none).
	Wall, FirstFailure time.Duration
}

// batchSize is the number of consecutive cases a worker takes at once.
const batchSize = 16

type batch[C, R any] struct {
	cases []C
	outs  []Outcome[R]
	err   error
}

// Run runs the problem's cases on opt.Jobs workers, then minimizes the
// first failure of each check. A cancelled context stops the search; the
// result then covers the cases finished and the error is the context's.
func Run[C, R any](ctx context.Context, p Problem[C, R], opt Options[C]) (*Result[C, R], error) {
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	start := time.Now()
	// A case that cannot run, or StopAtFirst, stops the other workers too.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan *batch[C, R], 2*jobs)
	done := make(chan *batch[C, R], 2*jobs)
	go func() {
		defer close(todo)
		cur := &batch[C, R]{}
		p.Cases(func(c C) bool {
			if wctx.Err() != nil {
				return false
			}
			cur.cases = append(cur.cases, c)
			if len(cur.cases) == batchSize {
				select {
				case todo <- cur:
				case <-wctx.Done():
					return false
				}
				cur = &batch[C, R]{}
			}
			return true
		})
		if len(cur.cases) > 0 {
			select {
			case todo <- cur:
			case <-wctx.Done():
			}
		}
	}()
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, err := p.Executor()
			for b := range todo {
				if err != nil || wctx.Err() != nil {
					b.err = err
					done <- b
					continue
				}
				b.outs = make([]Outcome[R], 0, len(b.cases))
				for _, c := range b.cases {
					o, err := x.Run(wctx, c)
					if err != nil {
						b.err = &CaseError{Index: p.Index(c), Err: err}
						cancel()
						break
					}
					if o.Interrupted {
						break
					}
					b.outs = append(b.outs, o)
				}
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	res := &Result[C, R]{ByCheck: map[string]int64{}, ByGroup: map[string][2]int64{}, Marks: map[string]int64{}, FirstFailure: -1}
	first := map[string]Found[C, R]{}
	var firstErr error
	for b := range done {
		if b.err != nil && firstErr == nil {
			firstErr = b.err
		}
		failed := false
		for i := range b.outs {
			o, c := &b.outs[i], b.cases[i]
			res.Cases++
			res.Events += o.Events
			res.Virtual += o.Virtual
			for _, m := range o.Marks {
				res.Marks[m]++
			}
			g := res.ByGroup[o.Group]
			g[0]++
			if len(o.Failed) > 0 {
				failed = true
				g[1]++
				res.Failed++
				if res.FirstFailure < 0 {
					res.FirstFailure = time.Since(start)
				}
				for _, ch := range o.Failed {
					res.ByCheck[ch]++
				}
				if old, ok := first[o.Failed[0]]; !ok || p.Index(c) < p.Index(old.Case) {
					first[o.Failed[0]] = Found[C, R]{Case: c, Outcome: *o}
				}
				if opt.Failures > 0 {
					res.Failures = append(res.Failures, Found[C, R]{Case: c, Outcome: *o})
					if len(res.Failures) > 4*opt.Failures {
						res.Failures = smallest(p, res.Failures, opt.Failures)
					}
				}
			}
			res.ByGroup[o.Group] = g
		}
		if opt.Progress != nil {
			opt.Progress(res.Cases)
		}
		if failed && opt.StopAtFirst {
			cancel()
		}
	}
	res.Wall = time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	res.Failures = smallest(p, res.Failures, opt.Failures)
	picks := make([]Found[C, R], 0, len(first))
	for _, f := range first {
		picks = append(picks, f)
	}
	sort.Slice(picks, func(i, j int) bool { return p.Index(picks[i].Case) < p.Index(picks[j].Case) })
	if len(picks) > opt.Keep {
		picks = picks[:opt.Keep]
	}
	if len(picks) > 0 {
		x, err := p.Executor()
		if err != nil {
			return nil, err
		}
		for _, f := range picks {
			check := f.Outcome.Failed[0]
			cx := Counterexample[C, R]{Check: check, Found: f.Case, Case: f.Case, Outcome: f.Outcome}
			if opt.Minimizer != nil {
				cx.Case, cx.Runs = Minimize(ctx, opt.Minimizer, x, f.Case, check)
				o, err := x.Run(context.Background(), cx.Case)
				if err != nil {
					return nil, &CaseError{Index: p.Index(f.Case), Err: err}
				}
				cx.Outcome = o
			}
			res.Counterexamples = append(res.Counterexamples, cx)
		}
	}
	return res, ctx.Err()
}

// smallest keeps the k failures of smallest index, in index order.
func smallest[C, R any](p Problem[C, R], fs []Found[C, R], k int) []Found[C, R] {
	sort.Slice(fs, func(i, j int) bool { return p.Index(fs[i].Case) < p.Index(fs[j].Case) })
	if len(fs) > k {
		fs = fs[:k]
	}
	return fs
}

// CaseError is a case that could not run (an invalid case or a panic in
// the simulation): a bug of byzsim, reported with the case's index.
type CaseError struct {
	Index int64
	Err   error
}

func (e *CaseError) Error() string { return e.Err.Error() }

func (e *CaseError) Unwrap() error { return e.Err }
