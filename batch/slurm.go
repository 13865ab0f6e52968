package batch

import (
	"fmt"
	"path/filepath"
	"strings"
)

// File is a generated file: its name in the output directory, its text and
// whether it is executable.
type File struct {
	Name string
	Text string
	Exec bool
}

// SlurmConfig describes the Slurm jobs of a sweep.
type SlurmConfig struct {
	// Binary is the absolute path of byzsim on every node.
	Binary string
	// Experiment is the absolute path of the experiment file on every node.
	Experiment string
	// Name is the experiment's name: the merged results are
	// Dir/merged/<Name>.
	Name string
	// Dir is the absolute path, on storage every node sees, of the
	// directory holding the scripts, the logs, the shards and the merged
	// results.
	Dir string
	// Shards is the number of array tasks.
	Shards int
	// CPUsPerTask is each task's --cpus-per-task; byzsim runs that many
	// runs at once.
	CPUsPerTask int
	// Time and MergeTime are the --time limits of a task and of the merge
	// job ("" for the partition's default).
	Time, MergeTime string
	// Partition, Account and Mem are --partition, --account and --mem
	// ("" to leave them out).
	Partition, Account, Mem string
	// RunArgs are more arguments of byzsim run (--set, --seed), one per
	// element.
	RunArgs []string
}

// Generated script names.
const (
	SweepScript  = "sweep.sbatch"
	MergeScript  = "merge.sbatch"
	SubmitScript = "submit.sh"
	WaitScript   = "wait.sh"
)

// check reports the first unusable field.
func (c *SlurmConfig) check() error {
	for _, p := range []struct{ what, path string }{{"the byzsim binary", c.Binary}, {"the experiment file", c.Experiment}, {"the output directory", c.Dir}} {
		if !filepath.IsAbs(p.path) {
			return fmt.Errorf("%s %q: want an absolute path (the jobs run in other directories, on other nodes)", p.what, p.path)
		}
	}
	if shellQuote(c.Dir) != c.Dir {
		return fmt.Errorf("output directory %q: want a path of letters, digits and / . _ - + , : = only (it appears unquoted in #SBATCH lines)", c.Dir)
	}
	if c.Shards < 1 {
		return fmt.Errorf("--shards %d: want at least 1", c.Shards)
	}
	if c.CPUsPerTask < 1 {
		return fmt.Errorf("--cpus-per-task %d: want at least 1", c.CPUsPerTask)
	}
	for _, f := range []struct{ flag, v string }{{"--time", c.Time}, {"--merge-time", c.MergeTime}, {"--partition", c.Partition}, {"--account", c.Account}, {"--mem", c.Mem}, {"experiment name", c.Name}} {
		if f.v != "" && shellQuote(f.v) != f.v {
			return fmt.Errorf("%s %q: want letters, digits and / . _ - + , : = only", f.flag, f.v)
		}
	}
	return nil
}

