#!/bin/bash
# Submits the 16-task job array of byzsim experiment latency-vs-load and, after it, the
# merge job; records their IDs in /shared/sweeps/lvl/jobs. Wait for them with /shared/sweeps/lvl/wait.sh.
# Running it again resubmits both: finished runs are kept (--resume).
set -euo pipefail
dir=/shared/sweeps/lvl

if [ ! -x /shared/bin/byzsim ]; then
	echo "submit.sh: /shared/bin/byzsim is not an executable byzsim: put byzsim there, on storage every node sees" >&2
	exit 2
fi
# A task asking for more CPUs than any node has would pend for ever.
largest=$(sinfo -h -N -p batch -o '%c' | tr -dc '0-9\n' | sort -n | tail -n 1)
if [ -z "$largest" ]; then
	echo "submit.sh: sinfo lists no node of partition batch" >&2
	exit 2
fi
if [ "$largest" -lt 4 ]; then
	echo "submit.sh: --cpus-per-task=4, but the largest node of partition batch has $largest CPUs: the tasks would never start; generate the scripts again with --cpus-per-task $largest or less" >&2
	exit 2
fi
mkdir -p "$dir/logs" "$dir/shards" "$dir/status"
rm -f "$dir"/status/* "$dir/merge.status" "$dir/jobs"
array=$(sbatch --parsable "$dir/sweep.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$dir/merge.sbatch")
merge=${merge%%;*}
echo "$array $merge" >"$dir/jobs"
echo "submitted job array $array (16 tasks) and merge job $merge (starts when every task succeeded)"
echo "wait for them: $dir/wait.sh"
