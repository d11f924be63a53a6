#!/usr/bin/env python3
"""Plots of ternary-bench runs, drawn from their result.json files (no hand-made data):
training curves (test top-1 per epoch, FP vs each ternarizer), top-1 vs weight compression, and
per-layer zero fractions of the ternary codes. Called by `tnn reproduce`; needs python3-matplotlib.

usage: plots.py --runs RUNS_ROOT --out PLOTS_DIR [--profiles paper quick ...] [--methods fp wacv19 ...]
(`tnn reproduce` passes the ternarizer registry's order as --methods.)
"""
import argparse
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

METHOD_ORDER = []  # the ternarizer registry's order (--methods)


def load_runs(root, profiles):
    """{(arch, profile): {method: [result, ...]}} for every result.json with history."""
    runs = {}
    for path in glob.glob(os.path.join(root, "**", "result.json"), recursive=True):
        if ".old-" in path:
            continue
        with open(path) as f:
            r = json.load(f)
        if r.get("profile") not in profiles or not r.get("history"):
            continue
        cfg = r["config"]
        key = (cfg["model"]["arch"], r["profile"])
        runs.setdefault(key, {}).setdefault(cfg["quantizer"]["method"], []).append(r)
    return runs


def first_term_zeros(sparsity):
    """MAC-weighted zeros of the first ternary term (the papers' sparsity); None for an all-FP
    network. Results written before the measures had distinct names call it
    mac_weighted_zero_fraction."""
    return sparsity.get("mac_weighted_zero_fraction_first_term", sparsity.get("mac_weighted_zero_fraction"))


def layer_first_term_zeros(layer):
    return layer.get("zero_fraction_first_term", layer.get("zero_fraction"))


def full_precision(results):
    """True when no run of a method has a ternary layer (the FP baseline)."""
    return all(first_term_zeros(r.get("sparsity", {})) is None for r in results)


def methods_sorted(by_method):
    return sorted(by_method, key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else 99, m))


def dataset_label(by_method):
    for rs in by_method.values():
        for r in rs:
            return r.get("dataset", {}).get("label", "")
    return ""


def plot_curves(arch, profile, by_method, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for m in methods_sorted(by_method):
        for i, r in enumerate(by_method[m]):
            ep = [h["epoch"] for h in r["history"]]
            top1 = [h["test_top1"] for h in r["history"]]
            status = "" if r["status"] == "finished" else " (%s, %d/%d)" % (r["status"].split(":")[0], r["epochs_done"], r["epochs"])
            ax.plot(ep, top1, label="%s seed %d%s" % (m, r["seed"], status), lw=1.4,
                    ls="-" if full_precision(by_method[m]) else "--" if i else "-")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test top-1 (%)")
    ax.set_title("%s, profile %s: test top-1 per epoch\n%s" % (arch, profile, dataset_label(by_method)), fontsize=10)
    lo = min(h["test_top1"] for rs in by_method.values() for r in rs for h in r["history"][len(r["history"]) // 4:])
    ax.set_ylim(max(0, lo - 5), 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "curves-%s-%s.png" % (arch, profile))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sparsity(arch, profile, by_method, out):
    methods = [m for m in methods_sorted(by_method) if not full_precision(by_method[m])]
    finished = {m: [r for r in by_method[m] if r.get("sparsity")] for m in methods}
    methods = [m for m in methods if finished[m]]
    if not methods:
        return None
    layers = [l["name"] for l in finished[methods[0]][0]["sparsity"]["layers"]]
    fig, ax = plt.subplots(figsize=(max(7, 0.45 * len(layers)), 4.5))
    width = 0.8 / len(methods)
    for k, m in enumerate(methods):
        r = finished[m][0]
        vals = [100 * (layer_first_term_zeros(l) or 0) for l in r["sparsity"]["layers"]]
        ax.bar([i + k * width for i in range(len(vals))], vals, width, label="%s (MAC-weighted %.1f %%)" % (
            m, 100 * (first_term_zeros(r["sparsity"]) or 0)))
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(layers))])
    ax.set_xticklabels(layers, rotation=70, fontsize=7)
    ax.set_ylabel("zero codes of the first term (%)")
    ax.set_title("%s, profile %s: per-layer zero fraction of the first ternary term (seed %d, epoch %d)" % (
        arch, profile, finished[methods[0]][0]["seed"], finished[methods[0]][0]["epochs_done"]), fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out, "sparsity-%s-%s.png" % (arch, profile))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_accuracy_vs_compression(profile, runs, out):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    any_point = False
    for (arch, p), by_method in sorted(runs.items()):
        if p != profile:
            continue
        for m in methods_sorted(by_method):
            for r in by_method[m]:
                if r["status"] != "finished":
                    continue
                sel = r.get("select", "final")
                ax.scatter(r["footprint"]["weight_compression"], r[sel]["top1"], s=30)
                ax.annotate("%s %s" % (arch, m), (r["footprint"]["weight_compression"], r[sel]["top1"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
                any_point = True
    if not any_point:
        plt.close(fig)
        return None
    ax.set_xscale("log", base=2)
    ax.set_xlabel("weight compression vs FP32 (x, exact storage incl. scales)")
    ax.set_ylabel("test top-1 (%)")
    ax.set_title("Top-1 vs compression, profile %s" % profile, fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out, "accuracy-vs-compression-%s.png" % profile)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profiles", nargs="+", default=["paper", "quick"])
    ap.add_argument("--methods", nargs="*", default=[], help="method order (the ternarizer registry's)")
    a = ap.parse_args()
    METHOD_ORDER[:] = a.methods
    os.makedirs(a.out, exist_ok=True)
    runs = load_runs(a.runs, a.profiles)
    written = []
    for (arch, profile), by_method in sorted(runs.items()):
        written.append(plot_curves(arch, profile, by_method, a.out))
        written.append(plot_sparsity(arch, profile, by_method, a.out))
    for p in a.profiles:
        written.append(plot_accuracy_vs_compression(p, runs, a.out))
    written = [w for w in written if w]
    print("plots: %d written into %s" % (len(written), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
