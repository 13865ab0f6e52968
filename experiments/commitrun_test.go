package experiments

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// commitRun runs r as the runner does (safeExecuteRunTo: a panic becomes
// an error), without plots, lanes or a live cluster, into a batch of its
// own, and commits the batch when the run succeeds.
func commitRun(r *Run, reg *protocols.Registry, dir string, poll func(sim.Time, uint64) bool) (results.Summary, results.Perf, error) {
	var files results.Batch
	defer files.Abort()
	s, p, err := safeExecuteRunTo(&files, nil, r, reg, nil, dir, poll, nil, nil, nil, nil)
	if err != nil {
		return s, p, err
	}
	return s, p, files.Commit()
}
