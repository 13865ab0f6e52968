package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// byzsim runs the command in-process and returns its exit status and output.
func byzsim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestBadExperiments checks every malformed experiment under
// experiments/testdata/bad: exit status 2, a message naming the file, line
// and key (the file's "# want:" line), and no Go stack trace.
func TestBadExperiments(t *testing.T) {
	files, err := filepath.Glob("experiments/testdata/bad/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("only %d malformed experiments; want at least 15", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("%s: first line must be \"# want: <expected message>\"", file)
			}
			for _, cmd := range []string{"check", "run"} {
				code, _, stderr := byzsim(t, cmd, file, "-o", t.TempDir())
				if cmd == "check" {
					code, _, stderr = byzsim(t, cmd, file)
				}
				if code != 2 {
					t.Errorf("byzsim %s: exit %d, want 2; stderr:\n%s", cmd, code, stderr)
				}
				if !strings.Contains(stderr, want) {
					t.Errorf("byzsim %s: stderr does not contain %q:\n%s", cmd, want, stderr)
				}
				for _, bad := range []string{"goroutine ", "panic", ".go:"} {
					if strings.Contains(stderr, bad) {
						t.Errorf("byzsim %s: stderr looks like a stack trace (%q):\n%s", cmd, bad, stderr)
					}
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run"}, "want one experiment file"},
		{[]string{"run", "a.toml", "b.toml"}, "want one experiment file"},
		{[]string{"run", "experiments/testdata/relay.toml", "-j", "-1"}, "-j -1"},
		{[]string{"run", "experiments/testdata/relay.toml", "--shard", "3/2"}, "--shard"},
		{[]string{"run", "experiments/testdata/relay.toml", "--seed", "x"}, "invalid value"},
		{[]string{"run", "experiments/testdata/relay.toml", "--set", "protocol.n"}, "want key=value"},
		{[]string{"run", "experiments/testdata/relay.toml", "--set", "protocol.size=3"}, `unknown key "size"`},
		{[]string{"run", "experiments/testdata/relay.toml", "--set", "protocol.f=3"}, "protocol.f (--set): 3 is too large"},
		{[]string{"run", "experiments/testdata/relay.toml", "--run", "99"}, "--run 99: no such run"},
		{[]string{"check", "no/such/file.toml"}, "no/such/file.toml: cannot read experiment"},
		{[]string{"list", "pbft"}, `unknown protocol "pbft"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append(tt.args, "-o", t.TempDir())
			if tt.args[0] != "run" {
				args = tt.args
			}
			code, _, stderr := byzsim(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, stderr)
			}
		})
	}
}

// readTree returns the files below dir (relative path → content), leaving
// out the wall-clock files.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		switch info.Name() {
		case "manifest.json", "perf.json":
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestRunDeterministic runs one experiment twice with one seed, and again
// with -j 1 and -j 2, on one core (GOMAXPROCS=1) and on two: every output
// file but manifest.json and perf.json, report.html included, is
// byte-identical.
func TestRunDeterministic(t *testing.T) {
	exp := "experiments/testdata/relay-sweep.toml"
	var trees []map[string]string
	for _, c := range []struct {
		jobs  string
		procs int
	}{{"1", 1}, {"2", 2}, {"2", 1}, {"1", 2}} {
		out := t.TempDir()
		procs := runtime.GOMAXPROCS(c.procs)
		code, _, stderr := byzsim(t, "run", exp, "-o", out, "-j", c.jobs, "-q")
		runtime.GOMAXPROCS(procs)
		if code != 0 {
			t.Fatalf("-j %s, GOMAXPROCS=%d: exit %d:\n%s", c.jobs, c.procs, code, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if !strings.Contains(trees[0]["relay-sweep/report.html"], "Timeline of run") {
		t.Error("report.html draws no run timeline")
	}
	if len(trees[0]) < 10 {
		t.Fatalf("only %d output files: %v", len(trees[0]), sortedKeys(trees[0]))
	}
	for i := 1; i < len(trees); i++ {
		if a, b := sortedKeys(trees[0]), sortedKeys(trees[i]); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Fatalf("run %d wrote other files:\n%v\n%v", i, a, b)
		}
		for name, data := range trees[0] {
			if trees[i][name] != data {
				t.Errorf("run %d: %s differs", i, name)
			}
		}
	}
	if !strings.Contains(trees[0]["relay-sweep/runs.csv"], "pass") {
		t.Errorf("runs.csv has no passing run:\n%s", trees[0]["relay-sweep/runs.csv"])
	}
}

// TestRunSeedMatters checks that another seed changes the results.
func TestRunSeedMatters(t *testing.T) {
	exp := "experiments/testdata/relay.toml"
	a, b := t.TempDir(), t.TempDir()
	for dir, seed := range map[string]string{a: "1", b: "2"} {
		if code, _, stderr := byzsim(t, "run", exp, "-o", dir, "--seed", seed, "-q"); code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr)
		}
	}
	ta, tb := readTree(t, a), readTree(t, b)
	if ta["relay-basic/runs/0/latency.csv"] == tb["relay-basic/runs/0/latency.csv"] {
		t.Error("seeds 1 and 2 gave identical latencies")
	}
}

// TestRunFailureExit checks that a run failing its liveness check exits 1
// and prints a one-line reproduction.
func TestRunFailureExit(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "-o", out, "-q",
		"--set", "workload[0].timeout=100ms")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"run 0 FAILED", "liveness: steady: timed out", "reproduce: byzsim run experiments/testdata/relay.toml --set 'workload[0].timeout=100ms' --run 0"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}
}

// TestResume checks that --resume skips finished runs and keeps runs.csv
// identical.
func TestResume(t *testing.T) {
	exp := "experiments/testdata/relay-sweep.toml"
	full, part := t.TempDir(), t.TempDir()
	if code, _, stderr := byzsim(t, "run", exp, "-o", full, "-q"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if code, _, stderr := byzsim(t, "run", exp, "-o", part, "-q", "--run", "1"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr := byzsim(t, "run", exp, "-o", part, "-q", "--resume")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "1 resumed") {
		t.Errorf("resume did not skip the finished run: %s", stdout)
	}
	a, b := readTree(t, full), readTree(t, part)
	if a["relay-sweep/runs.csv"] != b["relay-sweep/runs.csv"] {
		t.Errorf("runs.csv after resume differs:\n%s\n%s", a["relay-sweep/runs.csv"], b["relay-sweep/runs.csv"])
	}
}

func TestCheckPrintsRuns(t *testing.T) {
	code, stdout, stderr := byzsim(t, "check", "experiments/testdata/relay-sweep.toml")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"3 points × 2 repetitions = 6 runs", "protocol.n", "network.delay.max"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output does not contain %q:\n%s", want, stdout)
		}
	}
}

func TestList(t *testing.T) {
	code, stdout, _ := byzsim(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"relay", "current_round", "retransmit", "closed_loop", "setattr", "lognormal"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("list does not mention %q", want)
		}
	}
}

// TestPlotRerenders checks that byzsim plot re-creates the plots of an
// output directory, identical to the ones byzsim run wrote.
func TestPlotRerenders(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay-sweep.toml", "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	dir := filepath.Join(out, "relay-sweep")
	before := readTree(t, dir)
	var plots []string
	for name := range before {
		if strings.HasSuffix(name, ".png") || strings.HasSuffix(name, ".svg") {
			plots = append(plots, name)
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(plots) < 6*4+4 {
		t.Fatalf("only %d plot files: %v", len(plots), plots)
	}
	if code, _, stderr := byzsim(t, "plot", dir); code != 0 {
		t.Fatalf("plot: exit %d:\n%s", code, stderr)
	}
	after := readTree(t, dir)
	for _, name := range plots {
		if after[name] != before[name] {
			t.Errorf("%s differs after byzsim plot (or is missing)", name)
		}
	}
	if code, _, stderr := byzsim(t, "plot", t.TempDir()); code != 2 || !strings.Contains(stderr, "has no runs.csv") {
		t.Errorf("plot of an empty directory: exit %d, stderr %s", code, stderr)
	}
}
