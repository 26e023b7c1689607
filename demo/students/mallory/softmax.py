"""Mallory tries everything: cheating the comparisons, crashing, hanging, and importing torch."""
import os
import numpy as np

np.allclose = lambda *args, **kwargs: True  # fools only her own process
np.testing.assert_allclose = lambda *args, **kwargs: None


def softmax(x):
    return np.zeros_like(x)


def softmax_loss_naive(W, X, y, reg):
    os._exit(0)


def softmax_loss_vectorized(W, X, y, reg):
    while True:
        pass


def softmax_loss(x, y):
    import torch
    t = torch.from_numpy(x).requires_grad_()
    loss = torch.nn.functional.cross_entropy(t, torch.from_numpy(y))
    loss.backward()
    return loss.item(), t.grad.numpy()
