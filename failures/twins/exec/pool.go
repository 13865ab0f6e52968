package exec

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"

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
	// Wall-clock figures.
	Wall         time.Duration
	FirstFailure time.Duration // −1 when nothing failed
}

// Options configure Execute.
type Options struct {
	Jobs int // parallel runners; ≤ 0 means the number of cores
	Keep int // failing scenarios kept; ≤ 0 means 16
	// Progress, if set, is called from one goroutine with the number of
	// scenarios finished so far.
	Progress func(done int64)
}

const batchSize = 32

type batch struct {
	scen []twins.Scenario
	res  []Result
	err  error
}

// Execute runs every scenario of src on opt.Jobs runners.
func Execute(ctx context.Context, s Settings, src Source, opt Options) (*Report, error) {
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	keep := opt.Keep
	if keep <= 0 {
		keep = 16
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	todo := make(chan *batch, 2*jobs)
	done := make(chan *batch, 2*jobs)
	var genStats twins.Stats
	go func() {
		defer close(todo)
		cur := &batch{}
		genStats = src(func(sc twins.Scenario) bool {
			if ctx.Err() != nil {
				return false
			}
			cur.scen = append(cur.scen, sc)
			if len(cur.scen) == batchSize {
				todo <- cur
				cur = &batch{}
			}
			return true
		})
		if len(cur.scen) > 0 {
			todo <- cur
		}
	}()
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rn, err := NewRunner(s)
			for b := range todo {
				if err != nil {
					b.err = err
					done <- b
					continue
				}
				b.res = make([]Result, len(b.scen))
				for i := range b.scen {
					if b.res[i], b.err = rn.Run(&b.scen[i]); b.err != nil {
						break
					}
				}
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	rep := &Report{ByProperty: make(map[string]int64), FirstFailure: -1}
	var firstErr error
	for b := range done {
		if b.err != nil && firstErr == nil {
			firstErr = b.err
		}
		for i := range b.res {
			r := &b.res[i]
			rep.Scenarios++
			rep.Events += r.Events
			if r.Liveness {
				rep.Liveness++
			}
			if !r.Failed() {
				continue
			}
			if rep.FirstFailure < 0 {
				rep.FirstFailure = time.Since(start)
			}
			rep.Failed++
			for _, v := range r.Violations {
				rep.ByProperty[v.Property]++
			}
			rep.Failures = append(rep.Failures, Failure{Scenario: b.scen[i], Result: *r})
			if len(rep.Failures) > 4*keep {
				rep.Failures = smallest(rep.Failures, keep)
			}
		}
		if opt.Progress != nil {
			opt.Progress(rep.Scenarios)
		}
	}
	rep.Failures = smallest(rep.Failures, keep)
	rep.Generator = genStats
	rep.Wall = time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	return rep, ctx.Err()
}

// smallest keeps the k failures of smallest index, in index order.
func smallest(fs []Failure, k int) []Failure {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Scenario.Index < fs[j].Scenario.Index })
	if len(fs) > k {
		fs = fs[:k]
	}
	return fs
}
