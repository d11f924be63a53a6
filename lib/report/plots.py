#!/usr/bin/env python3
"""Plots of ternary-bench runs, drawn from their result.json and log.jsonl files (no hand-made
data): training curves (test and training top-1 per epoch, mean over seeds with a min-max band), top-1 vs
weight compression (mean over seeds with std error bars), per-layer zero fractions of the ternary
codes, and per-layer threshold trajectories (delta / std(W) and zero fraction per epoch) for runs
that logged them. Called by `tnn reproduce`, which passes the ternarizer registry's order
(--methods) and the methods with quantizer state of their own (--stateful); needs
python3-matplotlib.

usage: plots.py --runs RUNS_ROOT --out PLOTS_DIR [--profiles paper quick ...]
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
STATEFUL = []  # methods whose quantizer state is learned or fitted in training (--stateful)


def variant(r):
    """The row an experiment stands for: its id without the folder and the arch prefix
    ("cifar10/resnet20-ttq-ft" -> "ttq-ft"), so variants of one method keep distinct labels."""
    name = r["experiment"].split("/")[-1]
    arch = r["config"]["model"]["arch"]
    return name[len(arch) + 1:] if name.startswith(arch + "-") else name


def load_runs(root, profiles):
    """{(arch, profile): {variant: [(result, run_dir), ...]}} for every result.json with history."""
    runs = {}
    for path in glob.glob(os.path.join(root, "**", "result.json"), recursive=True):
        if ".old-" in path:
            continue
        with open(path) as f:
            r = json.load(f)
        if r.get("profile") not in profiles or not r.get("history"):
            continue
        key = (r["config"]["model"]["arch"], r["profile"])
        runs.setdefault(key, {}).setdefault(variant(r), []).append((r, os.path.dirname(path)))
    for by_variant in runs.values():
        for rs in by_variant.values():
            rs.sort(key=lambda x: x[0]["seed"])
    return runs


def method_of(runs):
    return runs[0][0]["config"]["quantizer"]["method"]


def variants_sorted(by_variant):
    """In the registry's order of their methods, then by name (ttq before ttq-ft)."""
    def key(v):
        m = method_of(by_variant[v])
        return (METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER), v)
    return sorted(by_variant, key=key)


def first_term_zeros(sparsity):
    """MAC-weighted zeros of the first ternary term (the papers' sparsity); None for an all-FP
    network. Results written before the measures had distinct names call it
    mac_weighted_zero_fraction."""
    return sparsity.get("mac_weighted_zero_fraction_first_term", sparsity.get("mac_weighted_zero_fraction"))


def layer_first_term_zeros(layer):
    return layer.get("zero_fraction_first_term", layer.get("zero_fraction"))


def full_precision(runs):
    """True when no run of a variant has a ternary layer (the FP baseline)."""
    return all(first_term_zeros(r.get("sparsity", {})) is None for r, _ in runs)


def dataset_label(by_variant):
    for rs in by_variant.values():
        for r, _ in rs:
            return r.get("dataset", {}).get("label", "")
    return ""


def mean(xs):
    return sum(xs) / len(xs)


def std(xs):
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5


