package experiments

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
)

// splitCase is one network split: replicas split into a group of k and a
// group of n − k, the k taken from the first ids (replica 0, BFTList's
// primary of view 0, among them) or, with last, from the last ids.
type splitCase struct {
	n, f, k int
	last    bool
}

func (c splitCase) String() string {
	side := "first"
	if c.last {
		side = "last"
	}
	return fmt.Sprintf("n=%d,f=%d,%d|%d,%s", c.n, c.f, c.k, c.n-c.k, side)
}

// groups returns the split as a TOML array of two arrays of replica ids.
func (c splitCase) groups() string {
	var small, large []string
	lo, hi := 0, c.k // the small group's ids
	if c.last {
		lo, hi = c.n-c.k, c.n
	}
	for id := range c.n {
		if id >= lo && id < hi {
			small = append(small, fmt.Sprint(id))
		} else {
			large = append(large, fmt.Sprint(id))
		}
	}
	return fmt.Sprintf("[[%s], [%s]]", strings.Join(small, ", "), strings.Join(large, ", "))
}

// splitCases lists every split k | n−k (k ≤ n−k) of every n in [2, 16]
// for every f the protocol allows, the small group made of the first ids;
// for the largest f (the tightest thresholds) and k < n−k also of the last
// ids, so that both replica 0 (BFTList's primary of view 0) and the others
// are cut off.
func splitCases(maxFaulty func(int) int) []splitCase {
	var out []splitCase
	for n := 2; n <= 16; n++ {
		for f := 0; f <= maxFaulty(n); f++ {
			for k := 1; 2*k <= n; k++ {
				out = append(out, splitCase{n: n, f: f, k: k})
				if f == maxFaulty(n) && 2*k < n {
					out = append(out, splitCase{n: n, f: f, k: k, last: true})
				}
			}
		}
	}
	return out
}

