#!/usr/bin/env bash
# A real single-node Slurm on localhost, from Debian's packages (munge, slurmctld, slurmd; the
# configuration is ci/slurm/slurm.conf.in), and through it:
#  1. tnn reproduce --launcher slurm --profile smoke for cifar10/resnet20-ttq-ft, which needs
#     cifar10/resnet20-fp first: two jobs chained with --dependency=afterok, each run on 2
#     data-parallel ranks started by srun, then the job that renders the tables;
#  2. the fp run again, requeued mid-run with `scontrol requeue`: the ranks checkpoint on SIGTERM,
#     the job restarts, continues from the checkpoint and must end with exactly the first fp run's
#     losses and accuracies.
# Where Slurm cannot start (not root, packages missing, a daemon dies) it says why and fails.
# Every daemon it started is stopped by its PID (after the jobs are cancelled); nothing is left.
# Usage: ci/slurm-test.sh TNN_BINARY WORKDIR   (CTest: slurm/reproduce; needs TNN_DATA_DIR)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tnn=${1:?usage: ci/slurm-test.sh TNN_BINARY WORKDIR}
work=${2:?usage: ci/slurm-test.sh TNN_BINARY WORKDIR}
SECONDS=0

fail() {
  echo "slurm-test: FAILED: $*"
  exit 1
}
log() { echo "slurm-test [$SECONDS s]: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root: slurmd starts jobs as their user and munged/slurmd here run as root (CI runs as root)"
for b in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo srun python3; do
  command -v "$b" > /dev/null || fail "$b not found: install slurm-wlm and munge (ci/install-deps.sh)"
done
[ -x "$tnn" ] || fail "$tnn: not an executable"
tnn=$(cd "$(dirname "$tnn")" && pwd)/$(basename "$tnn")
rm -rf "$work"
mkdir -p "$work/state" "$work/spool"
S=$(cd "$work" && pwd)
export SLURM_CONF=$S/slurm.conf

# ---- stop everything this script started, by PID --------------------------------------------
stop_pidfile() {  # NAME PIDFILE
  local pid
  pid=$(cat "$2" 2> /dev/null) || return 0
  [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || { log "$1 (pid $pid) stopped"; return 0; }; sleep 0.2; done
  kill -KILL "$pid" 2> /dev/null && log "$1 (pid $pid) killed"
}
cleanup() {
  if [ -f "$S/slurmctld.pid" ]; then
    # Jobs first (slurmstepd and the ranks outlive slurmd otherwise).
    scancel --full "--partition=ci" 2> /dev/null
    for _ in $(seq 100); do [ -z "$(squeue -h -p ci 2> /dev/null)" ] && break; sleep 0.2; done
  fi
  stop_pidfile slurmd "$S/slurmd.pid"
  stop_pidfile slurmctld "$S/slurmctld.pid"
  stop_pidfile munged "$S/munged.pid"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
show_logs() {
  for f in munged.log slurmctld.log slurmd.log; do
    echo "--- $S/$f (tail)"
    tail -15 "$S/$f" 2> /dev/null
  done
}

# ---- start munge, slurmctld, slurmd ---------------------------------------------------------
dd if=/dev/urandom of="$S/munge.key" bs=1024 count=1 status=none && chmod 400 "$S/munge.key"
munged --key-file="$S/munge.key" --socket="$S/munge.sock" --pid-file="$S/munged.pid" \
  --log-file="$S/munged.log" --seed-file="$S/munge.seed" --force ||
  { show_logs; fail "munged did not start"; }
host=$(hostname -s)
sed -e "s|@DIR@|$S|g" -e "s|@HOST@|$host|g" -e "s|@CPUS@|$(nproc)|g" \
  -e "s|@CTLD_PORT@|$(free_port)|g" -e "s|@SLURMD_PORT@|$(free_port)|g" \
  "$repo/ci/slurm/slurm.conf.in" > "$SLURM_CONF"
slurmctld -f "$SLURM_CONF" || { show_logs; fail "slurmctld did not start"; }
slurmd -f "$SLURM_CONF" || { show_logs; fail "slurmd did not start"; }
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2> /dev/null)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { show_logs; fail "the node is '$state', not idle, 20 s after start"; }
log "Slurm up: $(sinfo -h -o '%P %D %c %T') (munged $(cat "$S/munged.pid"), slurmctld $(cat "$S/slurmctld.pid"), slurmd $(cat "$S/slurmd.pid"))"

# ---- helpers --------------------------------------------------------------------------------
job_of() {  # OUT KEY -> job id from OUT/slurm/jobs.json
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["job_id"])' "$1/slurm/jobs.json" "$2"
}
state_of() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
wait_all_done() {  # OUT SECONDS [JOB...]: no job of OUT left; these (default: all) COMPLETED
  local end=$((SECONDS + $2)) ids
  ids=${*:3}
  while [ $SECONDS -lt $end ]; do
    "$tnn" reproduce --status --out "$1" > "$1/status.txt" 2>&1 && grep -q "no job queued or running" "$1/status.txt" && break
    sleep 0.5
  done
  cat "$1/status.txt"
  grep -q "no job queued or running" "$1/status.txt" || { tail -20 "$1"/slurm/*.out; fail "jobs of $1 still queued or running after $2 s"; }
  [ -n "$ids" ] || ids=$(python3 -c 'import json,sys; print(" ".join(j["job_id"] for j in json.load(open(sys.argv[1])).values()))' "$1/slurm/jobs.json")
  for id in $ids; do
    [ "$(state_of "$id")" = COMPLETED ] || { tail -30 "$1"/slurm/*.out; fail "job $id ended $(state_of "$id")"; }
  done
}
run_dir() { echo "$1/runs/cifar10/$2/smoke/seed1"; }
history() {  # RUN_DIR -> per-epoch losses and accuracies, full precision
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]+"/result.json")); print(r["status"], [(h["train_loss"], h["test_loss"], h["test_top1"]) for h in r["history"]])' "$1"
}
# Smoke runs of 2 epochs x 4 steps of 64 images (the least that leaves the requeue steps to land
# in), a log line per step (the requeue waits for the first); every run has 2 data-parallel ranks
# of 1 thread (--tasks-per-run 2) on this 2-CPU node.
common=(--profile smoke --tasks-per-run 2 --cpus-per-task 1 --set data.train_limit=256
        --set train.batch_size=64 --set data.test_limit=64 --set train.log_every=1)

# ---- 1. two runs linked by a dependency, then the tables ----------------------------------
a=$S/reproduce
"$tnn" reproduce --launcher slurm --only cifar10/resnet20-ttq-ft "${common[@]}" --out "$a" ||
  fail "tnn reproduce --launcher slurm failed"
fp=$(job_of "$a" cifar10/resnet20-fp/smoke/seed1)
ft=$(job_of "$a" cifar10/resnet20-ttq-ft/smoke/seed1)
scontrol show job "$ft" | grep -q "Dependency=afterok:$fp" || fail "job $ft does not depend on $fp (afterok)"
wait_all_done "$a" 300
for f in "$a"/tables/*.md "$a/README.md"; do [ -s "$f" ] || fail "$f: not rendered"; done
grep -q "ttq" "$a"/tables/*.md || fail "no TTQ row in the rendered tables"
for run in resnet20-fp resnet20-ttq-ft; do
  r=$(run_dir "$a" $run)
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["status"]=="finished" and r["distributed"]["world_size"]==2 and r["distributed"]["launcher"]=="slurm", r.get("distributed")' \
    "$r/result.json" || fail "$r: not a finished 2-rank srun run"
done
log "1. fp (job $fp) -> ttq-ft (job $ft, afterok) on 2 srun ranks each, tables rendered in $a/tables"

# ---- 2. a run requeued mid-run continues from its checkpoint ------------------------------
b=$S/requeue
"$tnn" reproduce --launcher slurm --only cifar10/resnet20-fp "${common[@]}" --out "$b" || fail "second submission failed"
job=$(job_of "$b" cifar10/resnet20-fp/smoke/seed1)
scancel "$(job_of "$b" render/smoke)"  # its tables are not needed here
rb=$(run_dir "$b" resnet20-fp)
for _ in $(seq 600); do grep -q '"event":"step"' "$rb/log.jsonl" 2> /dev/null && break; sleep 0.1; done
grep -q '"event":"step"' "$rb/log.jsonl" 2> /dev/null || { tail -20 "$b"/slurm/*.out; fail "job $job did not start training"; }
scontrol requeue "$job" || fail "scontrol requeue $job failed"
log "2. job $job requeued during epoch 1"
for _ in $(seq 300); do [ "$(state_of "$job")" = PENDING ] && break; sleep 0.2; done
[ "$(state_of "$job")" = PENDING ] || fail "job $job is $(state_of "$job"), not PENDING, after the requeue"
scontrol update JobId="$job" StartTime=now  # Slurm delays a requeued job's start; not here
wait_all_done "$b" 300 "$job"
grep -q '"event":"interrupted"' "$rb/log.jsonl" || fail "$rb/log.jsonl: no checkpoint on the requeue's SIGTERM (did the run end first?)"
resumed_at=$(grep '"event":"resume"' "$rb/log.jsonl" | sed -n 's/.*"epoch":\([0-9]*\),.*"step":\([0-9]*\).*/\1 epoch(s) + \2 step(s)/p')
log "2. the restarted job resumed after $resumed_at"
grep -q "start 1" "$b"/slurm/*.out || fail "the job output shows no restart (SLURM_RESTART_COUNT 1)"
h1=$(history "$(run_dir "$a" resnet20-fp)")
h2=$(history "$rb")
echo "uninterrupted: $h1"
echo "requeued:      $h2"
[ "$h1" = "$h2" ] || fail "the requeued run's losses/accuracies differ from the uninterrupted run's"
log "2. requeued run resumed from its checkpoint ($(grep -c '"event":"resume"' "$rb/log.jsonl") resume) and equals the uninterrupted one"
log "passed"
