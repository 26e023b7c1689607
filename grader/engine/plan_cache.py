"""The plan on disk: each scenario's drawn inputs and torch references, kept between runs and shipped.

A scenario's inputs and references are a pure function of the exercise definitions and the pinned
versions (disk_cache.versions), so a plan keyed by those can stand in for drawing them: a
self-check whose plan is on disk draws nothing and never imports torch.

- Where: two layers, read in this order (`default_cache`).
  1. The shipped plans, autograde_tests/plans/ in the package: every scenario of every exercise,
     drawn at release time by `make plans` (python -m grader.engine.shipped_plans), read-only, one
     zlib-compressed file per scenario and a manifest.json naming the content digest and versions
     they were drawn with. They are used only when both are the running install's; otherwise the
     whole layer is ignored. They come first because they are part of the install, checked by a
     test to be current and to equal a fresh draw, whereas the user's cache is writable by anything
     the user runs; and a self-check they cover writes nothing to the user's cache.
     DLGRADE_SHIPPED_PLANS=0 turns them off (to measure or test drawing).
  2. The user's cache: disk_cache's folder, under plans/<key of the versions and definitions>/.
     Scenarios the shipped plans lack (other versions, content changed since `make plans`) are
     drawn once and stored here.
  Secret inputs (a grading key's, inputs.py) have only the second layer, in secret-plans/<key id>-<key>/,
  private to the user (folders 0700, files 0600): they are never shipped.
  Neither is used when it lies inside a submission being graded: a student could otherwise ship
  the plan their code is judged on.
- What: one file per scenario, in the codec's plain-data format (never pickle: reading a plan
  builds only numbers, strings, lists, dicts and numeric arrays). A scenario is stored only if
  reading it back gives every input identical to the drawn one, byte for byte as pickled (the bytes
  examples.example_key hashes and the worker receives), and every reference equal in type and value.
- Safety: a missing, stale, corrupt or unreadable file is a miss (the scenario is drawn again and,
  in the user's cache, the file rewritten); files are written to a temporary name and renamed, so
  concurrent runs never read half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autograde_tests
from grader.engine import disk_cache
from grader.engine.inputs import PUBLIC, Inputs
from grader.isolation import codec

SHIPPED = Path(autograde_tests.__file__).resolve().parent / "plans"
MANIFEST = "manifest.json"
_SHIPPED_VARIABLE = "DLGRADE_SHIPPED_PLANS"


def _restore(value):
    """Decoded plain data back to what was encoded: numpy scalars were sent wrapped, and strings are
    interned, as the literals of the content that drew them are (pickle shares equal objects)."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, codec.NumpyScalar):
        return value.value[()]
    if isinstance(value, (codec.Unsupported, codec.ArraySubclass)):
        raise ValueError("not plain data")
    if isinstance(value, dict):
        return {_restore(k): _restore(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_restore(v) for v in value)
    return value


def _canonical(value):
    """A value's types and contents, ignoring which parts are one shared object and the memory
    order of arrays (references may share arrays, and torch hands some back transposed, in Fortran
    order; nothing pickles or hashes them)."""
    if isinstance(value, dict):
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, (np.ndarray, np.generic)):
        return (type(value).__name__, value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
    return (type(value).__name__, repr(value))


@dataclass(frozen=True)
class PlanCache:
    """The scenarios of one set of exercise definitions and versions, in `folder` (compressed with
    zlib when `compressed`: the shipped plans)."""

    folder: Path
    compressed: bool = False
    private: bool = False  # a secret plan: its folders are the user's alone (0700; files are 0600)

    def _path(self, exercise: str, index: int, scenario: str) -> Path:
        name = hashlib.sha256(f"{exercise}/{index}/{scenario}".encode()).hexdigest()[:24]
        return self.folder / (f"{name}.plan.z" if self.compressed else f"{name}.plan")

    def load(self, exercise: str, index: int, scenario: str) -> tuple[tuple, tuple] | None:
        """(examples, expected) of the scenario, or None if not stored or not readable."""
        try:
            data = self._path(exercise, index, scenario).read_bytes()
            stored = _restore(codec.decode(zlib.decompress(data) if self.compressed else data))
            examples, expected = stored["examples"], stored["expected"]
            if stored["scenario"] != [exercise, index, scenario] or len(examples) != len(expected) \
                    or not all(isinstance(x, dict) for x in (*examples, *expected)):
                return None
            return tuple(examples), tuple(expected)
        except (OSError, zlib.error, codec.DecodeError, KeyError, TypeError, ValueError, RecursionError):
            return None

    def store(self, exercise: str, index: int, scenario: str, examples, expected) -> None:
        record = {"scenario": [exercise, index, scenario], "examples": list(examples), "expected": list(expected)}
        data = codec.encode(record)
        try:
            back = _restore(codec.decode(data))
        except (codec.DecodeError, ValueError):
            return
        if all(pickle.dumps(a, protocol=4) == pickle.dumps(b, protocol=4) for a, b in zip(examples, back["examples"])) \
                and all(_canonical(a) == _canonical(b) for a, b in zip(expected, back["expected"])):
            if self.private and not disk_cache.private_folder(self.folder):
                return
            disk_cache.write_atomically(self._path(exercise, index, scenario),
                                        zlib.compress(data, 9) if self.compressed else data)


@dataclass(frozen=True)
class PlanLayers:
    """The shipped plans, read first, then the user's cache, where what was drawn is stored."""

    shipped: PlanCache | None
    user: PlanCache | None

    def load(self, exercise: str, index: int, scenario: str) -> tuple[tuple, tuple] | None:
        for layer in (self.shipped, self.user):
            found = layer.load(exercise, index, scenario) if layer else None
            if found is not None:
                return found
        return None

    def store(self, exercise: str, index: int, scenario: str, examples, expected) -> None:
        if self.user:
            self.user.store(exercise, index, scenario, examples, expected)


def manifest(content: str, versions: list[str]) -> dict:
    """What a plan is keyed by: the definitions' digest and the versions it was drawn with."""
    return {"content_digest": content, "versions": versions}


def shipped_plans(key: dict, folder: Path = SHIPPED, avoid=()) -> PlanCache | None:
    """The shipped plans in `folder` if its manifest is `key`, else None (also when turned off or
    inside one of `avoid`)."""
    if os.environ.get(_SHIPPED_VARIABLE) == "0" or any(disk_cache.inside(folder, Path(f).resolve()) for f in avoid):
        return None
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return PlanCache(folder, compressed=True) if found == key else None


def default_cache(avoid=(), inputs: Inputs = PUBLIC) -> PlanLayers | None:
    """The plans of `inputs` for the current definitions and versions, or None when none can be
    used (turned off, or inside one of the folders `avoid`: the submissions being graded).

    Public inputs: the shipped plans, then the user's cache. Secret inputs: the user's cache only,
    in a folder named by the key id and private to the user; they are never shipped."""
    versions, content = disk_cache.versions(), disk_cache.content_digest()
    shipped = shipped_plans(manifest(content, versions), avoid=avoid) if inputs.key is None else None
    root = disk_cache.cache_root(avoid)
    user = None
    if root is not None:
        key = hashlib.sha256(json.dumps([versions, content]).encode()).hexdigest()[:24]
        user = PlanCache(root / "plans" / key) if inputs.key is None else \
            PlanCache(root / "secret-plans" / f"{inputs.key_id}-{key}", private=True)
    return PlanLayers(shipped, user) if shipped or user else None
