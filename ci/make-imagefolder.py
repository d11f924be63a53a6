#!/usr/bin/env python3
"""Builds a small ImageFolder tree in the ILSVRC-2012 layout (OUT/train/<wnid>/*.JPEG,
OUT/val/<wnid>/*.JPEG) from the CIFAR-10 binary files: real photos re-encoded as JPEG at
ImageNet-like sizes (160-500 px per side, both orientations, bicubic upscaling plus a little noise so
the files are not unrealistically smooth). With --odd it adds the odd files real ImageNet holds: a
grayscale JPEG, a CMYK JPEG, a PNG named .JPEG, and two unreadable ones (a truncated JPEG and a
non-image), and outside train/ and val/ the other JPEG encodings (progressive, 4:2:2, 4:4:4).
The wnids sort in the reverse of CIFAR-10's label order, so a loader that ignores the sorted-wnid
convention gets every label wrong. Writes OUT/tnn-imagefolder.json describing the tree.
Needs python3-numpy and python3-pil (Debian)."""
import argparse
import io
import json
import os
import random
import shutil

import numpy as np
from PIL import Image

CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def cifar_records(cifar_dir, files):
    for f in files:
        raw = np.fromfile(os.path.join(cifar_dir, f), dtype=np.uint8).reshape(-1, 3073)
        for rec in raw:
            yield int(rec[0]), rec[1:].reshape(3, 32, 32).transpose(1, 2, 0)


def photo(pixels, rng, lo, hi, noise):
    w, h = rng.randint(lo, hi), rng.randint(lo, hi)
    img = Image.fromarray(pixels).resize((w, h), Image.BICUBIC)
    if noise > 0:
        a = np.asarray(img).astype(np.float32)
        a += np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, a.shape)
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return img


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cifar", default=os.environ.get("TNN_DATA_DIR", ""), help="CIFAR-10 binary folder ($TNN_DATA_DIR)")
    p.add_argument("--out", required=True)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--train-per-class", type=int, default=8)
    p.add_argument("--val-per-class", type=int, default=3)
    p.add_argument("--min-size", type=int, default=160)
    p.add_argument("--max-size", type=int, default=500)
    p.add_argument("--quality", type=int, default=90)
    p.add_argument("--noise", type=float, default=6.0, help="std of the added pixel noise (0-255 scale)")
    p.add_argument("--odd", action="store_true", help="add the odd and the unreadable files")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if not os.path.isfile(os.path.join(a.cifar, "test_batch.bin")):
        raise SystemExit(f"make-imagefolder: {a.cifar!r} is not a CIFAR-10 binary folder (set --cifar or TNN_DATA_DIR)")
    if not 1 <= a.classes <= 10:
        raise SystemExit("make-imagefolder: --classes must be 1..10")
    rng = random.Random(a.seed)
    # Reverse sorted order: label c of the tree is CIFAR class classes-1-c.
    wnids = {c: "n%08d" % (1000000 * (10 - c) + 4242) for c in range(a.classes)}
    tmp = a.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    for split, files, per in (("train", ["data_batch_1.bin"], a.train_per_class), ("val", ["test_batch.bin"], a.val_per_class)):
        have = {c: 0 for c in range(a.classes)}
        for c in range(a.classes):
            os.makedirs(os.path.join(tmp, split, wnids[c]))
        for i, (label, px) in enumerate(cifar_records(a.cifar, files)):
            if label >= a.classes or have[label] >= per:
                if all(v >= per for v in have.values()):
                    break
                continue
            have[label] += 1
            name = os.path.join(tmp, split, wnids[label], f"{wnids[label]}_{i}.JPEG")
            photo(px, rng, a.min_size, a.max_size, a.noise).save(name, "JPEG", quality=a.quality)
        counts[split] = sum(have.values())
    odd, variants = {}, {}
    if a.odd:
        recs = cifar_records(a.cifar, ["data_batch_2.bin"])
        def sample(kind, split="train"):
            label, px = next(recs)
            while label >= a.classes:
                label, px = next(recs)
            rel = os.path.join(split, wnids[label], f"odd_{kind}.JPEG")
            odd[kind if split == "train" else kind + "_" + split] = {"path": rel, "label": a.classes - 1 - label}
            return os.path.join(tmp, rel), photo(px, rng, a.min_size, a.max_size, a.noise)
        path, img = sample("grayscale")
        img.convert("L").save(path, "JPEG", quality=a.quality)
        path, img = sample("cmyk")
        img.convert("CMYK").save(path, "JPEG", quality=a.quality)
        path, img = sample("png_named_jpeg")
        img.save(path, "PNG")
        path, img = sample("truncated")
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=a.quality)
        with open(path, "wb") as f:
            f.write(buf.getvalue()[: len(buf.getvalue()) * 6 // 10])
        path, _ = sample("not_an_image")
        with open(path, "wb") as f:
            f.write(b"this is not an image, only named like one\n" * 10)
        path, img = sample("grayscale", "val")
        img.convert("L").save(path, "JPEG", quality=a.quality)
        # JPEG encodings ImageNet's files use besides baseline 4:2:0, outside train/ and val/ (the
        # split counts stay as they are): for the decoder tests only.
        os.makedirs(os.path.join(tmp, "variants"))
        for kind, mode, options in (("progressive_420", "RGB", {"progressive": True, "subsampling": 2}),
                                    ("progressive_444", "RGB", {"progressive": True, "subsampling": 0}),
                                    ("baseline_422", "RGB", {"subsampling": 1}),
                                    ("baseline_444", "RGB", {"subsampling": 0}),
                                    ("progressive_gray", "L", {"progressive": True})):
            label, px = next(recs)
            rel = os.path.join("variants", f"{kind}.JPEG")
            photo(px, rng, a.min_size, a.max_size, a.noise).convert(mode).save(
                os.path.join(tmp, rel), "JPEG", quality=a.quality, **options)
            variants[kind] = rel
    meta = {
        "dataset": "ImageFolder test set (not ImageNet)",
        "variant": "cifar10-jpeg-imagefolder",
        "label": "CIFAR-10 images as an ImageNet-layout JPEG folder (test set, not ImageNet)",
        "source": os.path.abspath(a.cifar),
        "classes": {wnids[c]: CIFAR_NAMES[c] for c in range(a.classes)},
        "images": counts,
        "sizes": [a.min_size, a.max_size],
        "jpeg_quality": a.quality,
        "odd_files": odd,
        "unreadable": [odd[k]["path"] for k in ("truncated", "not_an_image") if k in odd],
        "jpeg_variants": variants,
    }
    with open(os.path.join(tmp, "tnn-imagefolder.json"), "w") as f:
        json.dump(meta, f, indent=2)
    shutil.rmtree(a.out, ignore_errors=True)
    os.rename(tmp, a.out)
    print(f"make-imagefolder: {a.out}: {counts['train']} train + {counts['val']} val images, {a.classes} classes"
          + (f", {len(odd)} odd files" if odd else ""))


if __name__ == "__main__":
    main()
