#!/usr/bin/env python3
"""Markdown table of `tnn infer` results (ci/engine-eval.sh): per packed model and engine
implementation (every one the results hold), top-1, agreement with the LibTorch checkpoint,
latency, the load of the machine while timing, and zero-skipping sparsity with its ideal
speed-up next to the measured one (each implementation vs onednn_f32).

usage: inference_table.py INFER_JSON_DIR OUT.md
"""
import glob
import json
import os
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    runs = {}
    for path in sorted(glob.glob(os.path.join(src, "*.json"))):
        with open(path) as f:
            r = json.load(f)
        name = os.path.basename(path).rsplit(".", 2)[0]
        runs.setdefault(name, {})[r["impl"]] = r
    if not runs:
        sys.exit("inference_table.py: no results in " + src)
    results = [r for by_impl in runs.values() for r in by_impl.values()]

    def distinct(key):  # every value of an environment field across the results, as one string
        values = set()
        for r in results:
            env = r["environment"]
            v = env.get(key, "?")
            if key == "git_commit":
                v = str(v)[:10] + ("+dirty" if env.get("git_dirty") else "")
            values.add(str(v))
        return ", ".join(sorted(values))

    lines = [
        "# Packed-model inference on the CIFAR-10 test set",
        "",
        "Machine: %s, %s thread(s); commit(s) %s; data: %s." % (
            distinct("cpu_model"), distinct("threads"), distinct("git_commit"),
            ", ".join(sorted({r["dataset"].get("label", "?") for r in results}))),
        "",
        "Each trained checkpoint (`select: final`) is packed by `tnn pack` (BN folded, 2-bit codes + FP32 scales) and run by "
        "the engine. *Agreement* is the share of test images on which the engine predicts the same class as the LibTorch "
        "checkpoint. `ternary_s8` (W2A8) quantizes activations to u8 per tensor with scales calibrated on 512 training images; "
        "its accuracy is its own. `auto` runs every layer with the implementation per-layer autotuning found fastest on "
        "this machine (`tnn tune`). The FP32 engines fold each residual add into the conv before it (from commit 400d4a3 on; "
        "rows of older commits ran the adds as separate steps). An FP model has no ternary layers: the s8 engines run its convolutions with FP32 kernels "
        "(`onednn_s8` with oneDNN's, the ternary ones with ours) between u8 activations, hence their times on FP rows. Latency is the median of repeated runs (batch 1: "
        "200, batch 128: 10); ci/engine-eval.sh pauses nothing (its operator may have stopped other work first): the load "
        "average at the time is in the last column, the busy processes in each result's JSON. *Ideal* is the Amdahl bound of skipping every zero "
        "weight (dense layers at 1x); *measured* is onednn_f32 time / this implementation's time.",
        "",
        "| model | impl | top-1 (%) | checkpoint top-1 (%) | agreement (%) | batch 1 (ms) | batch 128 (ms) | MAC-weighted zeros (all terms) | ideal zero-skip speed-up / measured vs onednn_f32 (b1, b128) | load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_impl in sorted(runs.items()):
        base = by_impl.get("onednn_f32")
        for impl in sorted(by_impl):  # every implementation the results hold
            r = by_impl[impl]
            lat = r.get("latency_ms", {})
            sp = r["sparsity"]
            skip = "—"
            if impl != "onednn_f32" and base is not None and "latency_ms" in base and lat:
                skip = "%.2fx / %.2fx, %.2fx" % (sp["ideal_model_speedup"], base["latency_ms"]["batch1"] / lat["batch1"],
                                                base["latency_ms"]["batch128"] / lat["batch128"])
            load = r.get("machine", {}).get("load_average", "not recorded")
            lines.append("| %s | %s | %.2f | %.2f | %.2f | %.3f | %.2f | %.1f %% | %s | %s |" % (
                name, impl, r["top1"], r.get("checkpoint_top1", float("nan")), r.get("agreement_with_checkpoint", float("nan")),
                lat.get("batch1", float("nan")), lat.get("batch128", float("nan")),
                100 * sp.get("mac_weighted_zero_fraction_all_terms", sp.get("mac_weighted_ternary_zero_fraction")), skip, load))
    lines.append("")
    with open(dst + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(dst + ".tmp", dst)
    print("inference_table.py: wrote " + dst)


if __name__ == "__main__":
    main()
