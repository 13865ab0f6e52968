package batch

import (
	"fmt"
	"strconv"
	"strings"
)

// Env looks up an environment variable, as os.LookupEnv does.
type Env func(key string) (string, bool)

// MapEnv is an Env over a map, for tests and for callers that build the
// environment themselves.
func MapEnv(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Environment variables read by ShardFromEnv, CPUsFromEnv and JobFromEnv.
const (
	// ShardsVar gives the shard count when the batch system does not (a
	// Kubernetes Indexed Job's manifest sets it to its completions).
	ShardsVar = "BYZSIM_SHARDS"

	slurmTaskID    = "SLURM_ARRAY_TASK_ID"
	slurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	slurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	slurmTaskMax   = "SLURM_ARRAY_TASK_MAX"
	slurmTaskStep  = "SLURM_ARRAY_TASK_STEP"
	slurmJobID     = "SLURM_JOB_ID"
	slurmCluster   = "SLURM_CLUSTER_NAME"
	slurmRestart   = "SLURM_RESTART_COUNT"
	slurmCPUs      = "SLURM_CPUS_PER_TASK"
	k8sIndex       = "JOB_COMPLETION_INDEX"
)

// Shard is the slice of a sweep one batch task runs: the runs whose index
// is Index modulo Count.
type Shard struct {
	Index, Count int
	// From says where the shard came from, e.g. "Slurm array task 3 of
	// 0-15" or "Kubernetes completion index 3".
	From string
}

// String is the shard as --shard writes it, "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// EnvError is an environment that does not say what a batch task is to
// do; byzsim reports it as bad input (exit status 2).
type EnvError struct{ Msg string }

func (e *EnvError) Error() string { return e.Msg }

func shardErrorf(format string, args ...any) error {
	return &EnvError{Msg: "--shard auto: " + fmt.Sprintf(format, args...)}
}

// ShardFromEnv reads the shard of this batch task from env.
//
// The count is shards when it is positive (--shards N), else
// $BYZSIM_SHARDS when set, else the size of the Slurm job array
// ($SLURM_ARRAY_TASK_COUNT).
//
// The index is $JOB_COMPLETION_INDEX in a Kubernetes Indexed Job. In a
// Slurm job array whose count comes from the array itself, the array must
// be a range with one step (--array=0-15, 1-16 or 0-30:2): the index is
// the task's position in it, (ID − MIN) / STEP. With a count given
// explicitly, the task ID is the index itself (0 to count−1), so a subset
// of the shards can be resubmitted (sbatch --array=3,7).
func ShardFromEnv(env Env, shards int) (Shard, error) {
	count, countFrom := shards, "--shards"
	if count <= 0 {
		if v, ok := env(ShardsVar); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return Shard{}, shardErrorf("$%s=%q: want a positive shard count", ShardsVar, v)
			}
			count, countFrom = n, "$"+ShardsVar
		}
	}
	if v, ok := env(k8sIndex); ok {
		idx, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || idx < 0 {
			return Shard{}, shardErrorf("$%s=%q: want a completion index 0, 1, ...", k8sIndex, v)
		}
		if count <= 0 {
			return Shard{}, shardErrorf("in a Kubernetes Indexed Job ($%s=%d) the shard count is not in the environment: set $%s to the Job's completions, or give --shards N", k8sIndex, idx, ShardsVar)
		}
		if idx >= count {
			return Shard{}, shardErrorf("completion index %d is not below the shard count %d (from %s): the Job's completions must equal the shard count", idx, count, countFrom)
		}
		return Shard{Index: idx, Count: count, From: fmt.Sprintf("Kubernetes completion index %d of %d", idx, count)}, nil
	}
	if _, ok := env(slurmTaskID); !ok {
		if _, inJob := env(slurmJobID); inJob {
			return Shard{}, shardErrorf("this Slurm job is not a job array ($%s is unset): submit it with sbatch --array=0-N (see byzsim slurm)", slurmTaskID)
		}
		return Shard{}, shardErrorf("not in a batch job: neither $%s (Slurm job array) nor $%s (Kubernetes Indexed Job) is set; outside a batch job give the shard as --shard i/n", slurmTaskID, k8sIndex)
	}
	id, err := envInt(env, slurmTaskID, true)
	if err != nil {
		return Shard{}, err
	}
	if count > 0 {
		if id >= count {
			return Shard{}, shardErrorf("Slurm array task ID %d is not below the shard count %d (from %s): with a shard count given, the task IDs are the shard indices 0 to %d", id, count, countFrom, count-1)
		}
		return Shard{Index: id, Count: count, From: fmt.Sprintf("Slurm array task %d, %d shards from %s", id, count, countFrom)}, nil
	}
	n, err := envInt(env, slurmTaskCount, true)
	if err != nil {
		return Shard{}, err
	}
	lo, err := envInt(env, slurmTaskMin, true)
	if err != nil {
		return Shard{}, err
	}
	step := 1
	if _, ok := env(slurmTaskStep); ok {
		if step, err = envInt(env, slurmTaskStep, true); err != nil {
			return Shard{}, err
		}
	}
	hi := lo + (n-1)*step
	if _, ok := env(slurmTaskMax); ok {
		if hi, err = envInt(env, slurmTaskMax, true); err != nil {
			return Shard{}, err
		}
	}
	if n < 1 || step < 1 || hi != lo+(n-1)*step || id < lo || id > hi || (id-lo)%step != 0 {
		return Shard{}, shardErrorf("the Slurm array (task %d of %d tasks from %d to %d, step %d) is not a range with one step such as --array=0-15: give the shard count with --shards N (or $%s), and the task IDs are then the shard indices",
			id, n, lo, hi, step, ShardsVar)
	}
	idx := (id - lo) / step
	return Shard{Index: idx, Count: n, From: fmt.Sprintf("Slurm array task %d of %d-%d", id, lo, hi)}, nil
}

// envInt reads a non-negative integer variable.
func envInt(env Env, key string, required bool) (int, error) {
	v, ok := env(key)
	if !ok {
		if required {
			return 0, shardErrorf("$%s is unset", key)
		}
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, shardErrorf("$%s=%q: want a non-negative integer", key, v)
	}
	return n, nil
}

// CPUsFromEnv returns $SLURM_CPUS_PER_TASK, the CPUs Slurm gave each task,
// and whether it is set. A set but malformed value is an error.
func CPUsFromEnv(env Env) (int, bool, error) {
	v, ok := env(slurmCPUs)
	if !ok || v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, false, &EnvError{Msg: fmt.Sprintf("$%s=%q: want a positive number of CPUs (it sets the default of -j)", slurmCPUs, v)}
	}
	return n, true, nil
}

// Job identifies the batch job a process runs in, so that the lock of an
// output directory left by an earlier attempt of the same job (requeued on
// another node) is known to be stale.
type Job struct {
	// ID is "slurm:<cluster>:<job id>"; empty outside a batch job.
	ID string
	// Attempt counts the job's restarts ($SLURM_RESTART_COUNT).
	Attempt int
}

// JobFromEnv returns the Slurm job this process runs in, if any.
func JobFromEnv(env Env) Job {
	id, ok := env(slurmJobID)
	if !ok || id == "" {
		return Job{}
	}
	cluster, _ := env(slurmCluster)
	restart, err := envInt(env, slurmRestart, false)
	if err != nil {
		restart = 0
	}
	return Job{ID: "slurm:" + cluster + ":" + id, Attempt: restart}
}
