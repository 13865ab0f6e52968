package batch

import (
	"strings"
	"testing"
)

func TestShardFromEnv(t *testing.T) {
	slurm := func(id, count, lo, hi, step string) map[string]string {
		return map[string]string{"SLURM_JOB_ID": "77", "SLURM_ARRAY_TASK_ID": id, "SLURM_ARRAY_TASK_COUNT": count,
			"SLURM_ARRAY_TASK_MIN": lo, "SLURM_ARRAY_TASK_MAX": hi, "SLURM_ARRAY_TASK_STEP": step}
	}
	with := func(m map[string]string, k, v string) map[string]string { m[k] = v; return m }
	for _, tc := range []struct {
		name   string
		env    map[string]string
		shards int
		want   string // "i/n", or a piece of the error
		err    bool
	}{
		{"array 0-2 first", slurm("0", "3", "0", "2", "1"), 0, "0/3", false},
		{"array 0-2 last", slurm("2", "3", "0", "2", "1"), 0, "2/3", false},
		{"array 1-3", slurm("1", "3", "1", "3", "1"), 0, "0/3", false},
		{"array 1-3 last", slurm("3", "3", "1", "3", "1"), 0, "2/3", false},
		{"array 0-6:3", slurm("6", "3", "0", "6", "3"), 0, "2/3", false},
		{"array 5-9:2 middle", slurm("7", "3", "5", "9", "2"), 0, "1/3", false},
		{"no step or max variable", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_MIN": "0"}, 0, "4/8", false},
		{"single task", slurm("0", "1", "0", "0", "1"), 0, "0/1", false},
		{"irregular array 1,4,5", slurm("4", "3", "1", "5", "1"), 0, "not a range with one step", true},
		{"irregular array with count", slurm("4", "3", "1", "5", "1"), 8, "4/8", false},
		{"subset resubmitted, count from flag", slurm("7", "1", "7", "7", "1"), 16, "7/16", false},
		{"count from env var", with(slurm("3", "1", "3", "3", "1"), "BYZSIM_SHARDS", "4"), 0, "3/4", false},
		{"flag beats env var", with(slurm("3", "1", "3", "3", "1"), "BYZSIM_SHARDS", "4"), 5, "3/5", false},
		{"task ID beyond the count", slurm("16", "16", "1", "16", "1"), 16, "not below the shard count 16", true},
		{"bad env count", with(slurm("0", "2", "0", "1", "1"), "BYZSIM_SHARDS", "zero"), 0, "BYZSIM_SHARDS", true},
		{"env count zero", with(slurm("0", "2", "0", "1", "1"), "BYZSIM_SHARDS", "0"), 0, "positive shard count", true},
		{"malformed task ID", slurm("x", "2", "0", "1", "1"), 0, "SLURM_ARRAY_TASK_ID=\"x\"", true},
		{"count missing", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0"}, 0, "SLURM_ARRAY_TASK_COUNT is unset", true},
		{"kubernetes with flag", map[string]string{"JOB_COMPLETION_INDEX": "2"}, 4, "2/4", false},
		{"kubernetes with env var", map[string]string{"JOB_COMPLETION_INDEX": "0", "BYZSIM_SHARDS": "3"}, 0, "0/3", false},
		{"kubernetes without count", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, "set $BYZSIM_SHARDS", true},
		{"kubernetes index too large", map[string]string{"JOB_COMPLETION_INDEX": "3", "BYZSIM_SHARDS": "3"}, 0, "completions must equal", true},
		{"kubernetes negative index", map[string]string{"JOB_COMPLETION_INDEX": "-1", "BYZSIM_SHARDS": "3"}, 0, "completion index", true},
		{"slurm job without array", map[string]string{"SLURM_JOB_ID": "5"}, 0, "not a job array", true},
		{"outside a batch job", map[string]string{"HOME": "/root"}, 0, "not in a batch job", true},
		{"outside, count given", map[string]string{}, 4, "not in a batch job", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ShardFromEnv(MapEnv(tc.env), tc.shards)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, %v; want an error containing %q", s, err, tc.want)
				}
				if _, ok := err.(*EnvError); !ok {
					t.Fatalf("error %T, want *EnvError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.want || s.From == "" {
				t.Fatalf("got %v (%q), want %s", s, s.From, tc.want)
			}
		})
	}
}

func TestCPUsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env   map[string]string
		n     int
		set   bool
		isErr bool
	}{
		{map[string]string{}, 0, false, false},
		{map[string]string{"SLURM_CPUS_PER_TASK": ""}, 0, false, false},
		{map[string]string{"SLURM_CPUS_PER_TASK": "8"}, 8, true, false},
		{map[string]string{"SLURM_CPUS_PER_TASK": "0"}, 0, false, true},
		{map[string]string{"SLURM_CPUS_PER_TASK": "four"}, 0, false, true},
	} {
		n, set, err := CPUsFromEnv(MapEnv(tc.env))
		if n != tc.n || set != tc.set || (err != nil) != tc.isErr {
			t.Errorf("%v: got %d, %v, %v; want %d, %v, error %v", tc.env, n, set, err, tc.n, tc.set, tc.isErr)
		}
	}
}

func TestJobFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want Job
	}{
		{map[string]string{}, Job{}},
		{map[string]string{"SLURM_JOB_ID": "12", "SLURM_CLUSTER_NAME": "c"}, Job{ID: "slurm:c:12"}},
		{map[string]string{"SLURM_JOB_ID": "12", "SLURM_CLUSTER_NAME": "c", "SLURM_RESTART_COUNT": "2"}, Job{ID: "slurm:c:12", Attempt: 2}},
		{map[string]string{"SLURM_JOB_ID": "12", "SLURM_RESTART_COUNT": "x"}, Job{ID: "slurm::12"}},
	} {
		if got := JobFromEnv(MapEnv(tc.env)); got != tc.want {
			t.Errorf("%v: got %+v, want %+v", tc.env, got, tc.want)
		}
	}
}
