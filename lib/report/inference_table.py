#!/usr/bin/env python3
"""Markdown table of `tnn infer` results (ci/engine-eval.sh): per packed model and engine
implementation, top-1, agreement with the LibTorch checkpoint, latency, and zero-skipping
sparsity with its ideal speed-up next to the measured one (ternary_f32 vs onednn_f32).

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
        "its accuracy is its own. Latency is the median of repeated runs (batch 1: 200, batch 128: 10), training jobs paused. "
        "*Ideal* is the Amdahl bound of skipping every zero weight (dense layers at 1x); *measured* is onednn_f32 time / "
        "ternary_f32 time.",
        "",
        "| model | impl | top-1 (%) | checkpoint top-1 (%) | agreement (%) | batch 1 (ms) | batch 128 (ms) | MAC-weighted zeros (all terms) | zero-skip speed-up: ideal / measured (b1, b128) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_impl in sorted(runs.items()):
        base = by_impl.get("onednn_f32")
        for impl in ["ternary_f32", "ternary_s8", "onednn_f32"]:
            r = by_impl.get(impl)
            if r is None:
                continue
            lat = r.get("latency_ms", {})
            sp = r["sparsity"]
            skip = "—"
            if impl == "ternary_f32" and base is not None and "latency_ms" in base:
                skip = "%.2fx / %.2fx, %.2fx" % (sp["ideal_model_speedup"], base["latency_ms"]["batch1"] / lat["batch1"],
                                                base["latency_ms"]["batch128"] / lat["batch128"])
            elif impl == "ternary_s8" and base is not None and "latency_ms" in base:
                skip = "(W2A8 vs onednn_f32: %.2fx, %.2fx)" % (base["latency_ms"]["batch1"] / lat["batch1"],
                                                              base["latency_ms"]["batch128"] / lat["batch128"])
            lines.append("| %s | %s | %.2f | %.2f | %.2f | %.3f | %.2f | %.1f %% | %s |" % (
                name, impl, r["top1"], r.get("checkpoint_top1", float("nan")), r.get("agreement_with_checkpoint", float("nan")),
                lat.get("batch1", float("nan")), lat.get("batch128", float("nan")),
                100 * sp.get("mac_weighted_zero_fraction_all_terms", sp.get("mac_weighted_ternary_zero_fraction")), skip))
    lines.append("")
    with open(dst + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(dst + ".tmp", dst)
    print("inference_table.py: wrote " + dst)


if __name__ == "__main__":
    main()
