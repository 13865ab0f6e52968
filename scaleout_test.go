package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/experiments"
)

// batchVars are the variables --shard auto, -j and the lock read.
var batchVars = []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
	"SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_JOB_ID", "SLURM_CLUSTER_NAME",
	"SLURM_RESTART_COUNT", "SLURM_CPUS_PER_TASK", "JOB_COMPLETION_INDEX", "BYZSIM_SHARDS"}

// batchEnv sets the environment of a batch task: vars, and none of the
// other batch variables.
func batchEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range batchVars {
		t.Setenv(k, "")
		if v, ok := vars[k]; ok {
			t.Setenv(k, v)
		} else {
			os.Unsetenv(k)
		}
	}
}

// TestShardAutoSlurmArray runs the shards of a sweep as the tasks of a
// Slurm job array 1-3 would (--shard auto), merges them by their common
// parent, and compares with a single run.
func TestShardAutoSlurmArray(t *testing.T) {
	batchEnv(t, nil)
	base := runTree(t, "run", plotsExp, "-j", "2")
	out := t.TempDir()
	shards := filepath.Join(out, "shards")
	for id := 1; id <= 3; id++ {
		batchEnv(t, map[string]string{"SLURM_JOB_ID": strconv.Itoa(100 + id), "SLURM_ARRAY_TASK_ID": strconv.Itoa(id),
			"SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3",
			"SLURM_ARRAY_TASK_STEP": "1", "SLURM_CPUS_PER_TASK": "2"})
		dir := filepath.Join(shards, strconv.Itoa(id))
		if code, _, stderr := byzsim(t, "run", plotsExp, "-o", dir, "-q", "--shard", "auto"); code != 0 {
			t.Fatalf("task %d: exit %d:\n%s", id, code, stderr)
		}
		if got, want := runIDs(t, filepath.Join(dir, "relay-plots")), [][]string{{"0", "3", "6"}, {"1", "4", "7"}, {"2", "5"}}[id-1]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("task %d ran runs %v, want %v (shard %d/3)", id, got, want, id-1)
		}
	}
	batchEnv(t, nil)
	merged := filepath.Join(out, "merged")
	code, stdout, stderr := byzsim(t, "merge", merged, shards)
	if code != 0 {
		t.Fatalf("merge: exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "merged 8 of 8 runs from 3 shard directories") {
		t.Errorf("merge output: %s", stdout)
	}
	sameTrees(t, "merged array tasks", base, readTree(t, merged))
}

func TestShardAutoErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"outside a batch job", nil, nil, "not in a batch job"},
		{"Slurm job without array", map[string]string{"SLURM_JOB_ID": "9"}, nil, "not a job array"},
		{"irregular array", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "5"}, nil, "not a range with one step"},
		{"Kubernetes without count", map[string]string{"JOB_COMPLETION_INDEX": "1"}, nil, "BYZSIM_SHARDS"},
		{"--shards without auto", nil, []string{"--shard", "0/2", "--shards", "2"}, "only with --shard auto"},
		{"bad SLURM_CPUS_PER_TASK", map[string]string{"SLURM_CPUS_PER_TASK": "x"}, []string{"--shard", "0/2"}, "SLURM_CPUS_PER_TASK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batchEnv(t, tc.env)
			args := append([]string{"run", "experiments/testdata/relay.toml", "-o", t.TempDir(), "-q"}, tc.args...)
			if tc.args == nil {
				args = append(args, "--shard", "auto")
			}
			code, _, stderr := byzsim(t, args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 with %q; stderr:\n%s", code, tc.want, stderr)
			}
		})
	}
}

// TestShardAutoKubernetes runs one pod's shard of an Indexed Job.
func TestShardAutoKubernetes(t *testing.T) {
	batchEnv(t, map[string]string{"JOB_COMPLETION_INDEX": "1", "BYZSIM_SHARDS": "3"})
	out := t.TempDir()
	if code, _, stderr := byzsim(t, "run", plotsExp, "-o", out, "-q", "--shard", "auto"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got := runIDs(t, filepath.Join(out, "relay-plots")); strings.Join(got, ",") != "1,4,7" {
		t.Errorf("ran runs %v, want 1, 4, 7 (shard 1/3)", got)
	}
}

// runIDs lists the finished runs of an experiment directory.
func runIDs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, experiments.RunsDir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if fileExistsT(filepath.Join(dir, experiments.RunsDir, e.Name(), "summary.json")) {
			ids = append(ids, e.Name())
		}
	}
	return ids
}

