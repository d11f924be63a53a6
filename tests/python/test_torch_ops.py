#!/usr/bin/env python3
"""CTest python/torch-ops: the PyTorch extension (python/tnn_ops.cpp) against the C++ CLI.

For every registered method, torch.ops.tnn.ternarize's forward and backward on a random tensor
equal `tnn ternarize --grad-output` on the same tensors; then a tiny model with ternarized
weights trains for a few steps from Python (loss goes down), and the persistent
torch.classes.tnn.Ternarizer trains TTQ's W_p/W_n and TGA's delta with a Python optimizer.

usage: test_torch_ops.py EXTENSION.so TNN_CLI
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tnn_torch  # noqa: E402


def check_close(what, got, want, rtol=1e-5, atol=1e-7):
    if got.shape != want.shape or not torch.allclose(got, want, rtol=rtol, atol=atol):
        diff = (got - want).abs().max().item() if got.shape == want.shape else "shape"
        sys.exit("FAIL %s: Python op and C++ CLI differ (max |diff| %s)" % (what, diff))


def forward_backward_match_cli(cli, tmp):
    torch.manual_seed(1)
    w = torch.randn(16, 4, 3, 3) * 0.2
    g = torch.randn(16, 4, 3, 3)
    np.save(os.path.join(tmp, "w.npy"), w.numpy())
    np.save(os.path.join(tmp, "g.npy"), g.numpy())
    for m in tnn_torch.methods():
        wp = w.clone().requires_grad_(True)
        wt = tnn_torch.ternarize(wp, m)
        wt.backward(g)
        out, gin = os.path.join(tmp, m + "-wt.npy"), os.path.join(tmp, m + "-gw.npy")
        subprocess.run([cli, "--threads", "1", "ternarize", "--method", m, "--input", os.path.join(tmp, "w.npy"),
                        "--output", out, "--grad-output", os.path.join(tmp, "g.npy"), "--grad-input", gin],
                       check=True, stdout=subprocess.DEVNULL)
        check_close(m + " forward", wt.detach(), torch.from_numpy(np.load(out)))
        check_close(m + " backward", wp.grad, torch.from_numpy(np.load(gin)))
        print("ok  %-14s forward and backward equal tnn ternarize" % m)


def tiny_model_trains():
    """A 2-layer MLP with WACV'19-ternarized weights on a separable synthetic task."""
    torch.manual_seed(0)
    x = torch.randn(512, 16)
    y = (x @ torch.randn(16, 4)).argmax(1)
    w1 = (torch.randn(32, 16) * 0.25).requires_grad_(True)
    w2 = (torch.randn(4, 32) * 0.18).requires_grad_(True)
    opt = torch.optim.SGD([w1, w2], lr=0.05, momentum=0.9)

    def loss_fn():
        h = torch.relu(x @ tnn_torch.ternarize(w1, "wacv19").t())
        return torch.nn.functional.cross_entropy(h @ tnn_torch.ternarize(w2, "wacv19").t(), y)

    first = loss_fn().item()
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
    last = loss_fn().item()
    print("ok  tiny model, wacv19: loss %.3f -> %.3f in 30 steps" % (first, last))
    if not last < 0.8 * first:
        sys.exit("FAIL tiny model: the loss did not go down (%.3f -> %.3f)" % (first, last))


def learned_state_trains(method, **params):
    torch.manual_seed(2)
    w = (torch.randn(8, 8) * 0.3).requires_grad_(True)
    q = tnn_torch.Ternarizer(method, **params)
    q.init_from_weight(w)
    own = q.parameters()
    before = [p.detach().clone() for p in own]
    opt = torch.optim.SGD([w] + own, lr=0.05)
    target = torch.randn(8, 8) * 0.3
    for _ in range(5):
        opt.zero_grad()
        ((q(w) - target) ** 2).mean().backward()
        opt.step()
    if not own or any(p.grad is None for p in own):
        sys.exit("FAIL %s: its own parameters got no gradient" % method)
    if all(torch.equal(b, p.detach()) for b, p in zip(before, own)):
        sys.exit("FAIL %s: its own parameters did not change" % method)
    print("ok  %s: own parameters %s trained from Python" % (method, [round(p.item(), 4) for p in own]))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tnn_torch.load(sys.argv[1])
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        forward_backward_match_cli(sys.argv[2], tmp)
    tiny_model_trains()
    learned_state_trains("ttq")
    learned_state_trains("tga", delta_grad_clamp=0.0)
    print("python/torch-ops: all checks passed (torch %s)" % torch.__version__)


if __name__ == "__main__":
    main()
