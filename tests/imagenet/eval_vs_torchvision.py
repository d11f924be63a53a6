#!/usr/bin/env python3
"""The eval transform against torchvision's (Debian python3-torchvision), run by CTest: the same
images through `tnn preprocess --split val` and through torchvision's ImageFolder with
Resize(256) + CenterCrop(224) + ToTensor + Normalize must give the same pixels, bit for bit
before the normalisation (so pretrained torchvision weights see what they were evaluated with).
The images: the test folder's val split, its other JPEG encodings (progressive, 4:2:2, 4:4:4,
grayscale), a PNG named .JPEG and tiny JPEGs (1-70 px a side, upscaled by the resize).
CMYK JPEGs are left out: PIL and OpenCV convert CMYK to RGB by different formulas.
Prints one JSON line with the counts and the largest differences."""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image
from torchvision import datasets, transforms

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float64)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float64)


def build_folder(src, work):
    """work/val/<wnid>/...: the test folder's val split plus the extra encodings and sizes."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(src, "val"), os.path.join(work, "val"))
    os.makedirs(os.path.join(work, "train", "n00000001"))  # the layout needs a train/ split
    extra = os.path.join(work, "val", "n00000000_extra")
    os.makedirs(extra)
    meta = json.load(open(os.path.join(src, "tnn-imagefolder.json")))
    for kind, rel in meta["jpeg_variants"].items():
        shutil.copy(os.path.join(src, rel), os.path.join(extra, f"{kind}.JPEG"))
    shutil.copy(os.path.join(src, meta["odd_files"]["png_named_jpeg"]["path"]),
                os.path.join(extra, "png_named.JPEG"))
    rng = random.Random(5)
    for i in range(12):
        w, h = rng.randint(1, 70), rng.randint(1, 70)
        pixels = np.random.default_rng(i).integers(0, 256, (h, w, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(extra, f"tiny_{i}_{w}x{h}.JPEG"), quality=90,
                                     subsampling=rng.choice([0, 1, 2]), progressive=i % 2 == 1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tnn", required=True)
    p.add_argument("--folder", required=True, help="the test folder of ci/make-imagefolder.py --odd")
    p.add_argument("--work", required=True)
    a = p.parse_args()
    build_folder(a.folder, a.work)
    x_path, list_path = os.path.join(a.work, "x.npy"), os.path.join(a.work, "list.json")
    r = subprocess.run([a.tnn, "preprocess", "--data", a.work, "--split", "val", "--limit", "1000",
                        "--out", x_path, "--list", list_path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAILED: tnn preprocess\n{r.stdout}\n{r.stderr}")
    ours = np.load(x_path)
    listed = json.load(open(list_path))["images"]

    tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    norm = transforms.Compose([transforms.ToTensor(),
                               transforms.Normalize(MEAN.tolist(), STD.tolist())])
    ds = datasets.ImageFolder(os.path.join(a.work, "val"))
    if len(ds.samples) != len(listed) or ours.shape[0] != len(listed):
        sys.exit(f"FAILED: {len(ds.samples)} images in torchvision's ImageFolder, "
                 f"{len(listed)} listed, {ours.shape[0]} in the batch")
    worst_pixel, worst_value, mismatched = 0, 0.0, []
    for i, ((path, label), mine) in enumerate(zip(ds.samples, listed)):
        if os.path.realpath(path) != os.path.realpath(mine["path"]) or label != mine["label"]:
            sys.exit(f"FAILED: image {i}: torchvision has {path} (label {label}), "
                     f"tnn {mine['path']} (label {mine['label']})")
        crop = tf(Image.open(path).convert("RGB"))
        want = np.asarray(crop).astype(np.int64)  # HWC uint8
        # Our normalised values back to 8-bit levels: exact, the error is far below half a level.
        got = np.rint(ours[i].transpose(1, 2, 0).astype(np.float64) * STD * 255 + MEAN * 255)
        diff = int(np.abs(got.astype(np.int64) - want).max())
        worst_pixel = max(worst_pixel, diff)
        if diff:
            mismatched.append(os.path.basename(path))
        worst_value = max(worst_value, float(np.abs(norm(crop).numpy() - ours[i]).max()))
    print(json.dumps({"images": len(listed), "max_abs_level_difference": worst_pixel,
                      "max_abs_normalised_difference": worst_value,
                      "mismatched": mismatched[:10]}))
    if worst_pixel != 0 or worst_value > 1e-5:
        sys.exit("FAILED: the eval transform differs from torchvision's")


if __name__ == "__main__":
    main()
