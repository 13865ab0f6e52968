package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
)

// plotsExp is a sweep with zipped axes, repetitions and [[plot]] tables.
const plotsExp = "experiments/testdata/relay-plots.toml"

// sameTrees fails t unless the trees have the same files with the same
// contents.
func sameTrees(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	if a, b := strings.Join(sortedKeys(want), "\n"), strings.Join(sortedKeys(got), "\n"); a != b {
		t.Fatalf("%s wrote other files:\n%s\n---\n%s", what, a, b)
	}
	for name, data := range want {
		if got[name] != data {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// runTree runs byzsim with args and returns the files of the output
// directory (without manifest.json and perf.json).
func runTree(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out := t.TempDir()
	args = append(args, "-o", out, "-q")
	if code, _, stderr := byzsim(t, args...); code != 0 {
		t.Fatalf("byzsim %s: exit %d:\n%s", strings.Join(args, " "), code, stderr)
	}
	return readTree(t, out)
}

// TestExecutionModesAgree checks that -j 1, -j 2, and two or three shards
// joined by byzsim merge write byte-identical runs.csv, points.csv, run
// files and plots.
func TestExecutionModesAgree(t *testing.T) {
	base := runTree(t, "run", plotsExp, "-j", "1")
	for _, name := range []string{"relay-plots/runs.csv", "relay-plots/points.csv", "relay-plots/plots/requests.png",
		"relay-plots/plots/shares-by-protocol.n.svg", "relay-plots/plots/throughput.png", "relay-plots/summary.md",
		"relay-plots/report.html", "relay-plots/runs/0/replicas.csv"} {
		if base[name] == "" {
			t.Fatalf("-j 1 wrote no %s; files: %v", name, sortedKeys(base))
		}
	}
	if got := strings.Count(base["relay-plots/runs.csv"], "\n"); got != 1+8 {
		t.Fatalf("runs.csv has %d lines, want a header and 8 runs", got)
	}
	sameTrees(t, "-j 2", base, runTree(t, "run", plotsExp, "-j", "2"))
	for _, n := range []int{2, 3} {
		out := t.TempDir()
		var shards []string
		for i := 0; i < n; i++ {
			dir := filepath.Join(out, "shard"+string(rune('0'+i)))
			shard := string(rune('0'+i)) + "/" + string(rune('0'+n))
			if code, _, stderr := byzsim(t, "run", plotsExp, "-o", dir, "-q", "--shard", shard); code != 0 {
				t.Fatalf("--shard %s: exit %d:\n%s", shard, code, stderr)
			}
			shards = append(shards, dir)
		}
		merged := filepath.Join(out, "merged")
		code, stdout, stderr := byzsim(t, append([]string{"merge", merged}, shards...)...)
		if code != 0 {
			t.Fatalf("merge of %d shards: exit %d:\n%s", n, code, stderr)
		}
		if !strings.Contains(stdout, "merged 8 of 8 runs") {
			t.Errorf("merge output: %s", stdout)
		}
		sameTrees(t, "merged shards", base, readTree(t, merged))
		m, err := experiments.ReadManifest(filepath.Join(merged, "relay-plots"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Selected != 8 || len(m.Merged) != n || len(m.Missing) != 0 || len(m.Plotting.Plots) != 7 {
			t.Errorf("merged manifest: selected %d, merged %v, missing %v, %d plots", m.Selected, m.Merged, m.Missing, len(m.Plotting.Plots))
		}
	}
}

// TestResumeAfterInterruption cancels a sweep after some runs finished,
// and deletes finished runs of another: either way --resume completes it
// with results identical to an uninterrupted sweep.
func TestResumeAfterInterruption(t *testing.T) {
	full := runTree(t, "run", plotsExp, "-j", "2")
	plan, err := experiments.Load(plotsExp, registry(), experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3, 6} {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		rep, err := experiments.Execute(ctx, plan, experiments.RunOptions{Out: out, Jobs: 1,
			OnRunDone: func(done, total int) {
				if done == k {
					cancel()
				}
			}})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Interrupted || rep.Ran < k || rep.Ran >= len(plan.Runs) {
			t.Fatalf("k = %d: interrupted %v after %d of %d runs", k, rep.Interrupted, rep.Ran, len(plan.Runs))
		}
		code, stdout, stderr := byzsim(t, "run", plotsExp, "-o", out, "-q", "--resume", "-j", "2")
		if code != 0 {
			t.Fatalf("resume: exit %d:\n%s", code, stderr)
		}
		if !strings.Contains(stdout, "resumed)") || strings.Contains(stdout, " 0 resumed") {
			t.Errorf("k = %d: resume ran everything again: %s", k, stdout)
		}
		sameTrees(t, "interrupted and resumed", full, readTree(t, out))
	}

	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", plotsExp, "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, id := range []string{"0", "5", "7"} {
		if err := os.RemoveAll(filepath.Join(out, "relay-plots", "runs", id)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := byzsim(t, "run", plotsExp, "-o", out, "-q", "--resume")
	if code != 0 || !strings.Contains(stdout, "(3 ran, 5 resumed)") {
		t.Fatalf("resume after deleting 3 runs: exit %d: %s%s", code, stdout, stderr)
	}
	sameTrees(t, "deleted and resumed", full, readTree(t, out))
}

// TestMergeErrors checks that bad merges exit 2 with a message naming the
// problem, and that --partial merges what there is.
func TestMergeErrors(t *testing.T) {
	out := t.TempDir()
	shard := func(name string, args ...string) string {
		dir := filepath.Join(out, name)
		args = append([]string{"run", plotsExp, "-o", dir, "-q"}, args...)
		if code, _, stderr := byzsim(t, args...); code != 0 {
			t.Fatalf("%v: exit %d:\n%s", args, code, stderr)
		}
		return dir
	}
	s0, s1 := shard("s0", "--shard", "0/2"), shard("s1", "--shard", "1/2")
	other := shard("other", "--shard", "1/2", "--set", "duration=25s")
	relay := filepath.Join(out, "relay")
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay-sweep.toml", "-o", relay, "-q"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no shards", []string{"merge", filepath.Join(out, "m")}, "want an output directory and at least one shard directory"},
		{"missing runs", []string{"merge", filepath.Join(out, "m"), s0}, "4 of 8 runs are in no shard: 1, 3, 5, 7"},
		{"overlap", []string{"merge", filepath.Join(out, "m"), s0, s1, s0}, "run 0 is in both"},
		{"other overrides", []string{"merge", filepath.Join(out, "m"), s0, other}, "experiment.toml differs"},
		{"other experiment", []string{"merge", filepath.Join(out, "m"), s0, relay}, `is experiment "relay-sweep"`},
		{"not an output directory", []string{"merge", filepath.Join(out, "m"), s0, t.TempDir()}, "no manifest.json here"},
		{"into a shard", []string{"merge", s0, s0, s1}, "is also the merged directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := byzsim(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 2 with %q; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
	partial := filepath.Join(out, "partial")
	code, _, stderr := byzsim(t, "merge", partial, s0, "--partial")
	if code != 0 || !strings.Contains(stderr, "4 runs missing") {
		t.Fatalf("--partial: exit %d:\n%s", code, stderr)
	}
	m, err := experiments.ReadManifest(filepath.Join(partial, "relay-plots"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Missing, ",") != "1,3,5,7" || m.Selected != 4 {
		t.Errorf("partial manifest: missing %v, selected %d", m.Missing, m.Selected)
	}
	if code, _, stderr := byzsim(t, "merge", partial, s1, "--partial"); code != 2 || !strings.Contains(stderr, "already holds runs") {
		t.Errorf("merge into a non-empty directory: exit %d:\n%s", code, stderr)
	}
}

// TestPlotRerendersPlotTables checks that byzsim plot re-draws the
// [[plot]] tables identically from the CSVs and the manifest, and that
// -formats replaces their formats.
func TestPlotRerendersPlotTables(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", plotsExp, "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "relay-plots")
	plots := filepath.Join(dir, "plots")
	before := readTree(t, plots)
	if len(before) != 6*2+1 {
		t.Fatalf("%d plot files, want 13 (6 plots in png and svg, one in png): %v", len(before), sortedKeys(before))
	}
	if err := os.RemoveAll(plots); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := byzsim(t, "plot", dir); code != 0 {
		t.Fatalf("plot: exit %d:\n%s", code, stderr)
	}
	sameTrees(t, "byzsim plot", before, readTree(t, plots))
	if code, _, stderr := byzsim(t, "plot", dir, "-formats", "pdf"); code != 0 {
		t.Fatalf("plot -formats pdf: exit %d:\n%s", code, stderr)
	}
	pdfs, _ := filepath.Glob(filepath.Join(plots, "*.pdf"))
	if len(pdfs) != 7 {
		t.Errorf("-formats pdf wrote %d PDFs, want 7: %v", len(pdfs), pdfs)
	}
}

// TestResumeKeepsFailures checks that a failed run found finished by
// --resume still makes byzsim run exit 1.
func TestResumeKeepsFailures(t *testing.T) {
	out := t.TempDir()
	args := []string{"run", "experiments/testdata/relay.toml", "-o", out, "-q", "--set", "workload[0].timeout=100ms"}
	if code, _, stderr := byzsim(t, args...); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	code, stdout, stderr := byzsim(t, append(args, "--resume")...)
	if code != 1 || !strings.Contains(stdout, "1 resumed") || !strings.Contains(stderr, "run 0 FAILED") {
		t.Errorf("--resume of a failed run: exit %d, want 1:\n%s%s", code, stdout, stderr)
	}
}

// TestFigureExperiments checks that every figure experiment is valid and
// asks for plots (running them is the job of byzsim run).
func TestFigureExperiments(t *testing.T) {
	files, err := filepath.Glob("experiments/figures/*.toml")
	if err != nil || len(files) < 4 {
		t.Fatalf("%d figure experiments (%v)", len(files), err)
	}
	for _, f := range files {
		plan, err := experiments.Load(f, registry(), experiments.Options{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(plan.Plots) == 0 || plan.Points < 3 {
			t.Errorf("%s: %d plots over %d points", f, len(plan.Plots), plan.Points)
		}
	}
}
