"""Erin handed in carol's file as her own (the class report's similarity section should say so)."""
import numpy as np


def softmax(x):
    e = np.exp(x)
    return e / np.sum(e, axis=1, keepdims=True)


def softmax_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    p = softmax(X.dot(W))
    loss = -np.mean(np.log(p[range(n), y])) + reg * np.sum(W ** 2)
    p[range(n), y] -= 1
    return loss, X.T.dot(p) / n + reg * W


def softmax_loss(x, y):
    p = softmax(x)
    n = x.shape[0]
    loss = -np.sum(np.log(p[np.arange(n), y])) / n
    p[np.arange(n), y] -= 1
    return loss, p / n