// runSplit runs file with the case's n, f and split (the file's first
// partition phase) plus sets, through the byzsim run path, and returns the
// failed checks (none when the run passed) and the summary.
func runSplit(t *testing.T, reg *protocols.Registry, file string, c splitCase, sets ...string) ([]results.Check, results.Summary) {
	t.Helper()
	sets = append([]string{"output.plots=false",
		fmt.Sprintf("protocol.n=%d", c.n), fmt.Sprintf("protocol.f=%d", c.f),
		"partition[0].groups=" + c.groups()}, sets...)
	plan, err := Load(file, reg, Options{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Runs) != 1 || len(plan.Base.Partitions) != 2 || len(plan.Base.Partitions[1].Groups) != 0 {
		t.Fatalf("%s: want one run whose partition timeline splits, then heals", file)
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := results.ReadSummary(rep.Dir + "/" + RunsDir + "/" + plan.Runs[0].ID + "/" + results.SummaryFile)
	if err != nil {
		t.Fatal(err)
	}
	var failed []results.Check
	for _, f := range rep.Failures {
		for _, ch := range f.Checks {
			if !ch.OK {
				failed = append(failed, ch)
			}
		}
	}
	return failed, s
}

// checkSplit runs one case and requires it to pass every check (safety,
// liveness of both workloads, progress of every correct replica after the
// heal), with every request completed.
func checkSplit(t *testing.T, reg *protocols.Registry, file string, c splitCase, sets ...string) {
	t.Helper()
	failed, s := runSplit(t, reg, file, c, sets...)
	for _, ch := range failed {
		t.Errorf("%s: %s", ch.Name, ch.Detail)
	}
	if s.RequestsCompleted == 0 {
		t.Error("no request completed")
	}
	if len(failed) == 0 && s.Verdict != "pass" {
		t.Errorf("verdict %q without a failed check", s.Verdict)
	}
}

// checkSplits runs every case as one sweep of file (a [[sweep.zip]] over n,
// f and the split, appended to the file's text) through the byzsim run
// path on four workers, and reports every failed check with its case. The
// environment variable BYZSIM_SPLIT_SEED, when set, replaces the file's
// seed (BYZSIM_SPLIT_SEED=3 go test -run SplitHeal ./experiments/).
func checkSplits(t *testing.T, reg *protocols.Registry, file string, cases []splitCase) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var ns, fs, gs []string
	for _, c := range cases {
		ns = append(ns, fmt.Sprint(c.n))
		fs = append(fs, fmt.Sprint(c.f))
		gs = append(gs, c.groups())
	}
	data = fmt.Appendf(data, "\n[[sweep.zip]]\n\"protocol.n\" = [%s]\n\"protocol.f\" = [%s]\n\"partition[0].groups\" = [%s]\n",
		strings.Join(ns, ", "), strings.Join(fs, ", "), strings.Join(gs, ", "))
	sets := []string{"output.plots=false", "output.sweep_plots=false"}
	if seed := os.Getenv("BYZSIM_SPLIT_SEED"); seed != "" {
		sets = append(sets, "seed="+seed)
	}
	plan, err := LoadBytes(file, data, reg, Options{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Runs) != len(cases) || len(plan.Base.Partitions) != 2 || len(plan.Base.Partitions[1].Groups) != 0 {
		t.Fatalf("%s: %d runs for %d cases; want one per case, each splitting, then healing", file, len(plan.Runs), len(cases))
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Jobs: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != len(cases) {
		t.Fatalf("ran %d of %d cases", rep.Ran, len(cases))
	}
	for _, f := range rep.Failures {
		c := cases[f.Run.Index]
		for _, ch := range f.Checks {
			if !ch.OK {
				t.Errorf("%s: %s: %s", c, ch.Name, ch.Detail)
			}
		}
	}
}

// TestSplitHealDiemBFT splits DiemBFT's replicas k | n−k for 1.5 s under
// load, then heals (testdata/split-diembft.toml), for every n ≤ 16, every
// f ≤ (n−1)/3 and every k: no conflicting commits (also when no side holds
// a quorum, or both would with a too small one) and service after the heal.
func TestSplitHealDiemBFT(t *testing.T) {
	t.Parallel()
	checkSplits(t, protocols.NewRegistry(diembft.Protocol()), "testdata/split-diembft.toml", splitCases(diembft.MaxFaulty))
}

// TestSplitHealBFTList is TestSplitHealDiemBFT for BFTList
// (testdata/split-bftlist.toml: a 1.5 s split), every n ≤ 16 and f ≤
// (n−1)/5.
func TestSplitHealBFTList(t *testing.T) {
	t.Parallel()
	checkSplits(t, protocols.NewRegistry(bftlist.Protocol()), "testdata/split-bftlist.toml", splitCases(bftlist.Protocol().MaxFaulty))
}

// TestSplitRegressionN6F1 is the regression of DiemBFT's quorum at n > 3f+1:
// n = 6, f = 1, no Byzantine replica, split 3 | 3. With quorums of 2f+1 = 3
// both halves certified and committed conflicting chains; with ⌈(n+f+1)/2⌉
// = 4 neither half commits during the split and all is well after the
// heal. bug_small_quorum (quorum − 1 = 3, the old rule here) must still
// produce the conflicting commits.
func TestSplitRegressionN6F1(t *testing.T) {
	reg := protocols.NewRegistry(diembft.Protocol())
	c := splitCase{n: 6, f: 1, k: 3}
	checkSplit(t, reg, "testdata/split-diembft.toml", c)
	failed, _ := runSplit(t, reg, "testdata/split-diembft.toml", c, "protocol.params.bug_small_quorum=true")
	for _, ch := range failed {
		if ch.Name == "safety" && strings.Contains(ch.Detail, "committed") {
			return
		}
	}
	t.Fatalf("quorum 3 of 6 with a 3 | 3 split: no conflicting commits reported (failed checks: %+v)", failed)
}

// TestSplitRegressionFlushedReplica is the regression of fix 18 in
// docs/bftlist.md: at seed 2 the primary of view 0, cut off from the
// others, resets; its structure's primary is ⊥, so when view 0 is
// established again it entered a view change nobody else saw and waited
// for n−f view-change reports that never came. With f = 0 nobody ever
// deposes it (nothing executed again); at n = 13, f = 2 the failure
// detector's bound (≈ 31 s) is beyond the run. In the 3 | 3 split a
// second replica, 3, also resets and reports a view change.
func TestSplitRegressionFlushedReplica(t *testing.T) {
	t.Parallel()
	reg := protocols.NewRegistry(bftlist.Protocol())
	for _, c := range []splitCase{{n: 6, f: 0, k: 1}, {n: 6, f: 0, k: 3}, {n: 13, f: 2, k: 1}} {
		t.Run(c.String(), func(t *testing.T) {
			checkSplit(t, reg, "testdata/split-bftlist.toml", c, "seed=2")
		})
	}
}
