package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/byzsim/byzsim/experiments"
)

// builtBinary builds byzsim once per test binary and returns its path.
var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "byzsim-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "byzsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func byzsimBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the byzsim binary")
	}
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// capped returns a command running the binary under a 4 GiB address-space
// limit (ulimit -v) and a soft Go memory limit, in directory dir.
func capped(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -v 4194304 && exec "$0" "$@"`, bin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOMEMLIMIT=1GiB")
	return cmd
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return -1000
	}
	return 0
}

// listFiles returns the files and directories under root, relative.
func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHostileExperimentsBinary runs byzsim run on every malformed
// experiment as a separate process under a memory cap, from a fresh
// directory: exit status 2, a located message, no stack trace, and nothing
// written outside the output directory.
func TestHostileExperimentsBinary(t *testing.T) {
	bin := byzsimBinary(t)
	files, err := filepath.Glob("experiments/testdata/bad/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	escape := "/tmp/byzsim-escape"
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		want := strings.TrimPrefix(first, "# want: ")
		root := t.TempDir()
		work := filepath.Join(root, "a", "b", "work")
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(file)
		if err := os.WriteFile(filepath.Join(work, base), data, 0o644); err != nil {
			t.Fatal(err)
		}
		before := listFiles(t, root)
		var stderr bytes.Buffer
		cmd := capped(bin, work, "run", base, "-o", "out", "-q")
		cmd.Stderr = &stderr
		code := exitCode(cmd.Run())
		if code != 2 {
			t.Errorf("%s: exit %d, want 2; stderr:\n%s", base, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: stderr does not contain %q:\n%s", base, want, stderr.String())
		}
		for _, bad := range []string{"goroutine ", "panic", ".go:"} {
			if strings.Contains(stderr.String(), bad) {
				t.Errorf("%s: stderr looks like a stack trace:\n%s", base, stderr.String())
			}
		}
		seen := map[string]bool{}
		for _, p := range before {
			seen[p] = true
		}
		for _, p := range listFiles(t, root) {
			if !seen[p] && p != filepath.Join("a", "b", "work", "out") && !strings.HasPrefix(p, filepath.Join("a", "b", "work", "out")+string(filepath.Separator)) {
				t.Errorf("%s: byzsim wrote %s, outside the output directory", base, p)
			}
		}
		if _, err := os.Stat(escape); err == nil {
			t.Errorf("%s: byzsim wrote %s", base, escape)
		}
	}
}

// sweepExperiment is a small sweep whose runs last long enough to be
// interrupted in the middle.
const sweepExperiment = `name = "isweep"
seed = 7
duration = "120s"
repetitions = 3

[protocol]
name = "diembft"
n = 4
f = 1

[protocol.params]
transmission_delay_bound = "100ms"

[network.delay]
type = "uniform"
min = "1ms"
max = "10ms"

[[workload]]
type = "open_loop"
rate = 100.0
count = 200
clients = 2
timeout = "100s"

[stop]
when_done = false

[sweep]
"protocol.n" = [4, 7]
`

// readManifest reads dir/manifest.json.
func readManifest(t *testing.T, dir string) *experiments.Manifest {
	t.Helper()
	m, err := experiments.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// finishedRuns counts the runs with a summary.json under dir.
func finishedRuns(dir string) int {
	s, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "summary.json"))
	return len(s)
}

// TestInterruptAndResume interrupts a sweep with SIGINT, SIGTERM and SIGKILL
// at seeded random points, checks the exit status and the manifest, then
// resumes it and compares the results with an uninterrupted execution.
func TestInterruptAndResume(t *testing.T) {
	bin := byzsimBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "isweep.toml")
	if err := os.WriteFile(file, []byte(sweepExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(dir, "ref")
	if out, err := exec.Command(bin, "run", file, "-o", ref, "-q", "-j", "2").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	refDir := filepath.Join(ref, "isweep")
	if m := readManifest(t, refDir); !m.Complete {
		t.Fatal("the uninterrupted execution's manifest says incomplete")
	}
	total := finishedRuns(refDir)
	rng := rand.New(rand.NewPCG(2026, 11))
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(sig.String(), " ", ""))
			expDir := filepath.Join(out, "isweep")
			interrupted := false
			for attempt := 0; attempt < 20; attempt++ {
				cmd := exec.Command(bin, "run", file, "-o", out, "-q", "-j", "2", "--resume")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Wait for the lock (the execution has started), then a
				// seeded random while.
				for i := 0; i < 500 && !fileExistsT(filepath.Join(expDir, experiments.LockFile)); i++ {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(time.Duration(rng.IntN(600)) * time.Millisecond)
				_ = cmd.Process.Signal(sig)
				code := exitCode(cmd.Wait())
				done := finishedRuns(expDir)
				m, merr := experiments.ReadManifest(expDir)
				switch {
				case code == 0:
					// It finished before the signal arrived.
				case sig == syscall.SIGKILL && code == -int(syscall.SIGKILL):
					interrupted = true
				case sig == syscall.SIGINT && code == 130, sig == syscall.SIGTERM && code == 143:
					interrupted = true
					if !strings.Contains(stderr.String(), "--resume") {
						t.Errorf("exit %d without saying how to continue:\n%s", code, stderr.String())
					}
				default:
					t.Fatalf("exit %d after %v; stderr:\n%s", code, sig, stderr.String())
				}
				if merr == nil && m.Complete && done != total {
					t.Errorf("manifest says complete with %d of %d runs", done, total)
				}
				if sig != syscall.SIGKILL && code != 0 && (merr != nil || m.Complete) && done < total {
					t.Errorf("after %v with %d of %d runs the manifest does not say incomplete (%v)", sig, done, total, merr)
				}
				if done == total && code == 0 {
					break
				}
			}
			if !interrupted {
				t.Logf("the signal never arrived before the end")
			}
			if o, err := exec.Command(bin, "run", file, "-o", out, "-q", "-j", "1", "--resume").CombinedOutput(); err != nil {
				t.Fatalf("resume: %v\n%s", err, o)
			}
			if m := readManifest(t, expDir); !m.Complete {
				t.Error("the finished execution's manifest says incomplete")
			}
			sameTrees(t, "interrupted and resumed", readTree(t, refDir), readTree(t, expDir))
		})
	}
}

func fileExistsT(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestSecondSignalExitsAtOnce sends two SIGINTs: the second ends byzsim
// at once with status 130.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	bin := byzsimBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "long.toml")
	long := strings.Replace(sweepExperiment, `duration = "120s"`, `duration = "100000h"`, 1)
	if err := os.WriteFile(file, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", file, "-o", filepath.Join(dir, "out"), "-q", "-j", "1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, "out", "isweep", experiments.LockFile)
	for i := 0; i < 500 && !fileExistsT(lock); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	_ = cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(cmd.Wait()); code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning") {
		t.Errorf("no warning about a run without end:\n%s", stderr.String())
	}
}

// TestConcurrentRunsOneDirectory starts two executions on one output
// directory: the second exits 2 naming the first.
func TestConcurrentRunsOneDirectory(t *testing.T) {
	bin := byzsimBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "long.toml")
	long := strings.Replace(sweepExperiment, `duration = "120s"`, `duration = "100000h"`, 1)
	if err := os.WriteFile(file, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	first := exec.Command(bin, "run", file, "-o", out, "-q", "-j", "1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = first.Process.Signal(syscall.SIGTERM)
		if code := exitCode(first.Wait()); code != 143 {
			t.Errorf("first execution: exit %d after SIGTERM, want 143", code)
		}
	}()
	lock := filepath.Join(out, "isweep", experiments.LockFile)
	for i := 0; i < 500 && !fileExistsT(lock); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	code, _, stderr := byzsim(t, "run", file, "-o", out, "-q")
	if code != 2 {
		t.Errorf("second execution: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	if want := fmt.Sprintf("in use by another byzsim (pid %d", first.Process.Pid); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not contain %q:\n%s", want, stderr)
	}
}

// TestStaleLockTakenOver leaves the lock of a process that is gone: the
// next execution takes it over with a note.
func TestStaleLockTakenOver(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	out := t.TempDir()
	expDir := filepath.Join(out, "relay-basic")
	if err := os.MkdirAll(expDir, 0o755); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	lock, _ := json.Marshal(map[string]any{"pid": gone.Process.Pid, "host": host, "started": "2026-01-01T00:00:00Z"})
	if err := os.WriteFile(filepath.Join(expDir, experiments.LockFile), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "stale lock") {
		t.Errorf("no note about the stale lock:\n%s", stderr)
	}
	if fileExistsT(filepath.Join(expDir, experiments.LockFile)) {
		t.Error("the lock was not released")
	}
}

// TestResumeChangedConfig resumes with other settings: exit 2 naming the
// differing key, and nothing run.
func TestResumeChangedConfig(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--set", "duration=\"9s\""}, "differing: duration"},
		{[]string{"--seed", "99"}, "differing: seed"},
	} {
		args := append([]string{"run", "experiments/testdata/relay.toml", "-o", out, "-q", "--resume"}, tc.args...)
		code, _, stderr := byzsim(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q; stderr:\n%s", tc.args, code, tc.want, stderr)
		}
	}
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "-o", out, "-q", "--resume"); code != 0 {
		t.Errorf("resume of the same experiment: exit %d: %s", code, stderr)
	}
}

// TestSeedsRoundTrip checks that every uint64 seed can be given on the
// command line and in the file, and that negative seeds are refused.
func TestSeedsRoundTrip(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := byzsim(t, "check", "experiments/testdata/relay.toml", "--seed", "18446744073709551615")
	if code != 0 || !strings.Contains(stdout, "18446744073709551615") {
		t.Fatalf("--seed 2^64−1: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "--seed", "18446744073709551615", "-o", out, "-q"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	// The resolved experiment holds the seed as a string, and is itself a
	// valid experiment with that seed.
	resolved := filepath.Join(out, "relay-basic", "experiment.toml")
	data, err := os.ReadFile(resolved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `seed = "18446744073709551615"`) {
		t.Errorf("experiment.toml does not hold the seed as a string:\n%s", data)
	}
	code, stdout, stderr = byzsim(t, "check", resolved)
	if code != 0 || !strings.Contains(stdout, "18446744073709551615") {
		t.Errorf("check of the resolved experiment: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, bad := range []string{"-1", "18446744073709551616", "x"} {
		code, _, stderr := byzsim(t, "check", "experiments/testdata/relay.toml", "--seed", bad)
		if code != 2 || !strings.Contains(stderr, "seed") {
			t.Errorf("--seed %s: exit %d, want 2; stderr:\n%s", bad, code, stderr)
		}
	}
}

// TestSweepTypoReportedOnce checks that a misspelt swept key is reported
// once, with its line, and before the plot tables that name it.
func TestSweepTypoReportedOnce(t *testing.T) {
	code, _, stderr := byzsim(t, "check", "experiments/testdata/bad/sweep-key-typo.toml")
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(stderr, "protocol.nn"); n != 1 {
		t.Errorf("the typo is reported %d times, want once:\n%s", n, stderr)
	}
}

// TestHostileTwins checks Twins files that would write outside the output
// directory or explode before a limit: exit 2 with file:line: key.
func TestHostileTwins(t *testing.T) {
	files, err := filepath.Glob("experiments/testdata/bad/twins/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("only %d malformed twins files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		want := strings.TrimPrefix(first, "# want: ")
		out := t.TempDir()
		code, _, stderr := byzsim(t, "twins", file, "-o", out, "-q", "--scenarios", "1")
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, want 2 with %q; stderr:\n%s", file, code, want, stderr)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%s: wrote %d entries into the output directory", file, len(entries))
		}
	}
}

// TestOversizedExperiment checks that a file above the size limit is
// refused before it is parsed.
func TestOversizedExperiment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big.toml")
	data := "[protocol]\nname = \"relay\"\nn = 4\nf = 1\n" + strings.Repeat("# padding\n", experiments.MaxFileBytes/10+1)
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := byzsim(t, "check", file)
	if code != 2 || !strings.Contains(stderr, "(file size): the file is") {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
}

// TestMaxWall stops a run without end at its wall-clock budget: exit 124,
// an incomplete manifest and the command that continues.
func TestMaxWall(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "long.toml")
	long := strings.Replace(sweepExperiment, `duration = "120s"`, `duration = "100000h"`, 1)
	long = strings.Replace(long, "repetitions = 3", "repetitions = 1", 1)
	if err := os.WriteFile(file, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := byzsim(t, "run", file, "-o", out, "-q", "--max-wall", "300ms")
	if code != 124 {
		t.Fatalf("exit %d, want 124; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "--max-wall reached") || !strings.Contains(stderr, "--resume") || !strings.Contains(stdout, "PARTIAL") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("warned about a run without end although --max-wall bounds it:\n%s", stderr)
	}
	if m := readManifest(t, filepath.Join(out, "isweep")); m.Complete {
		t.Error("the manifest says complete")
	}
}

// TestHostileManifests gives byzsim merge and byzsim plot manifests whose
// names would lead outside the output directory: exit 2, nothing written
// outside.
func TestHostileManifests(t *testing.T) {
	src := t.TempDir()
	if code, _, stderr := byzsim(t, "run", "experiments/testdata/relay-plots.toml", "-o", src, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	entries, err := os.ReadDir(src)
	if err != nil || len(entries) != 1 {
		t.Fatalf("%v, %d entries", err, len(entries))
	}
	shard := filepath.Join(src, entries[0].Name())
	m := readManifest(t, shard)
	root := t.TempDir()
	out := filepath.Join(root, "a", "out")

	m.Experiment = "../../escaped"
	writeManifest(t, shard, m)
	code, _, stderr := byzsim(t, "merge", out, shard)
	if code != 2 || !strings.Contains(stderr, "escaped") {
		t.Errorf("merge: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	if files := listFiles(t, root); len(files) != 1 {
		t.Errorf("merge wrote %q", files)
	}

	m = readManifest(t, shard)
	if len(m.Plotting.Plots) == 0 {
		t.Fatal("the experiment has no [[plot]] tables")
	}
	m.Plotting.Plots[0].File = "../../../escaped"
	writeManifest(t, shard, m)
	code, _, stderr = byzsim(t, "plot", shard)
	if code != 2 || !strings.Contains(stderr, "escaped") {
		t.Errorf("plot: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	if fileExistsT(filepath.Join(src, "..", "escaped.png")) || fileExistsT(filepath.Join(shard, "..", "..", "escaped.png")) {
		t.Error("plot wrote outside the output directory")
	}
}

func writeManifest(t *testing.T, dir string, m *experiments.Manifest) {
	t.Helper()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, experiments.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// interruptSearch starts a long search (byzsim args...), waits until its
// result directory dir exists, sends sig and checks that it exits want and
// says it stopped early.
func interruptSearch(t *testing.T, dir string, sig syscall.Signal, want int, args ...string) {
	t.Helper()
	cmd := exec.Command(byzsimBinary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The output directory exists once the search has started.
	for i := 0; i < 500 && !fileExistsT(dir); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	_ = cmd.Process.Signal(sig)
	if code := exitCode(cmd.Wait()); code != want {
		t.Fatalf("exit %d after %v, want %d; stderr:\n%s", code, sig, want, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped after") {
		t.Errorf("stderr does not say the search stopped early:\n%s", stderr.String())
	}
}

// searchSignals are the signals that stop a search and its exit statuses.
var searchSignals = []struct {
	sig  syscall.Signal
	want int
}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}}

// TestTwinsInterrupted stops a long Twins search with SIGINT and SIGTERM:
// it exits 130 or 143 (not 1, which means a violation), says it stopped
// early, and still writes the summary of the scenarios it ran.
func TestTwinsInterrupted(t *testing.T) {
	for _, tt := range searchSignals {
		t.Run(tt.sig.String(), func(t *testing.T) {
			out := t.TempDir()
			dir := filepath.Join(out, "default")
			interruptSearch(t, dir, tt.sig, tt.want, "twins", "experiments/twins/default.toml", "--scenarios", "100000000", "-o", out, "-q", "-j", "1")
			if !fileExistsT(filepath.Join(dir, "summary.json")) {
				t.Error("no summary.json after the interrupt")
			}
		})
	}
}

// TestExploreInterrupted stops a long exploration with SIGINT and SIGTERM:
// it exits 130 or 143, says it stopped early, and writes the summary of
// the schedules it ran, marked interrupted.
func TestExploreInterrupted(t *testing.T) {
	for _, tt := range searchSignals {
		t.Run(tt.sig.String(), func(t *testing.T) {
			out := t.TempDir()
			dir := filepath.Join(out, "explore-diembft")
			interruptSearch(t, dir, tt.sig, tt.want, "explore", "experiments/explore/diembft.toml", "--schedules", "100000000", "-o", out, "-q", "-j", "1")
			data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), `"interrupted": true`) {
				t.Errorf("summary.json is not marked interrupted:\n%s", data)
			}
		})
	}
}
