package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// twinsExperiment is an ordinary DiemBFT experiment explored with Twins
// scenarios; extra is appended to its [explore] table.
func twinsExperiment(t *testing.T, protocol, params, extra string) string {
	t.Helper()
	text := `name = "twins-explore"
seed = 1
duration = "40s"

[protocol]
name = "` + protocol + `"
n = 4
f = 1

[protocol.params]
` + params + `

[[workload]]
name = "w"
type = "open_loop"
rate = 1.0
count = 12
clients = 1
timeout = "39s"

[explore]
generator = "twins"
schedules = 150
` + extra
	return writeTemp(t, "twins-explore.toml", text)
}

// TestExploreTwinsFindsAndReplays: byzsim explore with generator "twins"
// finds a planted bug, writes the same outputs whatever -j (files 0644),
// and its counterexample replays through byzsim twins --replay.
func TestExploreTwinsFindsAndReplays(t *testing.T) {
	file := twinsExperiment(t, "diembft", "transmission_delay_bound = \"1s\"\nbug_small_quorum = true", "keep = 2\n[explore.twins]\ndelay = \"500ms\"\n")
	var trees []map[string]string
	var out string
	for _, j := range []string{"1", "2"} {
		out = t.TempDir()
		code, stdout, stderr := byzsim(t, "explore", file, "-j", j, "-o", out, "-q")
		if code != 1 || !strings.Contains(stdout, "150 scenarios") {
			t.Fatalf("-j %s: exit %d, want 1; stdout:\n%s\nstderr:\n%s", j, code, stdout, stderr)
		}
		trees = append(trees, readTree(t, out))
	}
	if !reflect.DeepEqual(trees[0], trees[1]) {
		t.Fatalf("outputs differ between -j 1 and -j 2: %v vs %v", sortedKeys(trees[0]), sortedKeys(trees[1]))
	}
	files, _ := filepath.Glob(filepath.Join(out, "twins-explore", "violation-*.jsonl"))
	if len(files) != 2 {
		t.Fatalf("counterexamples %v, want two (keep = 2)", files)
	}
	for _, f := range files {
		for _, ext := range []string{".jsonl", ".txt"} {
			info, err := os.Stat(strings.TrimSuffix(f, ".jsonl") + ext)
			if err != nil || info.Mode().Perm() != 0o644 {
				t.Fatalf("%s: %v, mode %v, want 0644", f, err, info.Mode().Perm())
			}
		}
		prop := strings.Split(filepath.Base(f), "-")[1]
		code, stdout, stderr := byzsim(t, "twins", "--replay", f)
		if code != 1 || !strings.Contains(stdout, "Property "+prop+" violated") {
			t.Fatalf("replay %s: exit %d, want 1 with %s; stdout:\n%s\nstderr:\n%s", f, code, prop, stdout, stderr)
		}
	}
	sum, err := os.ReadFile(filepath.Join(out, "twins-explore", "summary.json"))
	if err != nil || !strings.Contains(string(sum), `"bugs": [
    "small_quorum"
  ]`) || !strings.Contains(string(sum), `"scenarios": 150`) {
		t.Fatalf("summary.json: %v\n%s", err, sum)
	}
}

// TestExploreTwinsSameAsTwins: the Twins scenarios of an experiment are
// those of the equivalent Twins file: the same counts and counterexamples.
func TestExploreTwinsSameAsTwins(t *testing.T) {
	file := twinsExperiment(t, "diembft", "transmission_delay_bound = \"1s\"\ntimer_factor = 4\nbug_vote_lt = true", "[explore.twins]\ndelay = \"500ms\"\n")
	a, b := t.TempDir(), t.TempDir()
	if code, _, stderr := byzsim(t, "explore", file, "-o", a, "-q"); code != 1 {
		t.Fatalf("explore: exit %d; stderr:\n%s", code, stderr)
	}
	if code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--bug", "conflicting_votes", "--scenarios", "150", "-o", b, "-q"); code != 1 {
		t.Fatalf("twins: exit %d; stderr:\n%s", code, stderr)
	}
	ta, tb := readTree(t, filepath.Join(a, "twins-explore")), readTree(t, filepath.Join(b, "default"))
	for name, text := range tb {
		if strings.HasPrefix(name, "violation-") && ta[name] != text {
			t.Errorf("%s differs:\n%s\nvs\n%s", name, ta[name], text)
		}
	}
	if len(ta) != len(tb) {
		t.Errorf("files %v vs %v", sortedKeys(ta), sortedKeys(tb))
	}
}

