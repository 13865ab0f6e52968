package search

import (
	"context"
	"slices"
)

// Step is one move of a minimizer: from a case that fails check, it tries
// smaller cases with fails (which runs one and reports whether it still
// fails check) and returns the smallest it kept, and whether it kept any.
type Step[C any] func(c C, check string, fails func(C) bool) (C, bool)

// Minimizer shrinks a failed case while it still fails the same check.
type Minimizer[C any] struct {
	// Steps are applied in order.
	Steps []Step[C]
	// Repeat applies the steps again while a pass kept a smaller case.
	Repeat bool
	// MaxRuns bounds the runs spent on one case (0: no bound).
	MaxRuns int
}

// Minimize shrinks c, which fails check, with x's runs; it returns the
// smallest case found and the number of runs made. A case that cannot run
// (the executor's error) is not a smaller failure; a cancelled context
// ends the minimizing with the smallest case so far.
func Minimize[C, R any](ctx context.Context, m *Minimizer[C], x Executor[C, R], c C, check string) (C, int) {
	runs := 0
	fails := func(t C) bool {
		if (m.MaxRuns > 0 && runs >= m.MaxRuns) || ctx.Err() != nil {
			return false
		}
		runs++
		o, err := x.Run(ctx, t)
		return err == nil && !o.Interrupted && slices.Contains(o.Failed, check)
	}
	for {
		changed := false
		for _, step := range m.Steps {
			var ok bool
			c, ok = step(c, check, fails)
			changed = changed || ok
		}
		if !m.Repeat || !changed {
			return c, runs
		}
	}
}
