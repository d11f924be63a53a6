#!/usr/bin/env python3
"""The transforms against torchvision's (Debian python3-torchvision), run by CTest:
1. eval: the same images through `tnn preprocess --split val` and through torchvision's
   ImageFolder with Resize(256) + CenterCrop(224) + ToTensor + Normalize must give the same
   pixels, bit for bit before the normalisation (so pretrained torchvision weights see what they
   were evaluated with);
2. train with data.train_resize = torchvision: `tnn preprocess --split train --exact-train` lists
   each image's crop box and flip; torchvision's F.resized_crop(224) + hflip with that box must
   give the same pixels (the boxes themselves come from our own generator).
The images: the test folder's val split, its other JPEG encodings (progressive, 4:2:2, 4:4:4,
grayscale), a PNG named .JPEG and tiny JPEGs (1-70 px a side, upscaled by the resize); for train,
the test folder's train split. CMYK JPEGs are left out: PIL and OpenCV convert CMYK to RGB by
different formulas. Prints one JSON line per part with the counts and the largest differences."""
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
from torchvision.transforms import functional as F

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


def levels(x):
    """Our normalised [3, H, W] values back to 8-bit HWC levels (exact: the error is far below
    half a level)."""
    return np.rint(x.transpose(1, 2, 0).astype(np.float64) * STD * 255 + MEAN * 255).astype(np.int64)


def preprocess(tnn, data, split, out_dir, *flags):
    x_path, list_path = os.path.join(out_dir, f"{split}.npy"), os.path.join(out_dir, f"{split}.json")
    r = subprocess.run([tnn, "preprocess", "--data", data, "--split", split, "--limit", "1000",
                        "--out", x_path, "--list", list_path, *flags], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAILED: tnn preprocess --split {split}\n{r.stdout}\n{r.stderr}")
    return np.load(x_path), json.load(open(list_path))["images"]


def check_train(tnn, folder, work):
    ours, listed = preprocess(tnn, folder, "train", work, "--exact-train", "--seed", "3")
    worst, compared, flipped = 0, 0, 0
    for i, item in enumerate(listed):
        if "cmyk" in os.path.basename(item["path"]):
            continue
        x, y, w, h = (int(v) for v in item["crop"])
        img = F.resized_crop(Image.open(item["path"]).convert("RGB"), y, x, h, w, [224, 224],
                             transforms.InterpolationMode.BILINEAR)
        if item["flip"]:
            img = F.hflip(img)
            flipped += 1
        worst = max(worst, int(np.abs(levels(ours[i]) - np.asarray(img).astype(np.int64)).max()))
        compared += 1
    print(json.dumps({"part": "train", "images": compared, "flipped": flipped,
                      "max_abs_level_difference": worst}))
    return worst == 0 and compared > 40 and 0 < flipped < compared


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tnn", required=True)
    p.add_argument("--folder", required=True, help="the test folder of ci/make-imagefolder.py --odd")
    p.add_argument("--work", required=True)
    a = p.parse_args()
    build_folder(a.folder, a.work)
    ours, listed = preprocess(a.tnn, a.work, "val", a.work)

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
        diff = int(np.abs(levels(ours[i]) - want).max())
        worst_pixel = max(worst_pixel, diff)
        if diff:
            mismatched.append(os.path.basename(path))
        worst_value = max(worst_value, float(np.abs(norm(crop).numpy() - ours[i]).max()))
    print(json.dumps({"part": "eval", "images": len(listed), "max_abs_level_difference": worst_pixel,
                      "max_abs_normalised_difference": worst_value,
                      "mismatched": mismatched[:10]}))
    if worst_pixel != 0 or worst_value > 1e-5:
        sys.exit("FAILED: the eval transform differs from torchvision's")
    train_dir = os.path.join(a.work, "train-check")
    os.makedirs(train_dir, exist_ok=True)
    if not check_train(a.tnn, a.folder, train_dir):
        sys.exit("FAILED: the exact train resize differs from torchvision's resized_crop")


if __name__ == "__main__":
    main()
