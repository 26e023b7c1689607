"""Frank copied carol's file too, then renamed every variable and reworded the comments to hide it."""
import numpy as np


def softmax(scores):
    # exponentiate, then normalize each row
    exps = np.exp(scores)
    return exps / np.sum(exps, axis=1, keepdims=True)


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    probs = softmax(X.dot(W))
    data_loss = -np.mean(np.log(probs[range(num_train), y])) + reg * np.sum(W ** 2)
    probs[range(num_train), y] -= 1
    return data_loss, X.T.dot(probs) / num_train + reg * W


def softmax_loss(logits, labels):
    probs = softmax(logits)
    count = logits.shape[0]
    total = -np.sum(np.log(probs[np.arange(count), labels])) / count
    probs[np.arange(count), labels] -= 1
    return total, probs / count
