package explore

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/sim"
)

const example = "../experiments/explore/diembft.toml"

func load(t testing.TB, file string, sets ...string) *Config {
	t.Helper()
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	plan, err := experiments.Load(file, reg, experiments.Options{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromPlan(plan, reg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlantedBugsFound: within the example's default budget, explore finds
// each planted DiemBFT bug, the quorum bug also at n > 3f+1.
func TestPlantedBugsFound(t *testing.T) {
	for _, tc := range []struct {
		sets  []string
		check string
		n3f1  bool // every failure at n > 3f+1
	}{
		{[]string{"protocol.params.bug_vote_lt=true"}, "safety", false},
		{[]string{"protocol.params.bug_small_quorum=true", `explore.n=["5-6"]`, "explore.f=[1]"}, "safety", true},
		{[]string{"protocol.params.bug_vote_current_leader=true"}, "liveness", false},
		{[]string{"protocol.params.bug_one_chain_commit=true"}, "safety", false},
	} {
		t.Run(tc.sets[0], func(t *testing.T) {
			c := load(t, example, tc.sets...)
			res, err := Run(context.Background(), c, Options{Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.ByCheck[tc.check] == 0 {
				t.Fatalf("no %s failure in %d schedules (by check: %v)", tc.check, res.Schedules, res.ByCheck)
			}
			if len(res.Failures) == 0 {
				t.Fatal("no failure kept")
			}
			for _, f := range res.Failures {
				if len(f.Checks) == 0 {
					t.Errorf("minimized schedule %d no longer fails", f.Found.Index)
				}
				if len(f.Schedule.Faults) > len(f.Found.Faults) {
					t.Errorf("minimized schedule %d has more faults (%d) than found (%d)", f.Found.Index, len(f.Schedule.Faults), len(f.Found.Faults))
				}
				if s := f.Schedule.Size; tc.n3f1 && s.N <= 3*s.F+1 {
					t.Errorf("failure at %v, want n > 3f+1", s)
				}
			}
		})
	}
}

// TestNoBugNoFailure: without a planted bug, a CI-sized exploration of
// several sizes finds nothing.
func TestNoBugNoFailure(t *testing.T) {
	c := load(t, example)
	res, err := Run(context.Background(), c, Options{Jobs: 2, Schedules: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 {
		for _, f := range res.Failures {
			t.Logf("schedule %d at %v: %v", f.Found.Index, f.Schedule.Size, f.Checks)
		}
		t.Fatalf("%d of %d schedules failed: %v", res.Failed, res.Schedules, res.ByCheck)
	}
	if len(res.BySize) != len(c.Sizes) || res.Schedules != 3000 {
		t.Errorf("ran %d schedules over %d sizes, want 3000 over %d", res.Schedules, len(res.BySize), len(c.Sizes))
	}
}

// TestNoBugNoFailureBFTList: without a bug, a CI-sized exploration of
// BFTList at several sizes (n ≥ 5f+1, so n > 3f+1 throughout) finds
// nothing, with every fault kind, transient corruptions (checked for
// convergence) included.
func TestNoBugNoFailureBFTList(t *testing.T) {
	schedules := int64(240)
	if testing.Short() {
		schedules = 48
	}
	c := load(t, "../experiments/explore/bftlist.toml", "explore.n=[6, 8, 11]")
	res, err := Run(context.Background(), c, Options{Jobs: 2, Schedules: schedules, NoMinimize: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 {
		for _, f := range res.Failures {
			t.Logf("schedule %d at %v: %v", f.Found.Index, f.Schedule.Size, f.Checks)
		}
		t.Fatalf("%d of %d schedules failed: %v", res.Failed, res.Schedules, res.ByCheck)
	}
	if len(res.BySize) != 3 || res.Schedules != schedules {
		t.Errorf("ran %d schedules over %d sizes, want %d over 3", res.Schedules, len(res.BySize), schedules)
	}
}

// TestDeterministicAcrossJobs: the same seed gives the same schedules,
// result and output files whatever the number of workers.
func TestDeterministicAcrossJobs(t *testing.T) {
	var trees []map[string]string
	var results []*Result
	for _, jobs := range []int{1, 2, 3} {
		c := load(t, example, "protocol.params.bug_vote_lt=true")
		res, err := Run(context.Background(), c, Options{Jobs: jobs, Schedules: 300})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := Write(dir, c, res, false, jobs); err != nil {
			t.Fatal(err)
		}
		tree := map[string]string{}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if filepath.Base(f) == PerfFile {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			tree[filepath.Base(f)] = string(data)
		}
		res.Wall = 0
		trees, results = append(trees, tree), append(results, res)
	}
	if results[0].Failed == 0 {
		t.Fatal("the planted bug was not found in 300 schedules; the comparison says little")
	}
	for i := 1; i < len(trees); i++ {
		if !reflect.DeepEqual(results[0], results[i]) {
			t.Errorf("result with %d jobs differs from 1 job", i+1)
		}
		if !reflect.DeepEqual(trees[0], trees[i]) {
			t.Errorf("output files with %d jobs differ from 1 job", i+1)
		}
	}
}

// TestSchedulesDeterministic: schedule i depends on the seed and i only,
// and every drawn schedule is a valid experiment within the fault budget.
func TestSchedulesValid(t *testing.T) {
	c := load(t, example)
	g := newGenerator(c)
	for i := int64(0); i < 500; i++ {
		s := g.schedule(i)
		if !reflect.DeepEqual(s, g.schedule(i)) {
			t.Fatalf("schedule %d drawn twice differs", i)
		}
		e := s.Experiment(c.Base)
		if err := experiments.Prepare(e, c.Reg); err != nil {
			t.Fatalf("schedule %d: %v", i, err)
		}
		faulty := map[int]bool{}
		for _, f := range s.Faults {
			switch {
			case f.Kind == KindByzantine, f.Kind == KindCrash && f.Until == 0:
				faulty[f.Replica] = true
			case f.Kind == KindSetattr:
				var id int
				if _, err := sscanReplica(f.Rule.Src, &id); err != nil {
					t.Fatal(err)
				}
				faulty[id] = true
			}
			if end := lastEnd(&Schedule{Faults: []Fault{f}}); end > s.GST && f.Kind != KindByzantine {
				t.Errorf("schedule %d: %s ends at %v, after GST %v", i, f.Describe(), end, s.GST)
			}
		}
		if len(faulty) > s.Size.F {
			t.Errorf("schedule %d: %d faulty replicas at %v", i, len(faulty), s.Size)
		}
	}
}

// TestBadExploreTable: bad [explore] values are input errors naming the key.
func TestBadExploreTable(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	for _, tc := range []struct{ set, key string }{
		{"explore.schedules=-1", "explore.schedules"},
		{"explore.kinds=[\"transient\"]", "explore.kinds"},
		{"explore.kinds=[\"flood\"]", "explore.kinds"},
		{"explore.n=[\"7-4\"]", "explore.n"},
		{"explore.gst=\"50s\"", "explore.gst"},
		{"explore.f=[\"most\"]", "explore.f"},
	} {
		plan, err := experiments.Load(example, reg, experiments.Options{Sets: []string{tc.set}})
		if err == nil {
			_, err = FromPlan(plan, reg)
		}
		e, ok := err.(*experiments.Error)
		if !ok || e.Key != tc.key+" (--set)" {
			t.Errorf("%s: got %v, want an error at %s", tc.set, err, tc.key)
		}
	}
}

// TestReplacementWindow: a run that leaves the protocol less time after
// GST than it needs to replace f faulty leaders (Protocol.Replacement; and
// the convergence hold when transient faults are explored) is rejected at
// its duration, for any explored size.
func TestReplacementWindow(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	const file = "../experiments/explore/bftlist.toml"
	for _, tc := range []struct {
		sets []string
		bad  bool
	}{
		{nil, false},
		// 2 × 125 tokens × 250ms = 62.5s at n = 11, f = 2.
		{[]string{"protocol.params.cnt_threshold=125"}, true},
		{[]string{"protocol.params.cnt_threshold=125", "explore.n=[6]"}, true},
		// 12s after GST: n = 11 needs 12.5s, n = 6 6.25s + 5s hold.
		{[]string{`duration="19s"`}, true},
		{[]string{`duration="19s"`, "explore.n=[6]"}, false},
		{[]string{`duration="18s"`, "explore.n=[6]"}, true},
		{[]string{`duration="18s"`, "explore.n=[6]", `explore.kinds=["partition","byzantine"]`}, false},
		// The event-driven detector claims no bound.
		{[]string{"protocol.params.cnt_threshold=125", `protocol.params.fd_mode="event"`}, false},
	} {
		plan, err := experiments.Load(file, reg, experiments.Options{Sets: tc.sets})
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		_, err = FromPlan(plan, reg)
		if !tc.bad {
			if err != nil {
				t.Errorf("%v: %v", tc.sets, err)
			}
			continue
		}
		e, ok := err.(*experiments.Error)
		if !ok || !strings.HasPrefix(e.Key, "duration") || !strings.Contains(err.Error(), "to replace f =") {
			t.Errorf("%v: got %v, want an error at duration", tc.sets, err)
		}
	}
}

// TestFindingsReproduce: the findings of byzsim explore kept in
// testdata/findings (protocol bugs described in docs/explore.md). An open
// one must still fail the check it was found with; a fixed one is a
// regression test and must pass every check (fixes 21–32 in
// docs/bftlist.md; experiments/bftlist/regress_* run them with assertions
// on the final state).
func TestFindingsReproduce(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	for _, tc := range []struct {
		file, check string
		fixed       bool
	}{
		{"bftlist_byzantine_primary_not_replaced.toml", "liveness", true},
		{"bftlist_reset_replica_stays_behind.toml", "progress_after_gst", true},
		{"bftlist_wrong_ccsp_rolls_back_executed.toml", "safety", true},
		{"bftlist_client_beyond_sigma_primary_not_replaced.toml", "liveness", true},
		{"bftlist_byzantine_new_primary_not_replaced.toml", "liveness", true},
		{"bftlist_flushed_replicas_never_catch_up.toml", "liveness", true},
		{"bftlist_crash_recovery_global_reset.toml", "safety", true},
		{"bftlist_lagging_replicas_outside_window.toml", "liveness", true},
		{"bftlist_ve_corruption_never_converges.toml", "liveness", true},
		{"bftlist_recovered_replicas_view_change_stalls.toml", "liveness", true},
		{"bftlist_different_seqnums_primary_conflicting_commit.toml", "safety", true},
		{"bftlist_ve_timers_corruption_crashes_never_converges.toml", "convergence", true},
	} {
		plan, err := experiments.Load(filepath.Join("testdata", "findings", tc.file), reg, experiments.Options{})
		if err != nil {
			t.Fatal(err)
		}
		o, err := experiments.Simulate(plan.Runs[0].Exp, plan.Runs[0].Seed, reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		failed := false
		for _, c := range o.Failed() {
			failed = failed || c.Name == tc.check
			if tc.fixed {
				t.Errorf("%s (fixed) fails %s: %s", tc.file, c.Name, c.Detail)
			}
		}
		if !tc.fixed && !failed {
			t.Errorf("%s no longer fails %s (fixed? make it a regression test and update docs/explore.md)", tc.file, tc.check)
		}
	}
}

// TestBadExploreLine: a bad value in the file's [explore] table is
// reported at its line.
func TestBadExploreLine(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	path := filepath.Join(t.TempDir(), "bad.toml")
	text := "name = \"x\"\nduration = \"10s\"\n[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n[explore]\nn = [4, 5]\nfaults = -3\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := experiments.Load(path, reg, experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = FromPlan(plan, reg)
	e, ok := err.(*experiments.Error)
	if !ok || e.Key != "explore.faults" || e.Line != 9 || e.File != path {
		t.Fatalf("got %#v, want explore.faults at %s:9", err, path)
	}
}

// TestStopAtFirst: a short search that stops at the first failure finds
// one when the full search does, and none without a bug.
func TestStopAtFirst(t *testing.T) {
	for _, tc := range []struct {
		sets []string
		want bool
	}{
		{[]string{"protocol.params.bug_vote_lt=true"}, true},
		{nil, false},
	} {
		c := load(t, example, tc.sets...)
		res, err := Run(context.Background(), c, Options{Jobs: 2, Schedules: 300, StopAtFirst: true, NoMinimize: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Failed > 0; got != tc.want {
			t.Errorf("%v: failure found %v, want %v (%d schedules)", tc.sets, got, tc.want, res.Schedules)
		}
		if tc.want && res.Schedules >= 300 {
			t.Errorf("%v: ran all %d schedules despite a failure", tc.sets, res.Schedules)
		}
	}
}

// TestShorten: a fault's span is halved from its end or its start, to
// whole milliseconds, and a permanent crash or a fault without a span is
// left alone.
func TestShorten(t *testing.T) {
	ms := sim.Millisecond
	for _, tc := range []struct {
		f        Fault
		late, ok bool
		at, end  sim.Time
	}{
		{Fault{Kind: KindPartition, At: 100 * ms, Until: 500 * ms}, false, true, 100 * ms, 300 * ms},
		{Fault{Kind: KindPartition, At: 100 * ms, Until: 500 * ms}, true, true, 300 * ms, 500 * ms},
		{Fault{Kind: KindCrash, At: 100 * ms, Until: 101 * ms}, false, false, 100 * ms, 101 * ms},
		{Fault{Kind: KindCrash, At: 100 * ms}, false, false, 100 * ms, 0},
		{Fault{Kind: KindByzantine, At: 100 * ms}, false, false, 100 * ms, 0},
		{Fault{Kind: KindLink, Rule: experiments.FaultConfig{From: experiments.Duration(0), Until: experiments.Duration(7 * sim.Second)}}, true, true, 3500 * ms, 7 * sim.Second},
	} {
		f := tc.f
		ok := shorten(&f, tc.late)
		at, end := f.At, f.Until
		if f.Kind == KindLink {
			at, end = f.Rule.From.T(), f.Rule.Until.T()
		}
		if ok != tc.ok || at != tc.at || end != tc.end {
			t.Errorf("shorten(%s, late %v) = %v [%v, %v), want %v [%v, %v)", tc.f.Describe(), tc.late, ok, at, end, tc.ok, tc.at, tc.end)
		}
	}
}