// TestRequeuedJobTakesOverLock leaves the lock of a Slurm job's earlier
// attempt on another host: the requeued attempt takes it over; another job,
// or the same attempt, does not.
func TestRequeuedJobTakesOverLock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lockJob string
		attempt int
		env     map[string]string
		code    int
	}{
		{"requeued attempt", "slurm:c:41", 0, map[string]string{"SLURM_JOB_ID": "41", "SLURM_CLUSTER_NAME": "c", "SLURM_RESTART_COUNT": "1"}, 0},
		{"same attempt", "slurm:c:41", 1, map[string]string{"SLURM_JOB_ID": "41", "SLURM_CLUSTER_NAME": "c", "SLURM_RESTART_COUNT": "1"}, 2},
		{"another job", "slurm:c:40", 0, map[string]string{"SLURM_JOB_ID": "41", "SLURM_CLUSTER_NAME": "c", "SLURM_RESTART_COUNT": "1"}, 2},
		{"outside a job", "slurm:c:41", 0, nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batchEnv(t, tc.env)
			out := t.TempDir()
			expDir := filepath.Join(out, "relay-basic")
			if err := os.MkdirAll(expDir, 0o755); err != nil {
				t.Fatal(err)
			}
			lock, _ := json.Marshal(map[string]any{"pid": 1, "host": "node-that-is-not-this-one", "started": "2026-01-01T00:00:00Z",
				"job": tc.lockJob, "attempt": tc.attempt})
			if err := os.WriteFile(filepath.Join(expDir, experiments.LockFile), lock, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := byzsim(t, "run", "experiments/testdata/relay.toml", "-o", out, "-q", "--resume")
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.code == 0 && !strings.Contains(stderr, "stale lock") {
				t.Errorf("no note about the stale lock:\n%s", stderr)
			}
			if tc.code == 2 && !strings.Contains(stderr, "in use by another byzsim") {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// TestSlurmAndK8sCommands writes the scripts and manifests of a sweep and
// refuses bad flags with exit status 2.
func TestSlurmAndK8sCommands(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := byzsim(t, "slurm", plotsExp, "--shards", "3", "-o", filepath.Join(dir, "s"), "--byzsim", "/opt/byzsim", "--time", "00:10:00")
	if code != 0 {
		t.Fatalf("slurm: exit %d:\n%s", code, stderr)
	}
	for _, f := range []string{"sweep.sbatch", "merge.sbatch", "submit.sh", "wait.sh"} {
		fi, err := os.Stat(filepath.Join(dir, "s", f))
		if err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s: %v, mode %v", f, err, fi)
		}
	}
	sweep, _ := os.ReadFile(filepath.Join(dir, "s", "sweep.sbatch"))
	if !strings.Contains(string(sweep), "#SBATCH --array=0-2\n") || !strings.Contains(string(sweep), "/opt/byzsim run "+absPath(plotsExp)) {
		t.Errorf("sweep.sbatch:\n%s", sweep)
	}
	if !strings.Contains(stdout, "submit.sh") || !strings.Contains(stdout, "wait.sh") || !strings.Contains(stdout, "merged/relay-plots") {
		t.Errorf("slurm output:\n%s", stdout)
	}
	code, stdout, stderr = byzsim(t, "k8s", plotsExp, "--image", "example/byzsim:1", "--shards", "4", "-o", filepath.Join(dir, "k"))
	if code != 0 {
		t.Fatalf("k8s: exit %d:\n%s", code, stderr)
	}
	job, _ := os.ReadFile(filepath.Join(dir, "k", "sweep-job.yaml"))
	if !strings.Contains(string(job), "completions: 4\n") || !strings.Contains(stdout, "kubectl wait") {
		t.Errorf("k8s: %s\n%s", stdout, job)
	}
	for _, args := range [][]string{
		{"slurm", plotsExp, "--shards", "-1"},
		{"slurm", plotsExp, "--cpus-per-task", "0", "-o", filepath.Join(dir, "x")},
		{"slurm", plotsExp, "-o", filepath.Join(dir, "with space")},
		{"slurm", "no-such-file.toml"},
		{"k8s", plotsExp},
		{"k8s", plotsExp, "--image", "i", "--memory", "lots"},
	} {
		if code, _, stderr := byzsim(t, args...); code != 2 {
			t.Errorf("byzsim %s: exit %d, want 2; stderr:\n%s", strings.Join(args, " "), code, stderr)
		}
	}
}
