package experiments

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/results"
)

// TestDiemBFTReferenceScenarios runs every experiment in diembft/ (the
// DiemBFT reference's test configurations, with its reputation-based
// leaders) through the same code path as `byzsim run`: each must pass the
// four DiemBFT properties (safety, liveness, and after GST
// progress_after_gst and commit_bound), and every one of its fault rules
// must have matched and acted at least once, so the scenario really
// exercises each fault it lists.
func TestDiemBFTReferenceScenarios(t *testing.T) {
	files, err := filepath.Glob("diembft/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 16 {
		t.Fatalf("%d reference scenarios, want 16", len(files))
	}
	reg := protocols.NewRegistry(prototest.Protocol(), diembft.Protocol())
	out := t.TempDir()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			plan, err := Load(file, reg, Options{Sets: []string{"output.plots=false"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.Base.Protocol.Params["election"]; got != diembft.ElectionReputation {
				t.Errorf("election = %v, want %q (the reference's)", got, diembft.ElectionReputation)
			}
			rep := executePassing(t, plan, out)
			s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if s.RequestsCompleted == 0 {
				t.Error("no request completed")
			}
			checked := map[string]bool{}
			for _, c := range s.Checks {
				checked[c.Name] = c.OK
			}
			for _, want := range []string{"safety", "liveness", "progress_after_gst", "commit_bound"} {
				if ok, found := checked[want]; !found || !ok {
					t.Errorf("check %s: ran %v, passed %v (checks: %+v)", want, found, ok, s.Checks)
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
		})
	}
}

// TestBFTListExperiments runs every experiment in bftlist/ (the reference
// integration scenarios and the workload experiments) through the run
// path: each must pass its checks, and its [expect] must assert something
// about the final state (a view, committed entries or protocol state), so
// a scenario cannot pass by asserting nothing.
func TestBFTListExperiments(t *testing.T) {
	files, err := filepath.Glob("bftlist/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 33 {
		t.Fatalf("%d BFTList experiments, want at least 33 (29 reference scenarios and the workloads)", len(files))
	}
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			plan, err := Load(file, reg, Options{Sets: []string{"output.plots=false"}})
			if err != nil {
				t.Fatal(err)
			}
			x := plan.Base.Expect
			if x.Round == nil && x.MinRound == nil && x.MinCommitted == nil && len(x.State) == 0 {
				t.Fatal("[expect] asserts nothing about the final state (round, min_round, min_committed or [[expect.state]])")
			}
			executePassing(t, plan, t.TempDir())
		})
	}
}

// TestBFTListScenariosBackToBack runs, with back-to-back loops (the
// reference's pacing), the reference scenarios that failed in that mode:
// view establishment pulled a view change back (ve_follow_view_transition),
// and with a forced view a lagging replica's view-establishment reset
// flushed its list (the rep_byz_* scenarios). Every check and [expect]
// must pass, as in the default periodic mode.
func TestBFTListScenariosBackToBack(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, name := range []string{"ve_follow_view_transition", "rep_byz_modify", "rep_byz_seqnum_out_bound", "rep_byz_wrong_ccsp"} {
		t.Run(name, func(t *testing.T) {
			plan, err := Load("bftlist/"+name+".toml", reg, Options{Sets: []string{"output.plots=false", "protocol.params.loop_mode=\"back_to_back\""}})
			if err != nil {
				t.Fatal(err)
			}
			executePassing(t, plan, t.TempDir())
		})
	}
}

// TestExpectCanFail checks that each kind of [expect] assertion fails the
// run, and says why, when its expected value is flipped.
func TestExpectCanFail(t *testing.T) {
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, tt := range []struct{ file, set, want string }{
		{"fault_free", "expect.round=3", "ends in round 0, want 3"},
		{"fault_free", "expect.min_committed=1000", "want at least 1000"},
		{"unresponsive_primary", "expect.min_round=9", "want at least 9"},
		{"ve_move_on_view_change", "expect.state[0].views=[1,1]", "views: entry 0 is (2,2), want (1,1)"},
		{"ve_move_on_view_change", "expect.state[0].phs=1", "phs: entry 0 is 0, want 1"},
		{"ve_move_on_view_change", "expect.state[0].vchange=true", "vchange: entry 0 is false, want true"},
		{"ve_move_on_view_change", "expect.state[0].view=[1,1]", "view: (2,2), want (1,1)"},
		{"ve_silent_node", "expect.state[0].views=[[2,2],[2,2],[2,2],[2,2],[-1,0],\"*\"]", "entry 3 is (-1,0), want (2,2)"},
		{"rep_byz_stop_assigning", "expect.state[0].state=[1,2]", "state: [1], want [1 2]"},
		{"rep_byz_stop_assigning", "expect.state[0].pend_reqs_len=0", "pend_reqs_len: 2, want 0"},
		{"rep_byz_stop_assigning", "expect.state[0].r_log_len=2", "r_log_len: 1, want 2"},
		{"rep_view_change_renumbers", "expect.state[0].req_q_len=1", "req_q_len: 0, want 1"},
		{"rep_view_change_renumbers", "expect.state[0].prim=0", "prim: 1, want 0"},
		{"pm_not_enough_support", "expect.state[0].v_status=\"no_service\"", "v_status: OK, want [NO_SERVICE]"},
		{"pm_not_enough_support", "expect.state[0].pm_prim=1", "pm_prim: 0, want 1"},
		{"pm_demand_view_change", "expect.state[0].need_change=true", "need_change: false, want true"},
	} {
		plan, err := Load("bftlist/"+tt.file+".toml", reg, Options{Sets: []string{"output.plots=false", tt.set}})
		if err != nil {
			t.Fatalf("%s %s: %v", tt.file, tt.set, err)
		}
		rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) != 1 {
			t.Errorf("%s %s: %d failed runs, want 1", tt.file, tt.set, len(rep.Failures))
			continue
		}
		found := false
		for _, c := range rep.Failures[0].Checks {
			if c.Name == "expect" && !c.OK && strings.Contains(c.Detail, tt.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %s: no failing expect check mentioning %q: %+v", tt.file, tt.set, tt.want, rep.Failures[0].Checks)
		}
	}
}

// executePassing runs a plan into out and reports every failed check.
func executePassing(t *testing.T, plan *Plan, out string) *Report {
	t.Helper()
	rep, err := Execute(context.Background(), plan, RunOptions{Out: out, Jobs: 1})
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
	return rep
}
