#!/usr/bin/env bash
# Data-parallel throughput on this machine (docs/distributed.md "Measured here"): ResNet-20 FP,
# global batch 128, CIFAR-10, one process with 2 threads vs 2 Gloo ranks (tnn run --nproc 2) with
# 1 thread each, alternated ROUNDS times. Each run trains 2 epochs of LIMIT images; the figure is
# epoch 2's img/s (epoch 1 includes start-up), and for the 2-rank runs result.json's
# communication time per step. Prints one line per run and a JSON summary to OUT/summary.json.
# Usage: ci/dist-bench.sh TNN_CLI OUT [ROUNDS=2] [LIMIT=2048]
# For numbers to commit, run it through /work/tools/quiet.sh (pauses the background training).
set -euo pipefail
tnn=${1:?usage: ci/dist-bench.sh TNN_CLI OUT [ROUNDS] [LIMIT]}
out=${2:?}
rounds=${3:-2}
limit=${4:-2048}
data=${TNN_DATA_DIR:?set TNN_DATA_DIR to the CIFAR-10 binary folder}
src=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"
sets=(--set train.batch_size=128 --set "data.train_limit=$limit" --set data.test_limit=256
      --set train.epochs=2 --set train.log_every=1000)
exp=$src/experiments/cifar10/resnet20-fp.json
result() { echo "$1/cifar10/resnet20-fp/smoke/seed1/result.json"; }

for r in $(seq 1 "$rounds"); do
  "$tnn" --threads 2 run "$exp" --profile smoke --seed 1 --out "$out/one-$r" --data "$data" "${sets[@]}" \
    > "$out/one-$r.log" 2>&1
  "$tnn" --threads 1 run "$exp" --profile smoke --seed 1 --out "$out/two-$r" --data "$data" "${sets[@]}" \
    --nproc 2 > "$out/two-$r.log" 2>&1
  for kind in one two; do
    python3 - "$(result "$out/$kind-$r")" "$kind" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e = r["history"][-1]
d = r.get("distributed")
line = f"{sys.argv[2]}: epoch {e['epoch']} {e['img_per_s']:.1f} img/s, test top-1 {e['test_top1']:.2f}"
if d:
    line += (f", comm {1000 * d['comm_seconds_per_step']:.1f} ms/step (blocked {1000 * d['comm_wait_seconds_per_step']:.1f} ms),"
             f" per rank " + ", ".join(f"{x['img_per_s']:.1f}" for x in d["ranks"]) + " img/s")
print(line)
PY
  done
done

python3 - "$out" "$rounds" "$limit" <<'PY'
import json, os, statistics, sys
out, rounds, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(kind, r):
    return json.load(open(os.path.join(out, f"{kind}-{r}", "cifar10/resnet20-fp/smoke/seed1/result.json")))
one = [load("one", r) for r in range(1, rounds + 1)]
two = [load("two", r) for r in range(1, rounds + 1)]
s = {
    "what": "ResNet-20 FP, global batch 128, CIFAR-10 (%d train images), epoch 2 img/s" % limit,
    "machine": one[0]["environment"].get("cpu", one[0]["environment"].get("hostname")),
    "one_rank_2_threads_img_s": [x["history"][-1]["img_per_s"] for x in one],
    "two_ranks_1_thread_img_s": [x["history"][-1]["img_per_s"] for x in two],
    "two_ranks_comm_ms_per_step": [1000 * x["distributed"]["comm_seconds_per_step"] for x in two],
    "two_ranks_comm_wait_ms_per_step": [1000 * x["distributed"]["comm_wait_seconds_per_step"] for x in two],
    "steps_per_epoch": (limit + 127) // 128,
}
s["ratio_two_over_one"] = statistics.median(s["two_ranks_1_thread_img_s"]) / statistics.median(s["one_rank_2_threads_img_s"])
json.dump(s, open(os.path.join(out, "summary.json"), "w"), indent=2)
print(json.dumps(s, indent=2))
PY
