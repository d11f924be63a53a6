#!/usr/bin/env python3
"""Round trip with torchvision (Debian python3-torchvision), run by CTest:
1. random-init torchvision ResNet-18 and ResNet-50 (BN statistics made non-trivial by a few
   train-mode passes) saved as state_dicts, with their eval-mode logits on a fixed input;
2. `tnn import` + `tnn forward` must give the same logits (max abs difference <= 1e-4);
3. `tnn export` of the imported model, loaded into torchvision (strict key check), must reproduce
   our logits (<= 1e-4);
4. the same for ternary models made by `tnn import --method` (WACV'19 t_ex=2 with the REL bias
   multiplier on ResNet-18; TGA on ResNet-50): the exported effective weights reproduce our logits
   and sum(codes * scale) over the terms equals each exported effective weight.
Prints one JSON line per check with the max abs differences."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision

TOL = 1e-4


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def torchvision_logits(arch, state, x):
    m = getattr(torchvision.models, arch)()
    own = m.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        sys.exit(f"FAILED: exported state_dict lacks {missing[:5]}")
    m.load_state_dict({k: state[k] for k in own}, strict=True)
    m.eval()
    with torch.no_grad():
        return m(x).numpy()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tnn", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    torch.manual_seed(0)
    x = torch.randn(2, 3, 128, 128)  # any size works; 128 keeps CI short
    xf = os.path.join(a.work, "x.npy")
    np.save(xf, x.numpy())
    failed = False
    report = []
    for arch, method, params in (("resnet18", "wacv19", ["terms=2"]), ("resnet50", "tga", [])):
        torch.manual_seed(1)
        m = getattr(torchvision.models, arch)()
        m.train()
        with torch.no_grad():
            for _ in range(3):
                m(torch.randn(4, 3, 64, 64) * 2 + 0.5)  # running mean/var away from 0/1
        m.eval()
        pth = os.path.join(a.work, f"{arch}.pth")
        torch.save(m.state_dict(), pth)
        with torch.no_grad():
            ref = m(x).numpy()
        ck = os.path.join(a.work, f"{arch}.pt")
        run([a.tnn, "import", "--from", "torchvision", "--arch", arch, "--input", pth, "--output", ck])
        out = os.path.join(a.work, f"{arch}-logits.npy")
        run([a.tnn, "forward", "--checkpoint", ck, "--input", xf, "--output", out])
        ours = np.load(out)
        d_import = float(np.abs(ours - ref).max())
        exp = os.path.join(a.work, f"{arch}-export.pth")
        run([a.tnn, "export", "--checkpoint", ck, "--output", exp])
        d_export = float(np.abs(torchvision_logits(arch, torch.load(exp, weights_only=False), x) - ours).max())
        # A ternary model from the same weights (what an experiment's init_from does at the start).
        tck = os.path.join(a.work, f"{arch}-{method}.pt")
        cmd = [a.tnn, "import", "--from", "torchvision", "--arch", arch, "--input", pth, "--output", tck,
               "--method", method, "--first-last", "ternary"]
        for kv in params:
            cmd += ["--param", kv]
        run(cmd)
        tout = os.path.join(a.work, f"{arch}-{method}-logits.npy")
        run([a.tnn, "forward", "--checkpoint", tck, "--input", xf, "--output", tout])
        tours = np.load(tout)
        texp = os.path.join(a.work, f"{arch}-{method}-export.pth")
        run([a.tnn, "export", "--checkpoint", tck, "--output", texp])
        sd = torch.load(texp, weights_only=False)  # what `tnn export` tells users to call
        scale = max(1.0, float(np.abs(tours).max()))
        d_tern = float(np.abs(torchvision_logits(arch, sd, x) - tours).max())
        # Codes and scales rebuild the effective weights.
        d_codes = 0.0
        layers = [k[: -len(".weight_latent")] for k in sd if k.endswith(".weight_latent")]
        for layer in layers:
            terms = sorted({k.split(".ternary.")[1].split(".")[0] for k in sd if k.startswith(layer + ".ternary.")})
            w = torch.zeros_like(sd[layer + ".weight"])
            for t in terms:
                c = sd[f"{layer}.ternary.{t}.codes"].float()
                w += torch.where(c > 0, sd[f"{layer}.ternary.{t}.scale_pos"], -sd[f"{layer}.ternary.{t}.scale_neg"]) * c.abs()
            d_codes = max(d_codes, float((w - sd[layer + ".weight"]).abs().max()))
        row = {"arch": arch, "import_max_abs_diff": d_import, "export_max_abs_diff": d_export,
               "ternary_method": method, "ternary_export_max_abs_diff": d_tern, "ternary_logit_scale": scale,
               "codes_rebuild_max_abs_diff": d_codes, "ternarized_layers": len(layers),
               "tolerance": TOL}
        print(json.dumps(row))
        report.append(row)
        ok = d_import <= TOL and d_export <= TOL and d_tern <= TOL * scale and d_codes <= 1e-6 and len(layers) > 0
        if arch == "resnet50" and not any(k.endswith("quantizer.delta") for k in sd):
            print("FAILED: the TGA export has no quantizer.delta entries")
            ok = False
        if not ok:
            print(f"FAILED: {arch}: differences above tolerance")
            failed = True
    with open(os.path.join(a.work, "roundtrip.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "checks": report}, f, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