// SlurmScripts returns the scripts that run the sweep as a Slurm job array
// and merge it:
//
//   - sweep.sbatch: the job array, one task per shard (--array=0-N−1, the
//     only place the shard count is written), each running
//     byzsim run --shard auto --resume into Dir/shards/<task>; --requeue
//     lets Slurm restart a pre-empted or requeued task, which resumes;
//   - merge.sbatch: byzsim merge Dir/merged Dir/shards;
//   - submit.sh: checks the binary and the partition's CPUs, submits the
//     array and the merge job after it (afterok, with
//     --kill-on-invalid-dep=yes so that a failed array cancels the merge
//     instead of leaving it pending), and records both job IDs;
//   - wait.sh: polls squeue until both jobs left the queue, then says
//     where the merged results are or which task failed and what to do.
func SlurmScripts(c SlurmConfig) ([]File, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	q := shellQuote
	dir, bin := c.Dir, q(c.Binary)
	var opt strings.Builder
	for _, o := range []struct{ k, v string }{{"partition", c.Partition}, {"account", c.Account}} {
		if o.v != "" {
			fmt.Fprintf(&opt, "#SBATCH --%s=%s\n", o.k, o.v)
		}
	}
	common := opt.String()
	runArgs := ""
	for _, a := range c.RunArgs {
		runArgs += " " + q(a)
	}

	var sweep strings.Builder
	fmt.Fprintf(&sweep, `#!/bin/bash
# The shards of byzsim experiment %s as a Slurm job array: task i runs the
# runs whose index is i modulo the number of tasks into %s/shards/i.
# Submit it with %s/%s, which also submits the merge job.
#SBATCH --job-name=byzsim-%s
#SBATCH --array=0-%d
#SBATCH --cpus-per-task=%d
`, c.Name, dir, dir, SubmitScript, c.Name, c.Shards-1, c.CPUsPerTask)
	if c.Time != "" {
		fmt.Fprintf(&sweep, "#SBATCH --time=%s\n", c.Time)
	}
	if c.Mem != "" {
		fmt.Fprintf(&sweep, "#SBATCH --mem=%s\n", c.Mem)
	}
	fmt.Fprintf(&sweep, `%s#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=%s/logs/sweep-%%A_%%a.out
set -euo pipefail

if [ ! -x %s ]; then
	echo "byzsim is not at %s on $(hostname): put it on storage every node sees" >&2
	exit 2
fi
# The shard (i/n) comes from the array: --shard auto. -j defaults to
# $SLURM_CPUS_PER_TASK. A requeued task resumes: its finished runs are kept.
status=0
%s run %s%s -o %s/shards/"$SLURM_ARRAY_TASK_ID" -q --resume --shard auto || status=$?
echo "$status" >%s/status/"$SLURM_ARRAY_TASK_ID"
exit "$status"
`, common, dir, bin, c.Binary, bin, q(c.Experiment), runArgs, dir, dir)

	var merge strings.Builder
	fmt.Fprintf(&merge, `#!/bin/bash
# Merges the shards of byzsim experiment %s into %s/merged/%s.
# submit.sh submits it after the array (afterok); on its own: sbatch %s/%s
#SBATCH --job-name=byzsim-%s-merge
#SBATCH --cpus-per-task=1
`, c.Name, dir, c.Name, dir, MergeScript, c.Name)
	if c.MergeTime != "" {
		fmt.Fprintf(&merge, "#SBATCH --time=%s\n", c.MergeTime)
	}
	fmt.Fprintf(&merge, `%s#SBATCH --kill-on-invalid-dep=yes
#SBATCH --output=%s/logs/merge-%%j.out
set -euo pipefail

rm -rf %s/merged %s/merge.status
status=0
%s merge %s/merged %s/shards || status=$?
echo "$status" >%s/merge.status
exit "$status"
`, common, dir, dir, dir, bin, dir, dir, dir)

	partition := ""
	if c.Partition != "" {
		partition = " -p " + c.Partition
	}
	var submit strings.Builder
	fmt.Fprintf(&submit, `#!/bin/bash
# Submits the %d-task job array of byzsim experiment %s and, after it, the
# merge job; records their IDs in %s/jobs. Wait for them with %s/%s.
# Running it again resubmits both: finished runs are kept (--resume).
set -euo pipefail
dir=%s

if [ ! -x %s ]; then
	echo "submit.sh: %s is not an executable byzsim: put byzsim there, on storage every node sees" >&2
	exit 2
fi
# A task asking for more CPUs than any node has would pend for ever.
largest=$(sinfo -h -N%s -o '%%c' | tr -dc '0-9\n' | sort -n | tail -n 1)
if [ -z "$largest" ]; then
	echo "submit.sh: sinfo lists no node%s" >&2
	exit 2
fi
if [ "$largest" -lt %d ]; then
	echo "submit.sh: --cpus-per-task=%d, but the largest node%s has $largest CPUs: the tasks would never start; generate the scripts again with --cpus-per-task $largest or less" >&2
	exit 2
fi
mkdir -p "$dir/logs" "$dir/shards" "$dir/status"
rm -f "$dir"/status/* "$dir/merge.status" "$dir/jobs"
array=$(sbatch --parsable "$dir/%s")
array=${array%%%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$dir/%s")
merge=${merge%%%%;*}
echo "$array $merge" >"$dir/jobs"
echo "submitted job array $array (%d tasks) and merge job $merge (starts when every task succeeded)"
echo "wait for them: $dir/%s"
`, c.Shards, c.Name, dir, dir, WaitScript, dir, bin, c.Binary, partition, inPartition(c.Partition), c.CPUsPerTask, c.CPUsPerTask, inPartition(c.Partition), SweepScript, MergeScript, c.Shards, WaitScript)

	var wait strings.Builder
	fmt.Fprintf(&wait, `#!/bin/bash
# Waits until the jobs submit.sh submitted have left the queue (polling
# squeue every $BYZSIM_POLL seconds, default 10), then prints where the
# merged results are (exit 0) or what failed and how to go on (exit 1).
set -euo pipefail
dir=%s
name=%s
shards=%d
poll=${BYZSIM_POLL:-10}

if [ ! -f "$dir/jobs" ]; then
	echo "wait.sh: no $dir/jobs: submit the jobs first with $dir/%s" >&2
	exit 2
fi
read -r array merge <"$dir/jobs"
last=""
while :; do
	if ! queue=$(squeue -h -o '%%i %%T %%r' 2>&1); then
		echo "wait.sh: squeue failed ($queue); trying again in ${poll}s" >&2
		sleep "$poll"
		continue
	fi
	mine=$(echo "$queue" | awk -v a="$array" -v m="$merge" '$1 == m || $1 == a || index($1, a "_") == 1')
	[ -n "$mine" ] || break
	case $mine in
	*BadConstraints* | *PartitionNodeLimit* | *PartitionTimeLimit* | *PartitionConfig* | *DependencyNeverSatisfied* | *InvalidAccount* | *InvalidQOS*)
		echo "wait.sh: a job will never start:" >&2
		echo "$mine" >&2
		echo "cancel them with: scancel $array $merge" >&2
		exit 1
		;;
	esac
	now=$(echo "$mine" | awk '{print $2}' | sort | uniq -c | awk '{printf "%%s%%s %%s", sep, $1, $2; sep=", "}')
	if [ "$now" != "$last" ]; then
		echo "$(date +%%T) jobs $array (array) and $merge (merge): $now"
		last=$now
	fi
	sleep "$poll"
done

ok=1
for i in $(seq 0 $((shards - 1))); do
	log="$dir/logs/sweep-${array}_$i.out"
	if [ ! -f "$dir/status/$i" ]; then
		echo "task $i did not finish (cancelled, killed, or out of time): see $log" >&2
		ok=0
	elif [ "$(cat "$dir/status/$i")" = 1 ]; then
		echo "task $i: some runs failed their checks (see $log); merge anyway with: sbatch $dir/%s" >&2
		ok=0
	elif [ "$(cat "$dir/status/$i")" != 0 ]; then
		echo "task $i exited $(cat "$dir/status/$i"): see $log" >&2
		ok=0
	fi
done
if [ -f "$dir/merge.status" ] && [ "$(cat "$dir/merge.status")" = 0 ]; then
	echo "merged results: $dir/merged/$name"
	exit 0
fi
if [ -f "$dir/merge.status" ]; then
	echo "merge exited $(cat "$dir/merge.status"): see $dir/logs/merge-$merge.out" >&2
elif [ "$ok" = 1 ]; then
	echo "the merge job did not run: see $dir/logs/merge-$merge.out" >&2
fi
echo "fix the cause, then run $dir/%s again: finished runs are kept" >&2
exit 1
`, dir, q(c.Name), c.Shards, SubmitScript, MergeScript, SubmitScript)

	return []File{
		{SweepScript, sweep.String(), true},
		{MergeScript, merge.String(), true},
		{SubmitScript, submit.String(), true},
		{WaitScript, wait.String(), true},
	}, nil
}

func inPartition(p string) string {
	if p == "" {
		return ""
	}
	return " of partition " + p
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r == '=' || r == ':' || r == ',' || r == '+' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
