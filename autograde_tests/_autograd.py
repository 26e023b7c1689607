"""Float64 torch references for layers built from matrix products (the recurrent topics), and the hints
that compare a student's output with the same model carrying a mistake.

A reference runs a torch model on the example's arrays, takes every gradient with torch autograd and
records, through a Tape, how large the terms are that each gradient sums; variants of the model
(a gate order, a detached path, a surrogate derivative) give the values that known mistakes produce.
Runs in the grading process only (never in the worker).
"""

from __future__ import annotations

import numpy as np
from grader.engine.lazy_modules import torch  # imported on first use

from grader.engine.checks import hint_if_close, hint_values_wanted, scale_of


class Tape:
    """Records the affine maps y = u W (+ b) of a model. After autograd, |u|ᵀ|dy| (summed over the
    steps that share W) is the size of the terms an element of dW adds up, |dy||W|ᵀ that of du and
    Σ|dy| that of db: rounding noise on an element that cancels to nearly 0 is of that size."""

    def __init__(self):
        self.records = []

    def affine(self, u, u_name: str | None, W, W_name: str, b=None, b_name: str | None = None):
        y = u @ W if b is None else u @ W + b
        self.records.append((u, u_name, W, W_name, b_name, y))
        return y

    def outputs(self):
        return [record[-1] for record in self.records]

    def scales(self, grads) -> dict[str, float]:
        sums, peaks = {}, {}
        for (u, u_name, W, W_name, b_name, _), dy in zip(self.records, grads):
            if dy is None:
                continue
            dy, u, W = dy.abs(), u.detach().abs(), W.detach().abs()
            sums[W_name] = sums.get(W_name, 0) + u.T @ dy
            if b_name:
                sums[b_name] = sums.get(b_name, 0) + dy.sum(dim=0)
            if u_name:
                peaks[u_name] = max(peaks.get(u_name, 0.0), float((dy @ W.T).max()))
        found = {name: float(total.max()) for name, total in sums.items()}
        for name, peak in peaks.items():
            found[name] = max(found.get(name, 0.0), peak)
        return {scale_of("d" + name): value for name, value in found.items()}


def _tensors(example: dict, inputs: tuple[str, ...]) -> dict:
    found = {name: torch.from_numpy(np.asarray(value)) if isinstance(value, np.ndarray) else value
             for name, value in example.items()}
    for name in inputs:
        found[name] = found[name].clone().requires_grad_()
    return found


def _run(example, model, inputs, outputs, upstream, prefix: str, with_scales: bool) -> dict:
    tensors, tape = _tensors(example, inputs), Tape()
    values = model(tensors, tape)
    found = {prefix + name: value.detach().numpy() for name, value in zip(outputs, values)}
    if upstream and all(name in example for name in upstream):
        used = [(value, torch.from_numpy(example[name])) for value, name in zip(values, upstream)]
        leaves = [tensors[name] for name in inputs]
        extra = tape.outputs() if with_scales else []
        grads = torch.autograd.grad([v for v, _ in used], leaves + extra, [g for _, g in used], allow_unused=True)
        for name, leaf, grad in zip(inputs, leaves, grads):
            found[prefix + "d" + name] = (torch.zeros_like(leaf) if grad is None else grad).numpy()
        if with_scales:  # inputs that enter no affine map (a cell state) sum no terms: no floor
            found.update({scale_of("d" + name): 0.0 for name in inputs} | tape.scales(grads[len(leaves):]))
    return found


def reference(example: dict, model, *, inputs: tuple[str, ...], outputs: tuple[str, ...],
              upstream: tuple[str, ...] = (), variants: dict | None = None) -> dict:
    """`model(tensors, tape)` returns the output tensors named `outputs`; with the upstream gradients
    (example keys `upstream`, one per output used) present, the gradient of every input in `inputs`
    is added as "d<input>", with its scale. Each variant (label -> model) adds its values as
    "<label>/<name>", for the hints (left out while shrinking: hint_values_wanted)."""
    found = _run(example, model, inputs, outputs, upstream, "", True)
    for label, variant in (variants or {}).items() if hint_values_wanted() else ():
        found.update(_run(example, variant, inputs, outputs, upstream, f"{label}/", False))
    return found


def hint_if_variant(text: str, output: str, label: str):
    """The hint applies when `output` equals the value the variant `label` of the model gives."""
    return hint_if_close(text, output, lambda example, expected: expected[f"{label}/{output}"])


def with_derivative(value, surrogate):
    """`value` forward, with the derivative of `surrogate` backward: models a wrong derivative."""
    return value.detach() + surrogate - surrogate.detach()