// TestExploreTwinsBadInput: a protocol that cannot run Twins, and keys
// that do not fit the generator, exit 2 with file:line: key: message.
func TestExploreTwinsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, protocol, params, extra, want string
	}{
		{"bftlist", "bftlist", "", "", `:22: explore.generator: protocol bftlist cannot run Twins scenarios: it declares no Twins support (protocols that do: diembft`},
		{"unknown generator", "diembft", "", "", ""},
		{"random key", "diembft", "", "faults = 2\n", `explore.faults: applies to generator "random" only`},
		{"twins key", "diembft", "", "[explore.twins]\nbuckets = 3\n", "explore.twins.buckets: unknown key (allowed: t, partitions"},
		{"twins value", "diembft", "", "[explore.twins]\npartitions = 0\n", "explore.twins.partitions:"},
		{"param", "diembft", "block_size = 2", "", "protocol.params.block_size: Twins scenarios do not take this parameter"},
		{"sizes", "diembft", "", "n = [4, 5]\n", `explore.n: generator "twins" explores one size, got 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := twinsExperiment(t, tc.protocol, tc.params, tc.extra)
			if tc.name == "bftlist" {
				text, _ := os.ReadFile(file)
				file = writeTemp(t, "bftlist.toml", strings.Replace(string(text), "n = 4\nf = 1", "n = 7\nf = 1", 1))
			}
			if tc.name == "unknown generator" {
				text, _ := os.ReadFile(file)
				file = writeTemp(t, "gen.toml", strings.Replace(string(text), `generator = "twins"`, `generator = "twin"`, 1))
				tc.want = `explore.generator: unknown generator "twin" (allowed: random, twins)`
			}
			code, _, stderr := byzsim(t, "explore", file, "-o", t.TempDir(), "-q")
			if code != 2 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "goroutine") {
				t.Fatalf("exit %d, want 2 with %q; stderr:\n%s", code, tc.want, stderr)
			}
		})
	}
}

// TestExploreTwinsNoMinimize: explore.minimize = false writes the
// scenario as generated (7 + 7 rounds); byzsim twins --generate writes a
// 0644 file holding that same scenario.
func TestExploreTwinsNoMinimize(t *testing.T) {
	file := twinsExperiment(t, "diembft", "bug_vote_lt = true", "keep = 1\nminimize = false\n[explore.twins]\ndelay = \"500ms\"\n")
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "explore", file, "-o", out, "-q"); code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "twins-explore", "violation-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("counterexamples %v", files)
	}
	cx, _ := os.ReadFile(files[0])
	lines := strings.Split(strings.TrimSpace(string(cx)), "\n")
	if len(lines) != 2 || strings.Count(lines[1], `"leader"`) != 14 {
		t.Fatalf("counterexample not as generated:\n%s", cx)
	}
	gen := t.TempDir()
	if code, _, stderr := byzsim(t, "twins", "experiments/twins/default.toml", "--generate", "--scenarios", "20", "-o", gen); code != 0 {
		t.Fatalf("generate: exit %d; stderr:\n%s", code, stderr)
	}
	path := filepath.Join(gen, "default", "scenarios.jsonl")
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("%s: %v, want mode 0644", path, err)
	}
	all, _ := os.ReadFile(path)
	if !strings.Contains(string(all), lines[1]+"\n") {
		t.Errorf("scenario %s is not among the generated ones", lines[1])
	}
}
