package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTwinsPasses: the default Twins experiment without bugs exits 0 and
// writes its summary.
func TestTwinsPasses(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--scenarios", "200", "-o", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "200 scenarios") || !strings.Contains(stdout, "0 violations") {
		t.Errorf("stdout: %s", stdout)
	}
	data, err := os.ReadFile(filepath.Join(out, "default", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"scenarios": 200`, `"violations": 0`, `"removed_by_symmetry"`, `"liveness_checked": 200`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("summary.json lacks %s:\n%s", want, data)
		}
	}
}

// TestTwinsBugsFoundAndReplayed: each planted bug exits 1 and leaves a
// minimized counterexample that --replay reproduces (exit 1, same
// property), with an explanation.
func TestTwinsBugsFoundAndReplayed(t *testing.T) {
	for _, bug := range []string{"conflicting_votes", "small_quorum", "vote_to_current_leader", "one_chain_commit"} {
		t.Run(bug, func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--bug", bug, "--scenarios", "100", "-o", out, "-q", "--keep", "1")
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			files, _ := filepath.Glob(filepath.Join(out, "default", "violation-*.jsonl"))
			if len(files) != 1 {
				t.Fatalf("counterexamples %v, want one", files)
			}
			for _, f := range []string{files[0], strings.TrimSuffix(files[0], ".jsonl") + ".txt", filepath.Join(out, "default", "summary.json")} {
				if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o644 {
					t.Fatalf("%s: %v, want mode 0644", f, err)
				}
			}
			prop := strings.Split(filepath.Base(files[0]), "-")[1]
			text, err := os.ReadFile(strings.TrimSuffix(files[0], ".jsonl") + ".txt")
			if err != nil || !strings.Contains(string(text), "Property "+prop+" violated") || !strings.Contains(string(text), "planted bugs: "+bug) {
				t.Fatalf("explanation: %v\n%s", err, text)
			}
			code, stdout, stderr := byzsim(t, "twins", "--replay", files[0])
			if code != 1 || !strings.Contains(stdout, "Property "+prop+" violated") {
				t.Fatalf("replay: exit %d, want 1 with property %s; stdout:\n%s\nstderr:\n%s", code, prop, stdout, stderr)
			}
		})
	}
}

// TestTwinsReferenceScenario: the reference's conflicting_votes_bug
// scenario passes without the bug and fails with it.
func TestTwinsReferenceScenario(t *testing.T) {
	file := "experiments/twins/conflicting_votes_bug.jsonl"
	if code, _, stderr := byzsim(t, "twins", "--replay", file); code != 0 {
		t.Fatalf("without the bug: exit %d; stderr:\n%s", code, stderr)
	}
	code, stdout, _ := byzsim(t, "twins", "--replay", file, "--bug", "conflicting_votes")
	if code != 1 || !strings.Contains(stdout, "two blocks certified in round") {
		t.Fatalf("with the bug: exit %d; stdout:\n%s", code, stdout)
	}
}

// TestTwinsIndependentOfJobs: summary.json and the counterexamples are
// byte-identical with -j 1 and -j 2.
func TestTwinsIndependentOfJobs(t *testing.T) {
	var trees []map[string]string
	for _, j := range []string{"1", "2"} {
		out := t.TempDir()
		code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--bug", "small_quorum", "--scenarios", "150", "-j", j, "-o", out, "-q")
		if code != 1 {
			t.Fatalf("-j %s: exit %d; stderr:\n%s", j, code, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if !reflect.DeepEqual(trees[0], trees[1]) {
		t.Fatalf("outputs differ between -j 1 and -j 2: %v vs %v", sortedKeys(trees[0]), sortedKeys(trees[1]))
	}
}

// TestTwinsGenerateAndReplay: --generate writes a scenario file that
// --replay runs.
func TestTwinsGenerateAndReplay(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--generate", "--scenarios", "20", "-o", out)
	if code != 0 {
		t.Fatalf("generate: exit %d; stderr:\n%s", code, stderr)
	}
	file := filepath.Join(out, "default", "scenarios.jsonl")
	code, stdout, stderr := byzsim(t, "twins", "--replay", file)
	if code != 0 || !strings.Contains(stdout, "20 scenarios replayed, 0 violations") {
		t.Fatalf("replay: exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestTwinsBadInput: bad experiments, flags and scenario files exit 2
// with file:line: key: message and no stack trace.
func TestTwinsBadInput(t *testing.T) {
	unknown := writeTemp(t, "unknown.toml", "n = 4\nt = 1\ncolour = \"red\"\n")
	badBug := writeTemp(t, "bug.toml", "n = 4\n\nbugs = [\"nope\"]\n")
	badT := writeTemp(t, "t.toml", "n = 4\nt = 3\n")
	badScen := writeTemp(t, "s.jsonl", `{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"delta":"1s","delay":"500ms","timer_factor":4,"seed":1}`+"\n"+
		`{"gst":1,"rounds":[{"leader":0,"partition":[[0,1],[2,3]]}]}`+"\n")
	badHeader := writeTemp(t, "h.jsonl", `{"format":"byzsim-twins/1","n":4,"f":1,"t":1,"delta":"1s","delay":"5s","timer_factor":4,"seed":1}`+"\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"twins"}, "want one experiment file"},
		{[]string{"twins", unknown}, unknown + ":3: colour: unknown key (allowed: name"},
		{[]string{"twins", badBug}, badBug + `:3: bugs: unknown bug "nope" (allowed: conflicting_votes, one_chain_commit, small_quorum, vote_to_current_leader)`},
		{[]string{"twins", badT}, badT + ":2: t: 3 twinned replicas is out of range"},
		{[]string{"twins", "experiments/twins/default.toml", "--bug", "nope"}, `--bug: unknown bug "nope"`},
		{[]string{"twins", "experiments/twins/default.toml", "-j", "-2"}, "-j -2"},
		{[]string{"twins", "experiments/twins/default.toml", "--scenarios", "x"}, "invalid value"},
		{[]string{"twins", "no/such.toml"}, "no/such.toml: cannot read twins experiment"},
		{[]string{"twins", "--replay", badScen}, badScen + ":2: rounds[0].partition: process 4 is in no bucket"},
		{[]string{"twins", "--replay", badHeader}, badHeader + ":1: header: delay: must be in (0, delta = 1s]"},
		{[]string{"twins", "--replay", badScen, "experiments/twins/default.toml"}, "--replay takes no experiment file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := byzsim(t, append(tt.args, "-o", t.TempDir())...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, stderr)
			}
			for _, bad := range []string{"goroutine ", "panic", ".go:"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr looks like a stack trace (%q):\n%s", bad, stderr)
				}
			}
		})
	}
}

// TestExploreReproducesThroughRun: byzsim explore finds a planted bug
// (exit 1), and the minimized experiment it writes fails again through
// byzsim run (exit 1).
func TestExploreReproducesThroughRun(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := byzsim(t, "explore", "experiments/explore/diembft.toml", "--set", "protocol.params.bug_vote_lt=true",
		"--schedules", "300", "-j", "2", "-o", out, "-q")
	if code != 1 {
		t.Fatalf("explore: exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "explore-diembft", "violation-safety-*.toml"))
	if len(files) == 0 {
		t.Fatalf("no safety counterexample; stderr:\n%s", stderr)
	}
	if _, err := os.Stat(strings.TrimSuffix(files[0], ".toml") + ".md"); err != nil {
		t.Error(err)
	}
	code, _, stderr = byzsim(t, "run", files[0], "-o", t.TempDir(), "-q")
	if code != 1 || !strings.Contains(stderr, "safety:") {
		t.Fatalf("run %s: exit %d, want 1 with a safety failure; stderr:\n%s", files[0], code, stderr)
	}
	code, _, stderr = byzsim(t, "explore", "experiments/explore/diembft.toml", "--schedules", "100", "-o", t.TempDir(), "-q")
	if code != 0 {
		t.Fatalf("explore without bug: exit %d; stderr:\n%s", code, stderr)
	}
	code, _, stderr = byzsim(t, "explore", "experiments/explore/diembft.toml", "--set", "explore.faults=-1", "-o", t.TempDir(), "-q")
	if code != 2 || !strings.Contains(stderr, "explore.faults") {
		t.Fatalf("explore with a bad table: exit %d, want 2; stderr:\n%s", code, stderr)
	}
}

// TestExploreIndependentOfJobs: byzsim explore writes the same files
// (all but perf.json) with 1 and 2 workers.
func TestExploreIndependentOfJobs(t *testing.T) {
	var trees []map[string]string
	for _, j := range []string{"1", "2"} {
		out := t.TempDir()
		code, _, stderr := byzsim(t, "explore", "experiments/explore/diembft.toml", "--set", "protocol.params.bug_small_quorum=true",
			"--schedules", "200", "-j", j, "-o", out, "-q")
		if code != 1 {
			t.Fatalf("-j %s: exit %d, want 1; stderr:\n%s", j, code, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if len(trees[0]) < 3 {
		t.Fatalf("only %d files written", len(trees[0]))
	}
	if !reflect.DeepEqual(trees[0], trees[1]) {
		t.Errorf("outputs differ between -j 1 and -j 2: %v vs %v", sortedKeys(trees[0]), sortedKeys(trees[1]))
	}
}

// TestTwinsProtocols: Twins runs any protocol with Twins support, named
// by the file's protocol key or --protocol: relay (not Byzantine fault
// tolerant) violates P2, and its counterexample, whose header names relay,
// replays; a protocol without Twins support exits 2 naming the protocols
// that have it; byzsim explore with generator "twins" runs relay too.
func TestTwinsProtocols(t *testing.T) {
	relay := writeTemp(t, "relay.toml", "protocol = \"relay\"\nn = 4\nscenarios = 100\n")
	for _, args := range [][]string{{relay}, {"experiments/twins/default.toml", "--protocol", "relay", "--scenarios", "100"}} {
		out := t.TempDir()
		code, _, stderr := byzsim(t, append(append([]string{"twins"}, args...), "-o", out, "-q", "--keep", "5")...)
		if code != 1 || !strings.Contains(stderr, "P2 (blocks committed by correct replicas form one chain)") {
			t.Fatalf("%v: exit %d, want 1 with P2; stderr:\n%s", args, code, stderr)
		}
		files, _ := filepath.Glob(filepath.Join(out, "*", "violation-P2-*.jsonl"))
		if len(files) != 1 {
			t.Fatalf("%v: P2 counterexamples %v, want one", args, files)
		}
		data, _ := os.ReadFile(files[0])
		if !strings.HasPrefix(string(data), `{"format":"byzsim-twins/1","protocol":"relay",`) {
			t.Errorf("%s: header does not name relay:\n%s", files[0], data)
		}
		code, stdout, stderr := byzsim(t, "twins", "--replay", files[0])
		if code != 1 || !strings.Contains(stdout, "Property P2 violated") || !strings.Contains(stdout, "System: relay, n=4") {
			t.Errorf("replay %s: exit %d, want 1 with P2 on relay; stdout:\n%s\nstderr:\n%s", files[0], code, stdout, stderr)
		}
	}
	bft := writeTemp(t, "bftlist.toml", "n = 4\n\nprotocol = \"bftlist\"\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{bft}, bft + ":3: protocol: protocol bftlist cannot run Twins scenarios: it declares no Twins support (protocols that do: diembft, hotstuff, relay)"},
		{[]string{"experiments/twins/default.toml", "--protocol", "bftlist"}, "--protocol: protocol bftlist cannot run Twins scenarios: it declares no Twins support (protocols that do: diembft, hotstuff, relay)"},
		{[]string{"--replay", "experiments/twins/conflicting_votes_bug.jsonl", "--protocol", "bftlist"}, "--protocol: protocol bftlist cannot run Twins scenarios"},
		{[]string{relay, "--bug", "small_quorum"}, `--bug: unknown bug "small_quorum" (allowed: none: relay plants no bug)`},
	} {
		out := t.TempDir()
		code, _, stderr := byzsim(t, append(append([]string{"twins"}, tc.args...), "-o", out, "-q")...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q; stderr:\n%s", tc.args, code, tc.want, stderr)
		}
	}
	out := t.TempDir()
	code, _, stderr := byzsim(t, "explore", twinsExperiment(t, "relay", "", "keep = 5\n"), "-o", out, "-q")
	if code != 1 || !strings.Contains(stderr, "P2 (") {
		t.Fatalf("explore relay: exit %d, want 1 with P2; stderr:\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "twins-explore", "summary.json"))
	if err != nil || !strings.Contains(string(data), `"protocol": "relay"`) {
		t.Errorf("explore relay summary.json does not name relay (%v):\n%s", err, data)
	}
}

// TestListTwinsBugs: byzsim list shows the planted bugs of a protocol
// with Twins support, and no Twins section for one without.
func TestListTwinsBugs(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		want     []string
		not      string
	}{
		{"diembft", []string{"Twins planted bugs", "small_quorum", "bug_small_quorum"}, ""},
		{"relay", []string{"Twins planted bugs", "none (Twins runs it without planted bugs)"}, ""},
		{"bftlist", nil, "Twins planted bugs"},
	} {
		code, stdout, stderr := byzsim(t, "list", tc.protocol)
		if code != 0 {
			t.Fatalf("list %s: exit %d: %s", tc.protocol, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("list %s lacks %q", tc.protocol, w)
			}
		}
		if tc.not != "" && strings.Contains(stdout, tc.not) {
			t.Errorf("list %s mentions %q", tc.protocol, tc.not)
		}
	}
}

// TestTwinsWritesAtomically: byzsim twins replaces its outputs through the
// runner's atomic writer (a new file renamed into place, mode 0644), not
// by rewriting them: an old summary.json of mode 0600 becomes a 0644 file,
// a hard link to the old one keeps the old content, and no temporary file
// is left.
func TestTwinsWritesAtomically(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "default")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(old, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(out, "old-summary.json")
	if err := os.Link(old, link); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--bug", "small_quorum", "--scenarios", "50", "-o", out, "-q", "--keep", "1")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(link); string(data) != "old" {
		t.Errorf("the old summary.json was rewritten in place (its hard link now holds %q)", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) < 3 {
		t.Fatalf("%d files in %s, want summary.json, perf.json and a counterexample", len(entries), dir)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.Mode().Perm() != 0o644 || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s: mode %v, %v (want 0644, no temporary files)", e.Name(), info.Mode().Perm(), err)
		}
	}
}
