package batch

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with go test ./batch -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./batch -update rewrites it):\n%s", name, got)
	}
}

var slurmBase = SlurmConfig{
	Binary:      "/shared/bin/byzsim",
	Experiment:  "/home/ada/byzsim/experiments/figures/latency_vs_load.toml",
	Name:        "latency-vs-load",
	Dir:         "/shared/sweeps/lvl",
	Shards:      16,
	CPUsPerTask: 4,
}

func TestSlurmScriptsGolden(t *testing.T) {
	full := slurmBase
	full.Time, full.MergeTime, full.Partition, full.Account, full.Mem = "02:00:00", "00:30:00", "batch", "proj42", "4G"
	full.RunArgs = []string{"--seed", "7", "--set", "protocol.params.block_size=10", "--set", "name's=x y"}
	for _, tc := range []struct {
		name string
		cfg  SlurmConfig
	}{{"minimal", slurmBase}, {"full", full}} {
		files, err := SlurmScripts(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 4 {
			t.Fatalf("%d files, want 4", len(files))
		}
		for _, f := range files {
			if !f.Exec {
				t.Errorf("%s is not executable", f.Name)
			}
			golden(t, filepath.Join("slurm-"+tc.name, f.Name), f.Text)
			if _, err := exec.LookPath("bash"); err == nil {
				cmd := exec.Command("bash", "-n")
				cmd.Stdin = strings.NewReader(f.Text)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s/%s: bash -n: %v\n%s", tc.name, f.Name, err, out)
				}
			}
		}
	}
}

// TestSlurmScriptsContract checks what the scripts must say whatever their
// wording: the shard count written once (in --array), requeue with
// --resume, the merge cancelled rather than left pending when a task
// fails, and no variable that may be unset under set -u.
func TestSlurmScriptsContract(t *testing.T) {
	files, err := SlurmScripts(slurmBase)
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{}
	for _, f := range files {
		text[f.Name] = f.Text
		if !strings.Contains(f.Text, "set -euo pipefail") {
			t.Errorf("%s does not set -euo pipefail", f.Name)
		}
		if strings.Contains(f.Text, "SCRATCH") {
			t.Errorf("%s uses $SCRATCH", f.Name)
		}
	}
	sweep := text[SweepScript]
	for _, want := range []string{"#SBATCH --array=0-15\n", "#SBATCH --requeue\n", "--resume", "--shard auto", "#SBATCH --cpus-per-task=4\n", "#SBATCH --open-mode=append\n"} {
		if !strings.Contains(sweep, want) {
			t.Errorf("%s lacks %q", SweepScript, want)
		}
	}
	if strings.Contains(sweep, "16") {
		t.Errorf("%s writes the shard count (16) besides --array=0-15:\n%s", SweepScript, sweep)
	}
	if !strings.Contains(text[MergeScript], "#SBATCH --kill-on-invalid-dep=yes\n") {
		t.Errorf("%s lacks --kill-on-invalid-dep=yes", MergeScript)
	}
	if !strings.Contains(text[SubmitScript], "--dependency=afterok:") {
		t.Errorf("%s does not chain the merge with afterok", SubmitScript)
	}
	// Under set -u, only variables that are always set: those of the
	// job array, and those the scripts assign.
	allowed := map[string]bool{"SLURM_ARRAY_TASK_ID": true}
	for _, f := range files {
		for _, line := range strings.Split(f.Text, "\n") {
			for _, m := range assignRe.FindAllStringSubmatch(line, -1) {
				allowed[m[1]] = true
			}
			if strings.HasPrefix(strings.TrimSpace(line), "read -r ") {
				for _, v := range strings.Fields(strings.TrimSpace(line))[2:] {
					allowed[strings.TrimPrefix(v, "<")] = true
				}
			}
			if strings.HasPrefix(strings.TrimSpace(line), "for ") {
				allowed[strings.Fields(strings.TrimSpace(line))[1]] = true
			}
		}
		for _, v := range expansions(f.Text) {
			if !allowed[v] {
				t.Errorf("%s expands $%s, which may be unset under set -u", f.Name, v)
			}
		}
	}
}

// expansions returns the names in $NAME and ${NAME...} outside single
// quotes and comments, but not ${NAME:-default}.
func expansions(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			lines = append(lines, l)
		}
	}
	text = strings.Join(lines, "\n")
	var out []string
	inSingle := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\'' && !inSingle && (i == 0 || text[i-1] != '\\'):
			inSingle = true
		case c == '\'' && inSingle:
			inSingle = false
		case c == '\n':
			inSingle = false // the scripts' quotes never span lines
		case c == '$' && !inSingle && i+1 < len(text):
			j := i + 1
			braced := text[j] == '{'
			if braced {
				j++
			}
			k := j
			for k < len(text) && (text[k] == '_' || text[k] >= 'A' && text[k] <= 'Z' || text[k] >= 'a' && text[k] <= 'z' || k > j && text[k] >= '0' && text[k] <= '9') {
				k++
			}
			if k == j {
				continue
			}
			if braced && strings.HasPrefix(text[k:], ":-") {
				continue
			}
			out = append(out, text[j:k])
		}
	}
	return out
}

// assignRe matches a shell assignment NAME=..., alone or after "!" or ";".
var assignRe = regexp.MustCompile(`(?:^|[\s!;])([A-Za-z_][A-Za-z0-9_]*)=`)

func TestSlurmConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		change func(*SlurmConfig)
		want   string
	}{
		{func(c *SlurmConfig) { c.Binary = "byzsim" }, "absolute path"},
		{func(c *SlurmConfig) { c.Dir = "/shared/my sweeps" }, "output directory"},
		{func(c *SlurmConfig) { c.Dir = "/shared/%j" }, "output directory"},
		{func(c *SlurmConfig) { c.Shards = 0 }, "--shards 0"},
		{func(c *SlurmConfig) { c.CPUsPerTask = 0 }, "--cpus-per-task 0"},
		{func(c *SlurmConfig) { c.Time = "1 day" }, "--time"},
		{func(c *SlurmConfig) { c.Partition = "a;b" }, "--partition"},
	} {
		c := slurmBase
		tc.change(&c)
		if _, err := SlurmScripts(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
}
