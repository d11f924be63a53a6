"""The ternarizers of ternary-bench from PyTorch (docs/pytorch.md).

    import torch, tnn_torch
    tnn_torch.load("build/release/python/libtnn_torch_ops.so")
    w_t = tnn_torch.ternarize(w, "wacv19", terms=2)        # differentiable w.r.t. w
    q = tnn_torch.Ternarizer("ttq", threshold=0.05)          # persistent, with learned state
    y = torch.nn.functional.conv2d(x, q(w))
    opt = torch.optim.SGD([w] + q.parameters(), lr=0.1)    # W_p, W_n trained with w

Parameters are the method's (`tnn methods` lists them); they travel to C++ as JSON.
"""
import json

import torch


def load(path):
    """Loads the extension (libtnn_torch_ops.so) into torch.ops.tnn / torch.classes.tnn."""
    torch.ops.load_library(path)


def methods():
    """Registered method names, in the registry's order."""
    return list(torch.ops.tnn.methods())


def ternarize(weight, method, **params):
    """Effective weight of `method` on `weight`, with the method's initial quantizer state
    derived from `weight` (as `tnn ternarize`); gradients flow to `weight`."""
    return torch.ops.tnn.ternarize(weight, method, json.dumps(params))


class Ternarizer:
    """A ternarizer that keeps its state across calls (TTQ's W_p/W_n, TGA's delta, LQ-Net's
    levels): call init_from_weight(w) once, then q(w) in every forward pass. parameters() are its
    own learned tensors, to be given to an optimizer next to the weights."""

    def __init__(self, method, **params):
        self.impl = torch.classes.tnn.Ternarizer(method, json.dumps(params))

    def __call__(self, weight):
        return self.impl.forward(weight)

    def init_from_weight(self, weight):
        self.impl.init_from_weight(weight)

    def parameters(self):
        return list(self.impl.parameters())

    def train(self, mode=True):
        self.impl.train(mode)

    def decompose(self, weight):
        """[(codes, scale_pos, scale_neg), ...], one tuple per ternary term."""
        flat = self.impl.decompose(weight)
        return [tuple(flat[i:i + 3]) for i in range(0, len(flat), 3)]
