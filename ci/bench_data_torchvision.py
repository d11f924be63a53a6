#!/usr/bin/env python3
"""The peer of `tnn bench-data`: a PyTorch DataLoader over torchvision's ImageFolder with the same
train transforms (RandomResizedCrop, RandomHorizontalFlip, ToTensor, Normalize with the ImageNet
mean/std), `--workers` worker processes, `--images` images drawn at random from DIR/train.
Prints the throughput as its last line: "<N> img/s". Needs Debian's python3-torchvision."""
import argparse
import os
import time

import torch
from torch.utils.data import DataLoader, RandomSampler
from torchvision import datasets, transforms


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="ImageFolder root holding train/")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--crop", type=int, default=224)
    p.add_argument("--images", type=int, default=1024)
    a = p.parse_args()
    tf = transforms.Compose([
        transforms.RandomResizedCrop(a.crop),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    ds = datasets.ImageFolder(os.path.join(a.data, "train"), tf)
    n = min(a.images, len(ds))
    sampler = RandomSampler(ds, num_samples=n, generator=torch.Generator().manual_seed(1))
    # Timed from the loader's creation (worker start-up included, as the tnn loader's threads).
    t0 = time.perf_counter()
    loader = DataLoader(ds, batch_size=a.batch, sampler=sampler, num_workers=a.workers)
    seen = 0
    for x, _ in loader:
        seen += x.shape[0]
    dt = time.perf_counter() - t0
    print(f"{seen / dt:.1f} img/s")


if __name__ == "__main__":
    main()
