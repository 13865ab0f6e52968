#!/bin/bash
# Waits until the jobs submit.sh submitted have left the queue (polling
# squeue every $BYZSIM_POLL seconds, default 10), then prints where the
# merged results are (exit 0) or what failed and how to go on (exit 1).
set -euo pipefail
dir=/shared/sweeps/lvl
name=latency-vs-load
shards=16
poll=${BYZSIM_POLL:-10}

if [ ! -f "$dir/jobs" ]; then
	echo "wait.sh: no $dir/jobs: submit the jobs first with $dir/submit.sh" >&2
	exit 2
fi
read -r array merge <"$dir/jobs"
last=""
while :; do
	if ! queue=$(squeue -h -o '%i %T %r' 2>&1); then
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
	now=$(echo "$mine" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
	if [ "$now" != "$last" ]; then
		echo "$(date +%T) jobs $array (array) and $merge (merge): $now"
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
		echo "task $i: some runs failed their checks (see $log); merge anyway with: sbatch $dir/merge.sbatch" >&2
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
echo "fix the cause, then run $dir/submit.sh again: finished runs are kept" >&2
exit 1