def draw_curves(ax, key, by_variant):
    """One line per variant of history[key] per epoch: the mean over finished seeds with a
    min-max band (from two seeds on), other runs on their own (unfinished ones dotted). Returns
    the values past the first quarter of training, for the y range."""
    lows = []
    for k, v in enumerate(variants_sorted(by_variant)):
        rs = [r for r, _ in by_variant[v] if all(key in h for h in r["history"])]
        color = "C%d" % k
        finished = [r for r in rs if r["status"] == "finished"]
        band = finished if len(finished) >= 2 else []
        if band:
            # Over the epochs all of them have.
            n_ep = min(len(r["history"]) for r in band)
            ep = [band[0]["history"][i]["epoch"] for i in range(n_ep)]
            per_ep = [[r["history"][i][key] for r in band] for i in range(n_ep)]
            ax.plot(ep, [mean(p) for p in per_ep], color=color, lw=1.5, label="%s (mean of %d seeds, min-max band)" % (v, len(band)))
            ax.fill_between(ep, [min(p) for p in per_ep], [max(p) for p in per_ep], color=color, alpha=0.2, lw=0)
        for r in rs:
            if r in band:
                continue
            ep = [h["epoch"] for h in r["history"]]
            ys = [h[key] for h in r["history"]]
            unfinished = r["status"] != "finished"
            status = " (%s, %d/%d)" % (r["status"].split(":")[0], r["epochs_done"], r["epochs"]) if unfinished else ""
            ax.plot(ep, ys, color=color, lw=1.0 if unfinished else 1.4, ls=":" if unfinished else "-",
                    label="%s seed %d%s" % (v, r["seed"], status))
        lows += [h[key] for r in rs for h in r["history"][len(r["history"]) // 4:]]
    return lows


def plot_curves(arch, profile, by_variant, out):
    # Test top-1, and training top-1 beside it where the runs logged it: how well each variant
    # fits, next to how well it generalizes.
    has_train = any("train_top1" in h for v in by_variant for r, _ in by_variant[v] for h in r["history"])
    panels = [("test_top1", "test top-1 (%)")] + ([("train_top1", "training top-1 (%), augmented, during the epoch")] if has_train else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 4.8), squeeze=False)
    for ax, (key, ylabel) in zip(axes[0], panels):
        lows = draw_curves(ax, key, by_variant)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_ylim(max(0, min(lows) - 5) if lows else 0, 100)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    what = "test and training top-1" if has_train else "test top-1"
    fig.suptitle("%s, profile %s: %s per epoch\n%s" % (arch, profile, what, dataset_label(by_variant)), fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "curves-%s-%s.png" % (arch, profile))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sparsity(arch, profile, by_variant, out):
    variants = [v for v in variants_sorted(by_variant) if not full_precision(by_variant[v])]
    finished = {v: [r for r, _ in by_variant[v] if r.get("sparsity") and r["status"] == "finished"] for v in variants}
    variants = [v for v in variants if finished[v]]
    if not variants:
        return None
    layers = [l["name"] for l in finished[variants[0]][0]["sparsity"]["layers"]]
    fig, ax = plt.subplots(figsize=(max(7, 0.45 * len(layers)), 4.5))
    width = 0.8 / len(variants)
    for k, v in enumerate(variants):
        r = finished[v][0]
        vals = [100 * (layer_first_term_zeros(l) or 0) for l in r["sparsity"]["layers"]]
        ax.bar([i + k * width for i in range(len(vals))], vals, width, label="%s seed %d (MAC-weighted %.1f %%)" % (
            v, r["seed"], 100 * (first_term_zeros(r["sparsity"]) or 0)))
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(layers))])
    ax.set_xticklabels(layers, rotation=70, fontsize=7)
    ax.set_ylabel("zero codes of the first term (%)")
    ax.set_title("%s, profile %s: per-layer zero fraction of the ternary codes (first term), final epoch" % (
        arch, profile), fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out, "sparsity-%s-%s.png" % (arch, profile))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_accuracy_vs_compression(profile, runs, out):
    """One point per (arch, variant): mean final top-1 over the finished seeds, std as error bar;
    a legend instead of text labels, points at the same compression spread sideways, and the
    y range set by the rows near FP (a far-off row is drawn on the bottom edge, its value in the
    legend), so the ternary rows that matter stay apart and readable."""
    points = []
    for (arch, p), by_variant in sorted(runs.items()):
        if p != profile:
            continue
        for v in variants_sorted(by_variant):
            fin = [r for r, _ in by_variant[v] if r["status"] == "finished"]
            if fin:
                top1 = [r["final"]["top1"] for r in fin]
                comp = mean([r["footprint"]["weight_compression"] for r in fin])
                points.append((arch, v, comp, mean(top1), std(top1) if len(top1) > 1 else None, len(fin)))
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    markers = "osD^v<>pP*X"
    best = max(p[3] for p in points)
    lo = min([p[3] for p in points if p[3] >= best - 8] + [best - 3]) - 1.5
    groups = {}
    for p in points:
        groups.setdefault(round(p[2]), []).append(p)
    for k, (arch, v, comp, top1, err, n) in enumerate(points):
        g = groups[round(comp)]
        j = g.index((arch, v, comp, top1, err, n))
        x = comp * 2 ** (0.04 * (j - (len(g) - 1) / 2))
        off = top1 < lo
        ax.errorbar(x, max(top1, lo + 0.2), yerr=None if off else err, fmt="v" if off else markers[k % len(markers)],
                    color="C%d" % (k % 10), ms=7, capsize=4,
                    label="%s %s: %.2f%s (%d seed%s)%s" % (arch, v, top1, " ± %.2f" % err if err else "", n,
                                                         "s" if n > 1 else "", ", off scale" if off else ""))
    ax.set_ylim(lo, best + 1.5)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("weight compression vs FP32 (x, exact storage incl. scales; equal values spread sideways)")
    ax.set_ylabel("final-epoch test top-1 (%)")
    ax.set_title("Top-1 vs compression, profile %s (mean over seeds, error bar = std)" % profile, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    path = os.path.join(out, "accuracy-vs-compression-%s.png" % profile)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def threshold_history(run_dir):
    """[(epoch, [layer records])] from log.jsonl epoch events that carry per-layer thresholds."""
    path = os.path.join(run_dir, "log.jsonl")
    if not os.path.exists(path):
        return []
    hist = {}
    with open(path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            layers = e.get("sparsity") if e.get("event") == "epoch" else None
            if layers and any(l.get("threshold_over_std") is not None for l in layers):
                hist[e["epoch"]] = layers  # a resumed run may repeat an epoch: the last one wins
    return sorted(hist.items())


def plot_thresholds(arch, profile, v, r, run_dir, out):
    hist = threshold_history(run_dir)
    if len(hist) < 2:
        return None
    names = [l["name"] for l in hist[0][1] if l.get("threshold_over_std") is not None]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for k, name in enumerate(names):
        ep = [e for e, ls in hist]
        rec = [next(l for l in ls if l["name"] == name) for _, ls in hist]
        style = dict(color=plt.cm.viridis(k / max(1, len(names) - 1)), lw=1.6 if "fc" in name or k == 0 else 0.9)
        a1.plot(ep, [x["threshold_over_std"] for x in rec], label=name, **style)
        a2.plot(ep, [100 * layer_first_term_zeros(x) for x in rec], **style)
    a1.set_xlabel("epoch")
    a1.set_ylabel("threshold / std(W) (first term)")
    a2.set_xlabel("epoch")
    a2.set_ylabel("zero codes of the first term (%)")
    a1.grid(alpha=0.3)
    a2.grid(alpha=0.3)
    a1.legend(fontsize=6, ncol=2)
    fig.suptitle("%s %s, profile %s, seed %d: per-layer threshold and zero fraction per epoch" % (
        arch, v, profile, r["seed"]), fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "thresholds-%s-%s-%s-seed%d.png" % (arch, v, profile, r["seed"]))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profiles", nargs="+", default=["paper", "quick"])
    ap.add_argument("--methods", nargs="*", default=[], help="method order (the ternarizer registry's)")
    ap.add_argument("--stateful", nargs="*", default=[], help="methods with learned or fitted quantizer state")
    a = ap.parse_args()
    METHOD_ORDER[:] = a.methods
    STATEFUL[:] = a.stateful
    os.makedirs(a.out, exist_ok=True)
    runs = load_runs(a.runs, a.profiles)
    written = []
    for (arch, profile), by_variant in sorted(runs.items()):
        written.append(plot_curves(arch, profile, by_variant, a.out))
        written.append(plot_sparsity(arch, profile, by_variant, a.out))
        # Threshold trajectories of the methods with quantizer state of their own (TGA's learned
        # delta, TTQ's levels, LQ-Net's fitted levels), one plot per run that logged them.
        for v, rs in by_variant.items():
            for r, d in rs:
                if r["config"]["quantizer"]["method"] in STATEFUL:
                    written.append(plot_thresholds(arch, profile, v, r, d, a.out))
    for p in a.profiles:
        written.append(plot_accuracy_vs_compression(p, runs, a.out))
    written = [w for w in written if w]
    print("plots: %d written into %s" % (len(written), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
