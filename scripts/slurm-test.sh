#!/usr/bin/env bash
# Scale-out on a real Slurm: installs Slurm and munge from the Debian packages (if missing),
# starts a one-node cluster from a slurm.conf in a temporary directory (munged, slurmctld -D and
# slurmd -D in the background, no systemd), runs a figure experiment as a 3-task job array through
# the scripts `byzsim slurm` writes (submit.sh, wait.sh), and checks that the merged results are
# byte-identical to a single-process `byzsim run`: runs.csv, points.csv, experiment.toml, every
# run file and every plot (manifest.json and perf.json hold wall-clock times and are left out).
# Then it does it again with task 0 requeued mid-run (scontrol requeue): the task is killed,
# restarts, resumes, and the merged results must still be identical. Stops the daemons it
# started by their PIDs. Must run as root; fails (never skips) when anything is missing.
#
#   scripts/slurm-test.sh [EXPERIMENT]     (default experiments/figures/bftlist_shares.toml)
#   BYZSIM_SLURM_TIMINGS=1 scripts/slurm-test.sh    also times the sweep with 1, 2 and 3 tasks
set -euo pipefail
cd "$(dirname "$0")/.."
exp=${1:-experiments/figures/bftlist_shares.toml}
start_all=$(date +%s)

fail() {
	echo "slurm-test: FAIL: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || fail "must run as root (it installs packages and starts slurmd)"

need=()
for cmd in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
	command -v "$cmd" >/dev/null || need+=("$cmd")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "slurm-test: installing slurmctld slurmd slurm-client munge (missing: ${need[*]})"
	apt-get update -q || fail "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
		slurmctld slurmd slurm-client munge || fail "cannot install Slurm and munge"
	for cmd in "${need[@]}"; do
		command -v "$cmd" >/dev/null || fail "$cmd is still missing after the install"
	done
fi

tmp=$(mktemp -d /tmp/byzsim-slurm-test.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
	status=$?
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "$status" != 0 ]; then
		for log in "$tmp"/log/*; do
			[ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$log"; }
		done
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT

# munge: a fresh key, its own socket.
mkdir -p "$tmp/munge" "$tmp/log" "$tmp/state" "$tmp/spool"
chmod 700 "$tmp/munge"
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged -F --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/socket" \
	--pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" \
	--log-file="$tmp/log/munged.log" >>"$tmp/log/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	[ -S "$tmp/munge/socket" ] && break
	sleep 0.1
done
munge -S "$tmp/munge/socket" -n | unmunge -S "$tmp/munge/socket" >/dev/null || fail "munged does not answer"

host=$(hostname -s)
cpus=$(nproc)
mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
[ -n "$mem" ] || fail "slurmd -C gives no RealMemory"
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=byzsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: a requeued job may start again 10 s after it was killed (default 120 s)
AuthInfo=socket=$tmp/munge/socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 60); do
	state=$(sinfo -h -o '%t' 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.5
done
[ "$state" = idle ] || fail "the node is not idle after 30 s (sinfo says '$state')"
echo "slurm-test: one-node Slurm up ($host, $cpus CPUs; munged, slurmctld, slurmd: pids ${pids[*]})"

bin=$tmp/bin/byzsim
go build -o "$bin" . || fail "go build"
name=$("$bin" check "$exp" | sed -n '1s/^\([^:]*\):.*/\1/p')
[ -n "$name" ] || fail "byzsim check $exp names no experiment"

# seconds since $1 (from date +%s%N), with one decimal
since() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

t0=$(date +%s%N)
"$bin" run "$exp" -o "$tmp/single" -q >/dev/null || fail "single-process byzsim run"
echo "slurm-test: single process (-j $cpus): $(since "$t0") s"

# same DIR: byte-identical results (except manifest.json and perf.json)
same() {
	local got=$1/merged/$name want=$tmp/single/$name
	[ -f "$got/manifest.json" ] || fail "no merged results in $got"
	for f in runs.csv points.csv experiment.toml; do
		cmp "$want/$f" "$got/$f" || fail "$f differs from the single-process run"
	done
	diff -r -x perf.json "$want/runs" "$got/runs" || fail "run files differ from the single-process run"
	if [ -d "$want/plots" ]; then
		diff -r "$want/plots" "$got/plots" || fail "plots differ from the single-process run"
	fi
	echo "slurm-test: $got: runs.csv, points.csv, experiment.toml, $(find "$got/runs" -type f | wc -l) run files and plots identical to the single-process run"
}

# 1. The sweep as a 3-task job array, through the generated scripts.
"$bin" slurm "$exp" --shards 3 --cpus-per-task 1 --time 00:10:00 -o "$tmp/sweep" --byzsim "$bin"
t0=$(date +%s%N)
"$tmp/sweep/submit.sh"
BYZSIM_POLL=1 "$tmp/sweep/wait.sh" || fail "wait.sh reports a failure"
echo "slurm-test: 3-task array and merge: $(since "$t0") s"
same "$tmp/sweep"

# 2. Again, with task 0 requeued while it runs: Slurm kills it (SIGTERM), starts it again, and
# it resumes from the runs it finished.
"$bin" slurm "$exp" --shards 3 --cpus-per-task 1 --time 00:10:00 -o "$tmp/requeue" --byzsim "$bin" >/dev/null
t0=$(date +%s%N)
"$tmp/requeue/submit.sh"
read -r array _ <"$tmp/requeue/jobs"
shard0=$tmp/requeue/shards/0/$name/runs
for _ in $(seq 600); do
	[ -n "$(find "$shard0" -name summary.json 2>/dev/null | head -n 1)" ] && break
	sleep 0.1
done
done_before=$(find "$shard0" -name summary.json 2>/dev/null | wc -l)
[ "$done_before" -gt 0 ] || fail "task 0 finished no run within 60 s"
[ ! -f "$tmp/requeue/status/0" ] || fail "task 0 ended before it could be requeued: use a longer experiment"
scontrol requeue "${array}_0" || fail "scontrol requeue ${array}_0"
echo "slurm-test: requeued task ${array}_0 after $done_before finished runs"
BYZSIM_POLL=1 "$tmp/requeue/wait.sh" || fail "wait.sh reports a failure after the requeue"
log=$tmp/requeue/logs/sweep-${array}_0.out
grep -q "SIGTERM" "$log" || fail "task 0 was not stopped by the requeue: $(cat "$log")"
grep -Eq '\([0-9]+ ran, [1-9][0-9]* resumed\)' "$log" || fail "task 0 did not resume: $(cat "$log")"
restarts=$(scontrol show job "${array}_0" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "${restarts:-0}" -ge 1 ] || fail "Slurm counts no restart of task 0"
echo "slurm-test: task 0 stopped, restarted (Restarts=$restarts) and resumed; array and merge: $(since "$t0") s; its log:"
grep -E 'resumed\)' "$log"
same "$tmp/requeue"

# 3. A task that fails (here: cancelled while it runs) fails the array: the merge job must be
# cancelled (--kill-on-invalid-dep=yes), not left pending, and wait.sh must say so and exit 1.
"$bin" slurm "$exp" --shards 3 --cpus-per-task 1 --time 00:10:00 -o "$tmp/fail" --byzsim "$bin" >/dev/null
"$tmp/fail/submit.sh" >/dev/null
read -r array merge <"$tmp/fail/jobs"
for _ in $(seq 600); do
	[ "$(squeue -h -j "${array}_1" -o '%T' 2>/dev/null)" = RUNNING ] && break
	sleep 0.1
done
scancel "${array}_1" || fail "scancel ${array}_1"
t0=$(date +%s%N)
code=0
BYZSIM_POLL=1 timeout 120 "$tmp/fail/wait.sh" >"$tmp/fail/wait.out" 2>&1 || code=$?
[ "$code" = 1 ] || fail "wait.sh exits $code after a task was cancelled, want 1 (124: the merge job stayed pending): $(cat "$tmp/fail/wait.out")"
[ ! -e "$tmp/fail/merge.status" ] || fail "the merge job ran after a task failed"
grep -q "task 1 did not finish" "$tmp/fail/wait.out" || fail "wait.sh does not name task 1: $(cat "$tmp/fail/wait.out")"
echo "slurm-test: cancelled task ${array}_1: merge job $merge cancelled, wait.sh exit 1 after $(since "$t0") s: $(grep -c . "$tmp/fail/wait.out") lines, e.g. '$(grep "task 1" "$tmp/fail/wait.out")'"

echo "slurm-test: PASS in $(($(date +%s) - start_all)) s"

# With BYZSIM_SLURM_TIMINGS=1: the sweep's wall time (submit.sh to wait.sh returning, merge
# included) with 1, 2 and 3 array tasks of one CPU each, on this one-node cluster.
if [ "${BYZSIM_SLURM_TIMINGS:-0}" = 1 ]; then
	for n in 1 2 3; do
		"$bin" slurm "$exp" --shards "$n" --cpus-per-task 1 -o "$tmp/timing$n" --byzsim "$bin" >/dev/null
		t0=$(date +%s%N)
		"$tmp/timing$n/submit.sh" >/dev/null
		BYZSIM_POLL=1 "$tmp/timing$n/wait.sh" >/dev/null || fail "wait.sh with $n tasks"
		echo "slurm-test: timing: $n array task(s) of 1 CPU: $(since "$t0") s"
		same "$tmp/timing$n" >/dev/null
	done
fi
