// Package hotstuff_test runs the reference-style HotStuff scenarios of this
// directory through the same code path as `byzsim run` and asserts their
// outcomes.
package hotstuff_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/hotstuff"
	"github.com/byzsim/byzsim/results"
)

// scenario is what one experiment of this directory must show beyond
// passing every check it runs.
type scenario struct {
	checks   []string // checks that must have run (and passed)
	timeouts bool     // some round ended by timeout
	// converged: every run converged after its transient fault.
	converged bool
}

var scenarios = map[string]scenario{
	"normal_operation":      {checks: []string{"safety", "liveness", "progress_after_gst", "commit_bound"}},
	"crashed_leader":        {checks: []string{"safety", "liveness"}, timeouts: true},
	"crash_recover":         {checks: []string{"safety", "liveness", "progress_after_gst", "commit_bound"}, timeouts: true},
	"partition":             {checks: []string{"safety", "liveness", "progress_after_gst"}, timeouts: true},
	"leader_setattr":        {checks: []string{"safety", "liveness", "progress_after_gst", "commit_bound"}},
	"vote_drop":             {checks: []string{"safety", "liveness", "progress_after_gst", "commit_bound"}, timeouts: true},
	"equivocation":          {checks: []string{"safety", "liveness"}},
	"byzantine_mix":         {checks: []string{"safety", "liveness"}, timeouts: true},
	"transient_convergence": {checks: []string{"safety", "convergence"}, converged: true},
}

// TestScenarios runs every experiment of this directory: each must pass
// all its checks (the ones listed above must have run), every one of its
// fault rules must have matched and acted, requests must complete, and
// the scenario's own outcome (timeouts, convergence) must show.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(scenarios) {
		t.Fatalf("%d scenario files, %d described", len(files), len(scenarios))
	}
	reg := protocols.NewRegistry(hotstuff.Protocol())
	out := t.TempDir()
	for _, file := range files {
		name := strings.TrimSuffix(file, ".toml")
		want, ok := scenarios[name]
		if !ok {
			t.Errorf("%s: no expectations", file)
			continue
		}
		t.Run(name, func(t *testing.T) {
			plan, err := experiments.Load(file, reg, experiments.Options{Sets: []string{"output.plots=false"}})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: out, Jobs: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				for _, c := range f.Checks {
					if !c.OK {
						t.Errorf("run %s: %s: %s", f.Run.ID, c.Name, c.Detail)
					}
				}
			}
			for _, run := range plan.Runs {
				s, err := results.ReadSummary(filepath.Join(rep.Dir, experiments.RunsDir, run.ID, results.SummaryFile))
				if err != nil {
					t.Fatal(err)
				}
				checkSummary(t, plan, s, want)
			}
		})
	}
}

func checkSummary(t *testing.T, plan *experiments.Plan, s results.Summary, want scenario) {
	t.Helper()
	if s.RequestsCompleted == 0 {
		t.Error("no request completed")
	}
	ran := map[string]bool{}
	for _, c := range s.Checks {
		ran[c.Name] = c.OK
	}
	for _, name := range want.checks {
		if ok, found := ran[name]; !found || !ok {
			t.Errorf("check %s: ran %v, passed %v (checks: %+v)", name, found, ok, s.Checks)
		}
	}
	if len(s.Faults) != len(plan.Base.Faults) {
		t.Fatalf("summary counts %d fault rules, the experiment has %d", len(s.Faults), len(plan.Base.Faults))
	}
	for i, fc := range s.Faults {
		if fc.Matched == 0 || fc.Fired == 0 {
			t.Errorf("fault rule %d (%s) matched %d and acted %d times; every rule must act", i, fc.Rule, fc.Matched, fc.Fired)
		}
	}
	if got := s.Timeouts > 0; want.timeouts && !got {
		t.Error("no round ended by timeout")
	}
	if want.converged && (s.Converged == nil || !*s.Converged) {
		t.Errorf("run %s did not converge", s.RunID)
	}
}
