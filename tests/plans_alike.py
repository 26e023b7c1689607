"""Two folders of shipped plans are the same plan: every input byte for byte, every reference within
1e-12 relative. References are torch's float64 results, and torch's kernels (SIMD paths, libm) may
round the last bit differently on another CPU, so references are never compared byte for byte."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path

import numpy as np

from grader.engine import plan_cache
from grader.isolation import codec

RTOL = 1e-12


def _decoded(path: Path) -> dict:
    return plan_cache._restore(codec.decode(zlib.decompress(path.read_bytes())))


def _close(a, b, where: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _close(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, np.generic, float)) and not isinstance(a, (bool, np.bool_)):
        x, y = np.asarray(a), np.asarray(b)
        assert type(a) is type(b) and x.dtype == y.dtype and x.shape == y.shape, where
        if x.dtype.kind in "fc":
            scale = max(float(np.max(np.abs(y[np.isfinite(y)]), initial=0.0)), np.finfo(np.float64).tiny)
            assert np.array_equal(np.isfinite(x), np.isfinite(y)) and np.array_equal(x[~np.isfinite(x)], y[~np.isfinite(y)], equal_nan=True), where
            assert np.all(np.abs(x[np.isfinite(x)] - y[np.isfinite(y)]) <= RTOL * scale), where
        else:
            assert np.array_equal(x, y), where
    else:
        assert type(a) is type(b) and a == b, where


def assert_same_plans(built: Path, shipped: Path, message: str = "") -> None:
    """Every scenario file in `built` is in `shipped` with the same inputs and references within RTOL;
    the manifests are identical."""
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(p.name for p in shipped.iterdir() if p.name in names), message
    assert (built / plan_cache.MANIFEST).read_bytes() == (shipped / plan_cache.MANIFEST).read_bytes(), message
    for name in names:
        if not name.endswith(".plan.z"):
            continue
        ours, theirs = _decoded(built / name), _decoded(shipped / name)
        assert ours["scenario"] == theirs["scenario"], message
        assert [pickle.dumps(x, protocol=4) for x in ours["examples"]] == \
            [pickle.dumps(x, protocol=4) for x in theirs["examples"]], f"{ours['scenario']}: inputs differ. {message}"
        _close(ours["expected"], theirs["expected"], f"{ours['scenario']} references")
