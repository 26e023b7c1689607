"""The plan on disk: each scenario's drawn inputs and torch references, kept between runs.

A scenario's inputs and references are a pure function of the exercise definitions and the pinned
versions of Python, hypothesis, numpy, torch and scipy, so a cache keyed by those can stand in for
drawing them: a self-check whose plan is cached draws nothing and never imports torch.

- Where: in disk_cache's folder, under plans/<key of the versions and definitions>/ (never inside
  a submission being graded: a student could otherwise ship the plan their code is judged on).
- What: one file per scenario, in the codec's plain-data format (never pickle: reading a cache
  builds only numbers, strings, lists, dicts and numeric arrays). A scenario is stored only if
  reading it back gives every input identical to the drawn one, byte for byte as pickled (the bytes
  examples.example_key hashes and the worker receives), and every reference equal in type and value.
- Safety: a missing, stale, corrupt or unreadable file is a miss (the scenario is drawn again and
  the file rewritten); files are written to a temporary name and renamed, so concurrent runs never
  read half a file.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.engine import disk_cache
from grader.isolation import codec


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
    """A value's types and contents, ignoring which parts are one shared object (references may
    share arrays; nothing pickles or hashes them)."""
    if isinstance(value, dict):
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, (np.ndarray, np.generic)):
        return pickle.dumps(value, protocol=4)
    return (type(value).__name__, repr(value))


@dataclass(frozen=True)
class PlanCache:
    """The cached scenarios of one set of exercise definitions and versions, in `folder`."""

    folder: Path

    def _path(self, exercise: str, index: int, scenario: str) -> Path:
        name = hashlib.sha256(f"{exercise}/{index}/{scenario}".encode()).hexdigest()[:24]
        return self.folder / f"{name}.plan"

    def load(self, exercise: str, index: int, scenario: str) -> tuple[tuple, tuple] | None:
        """(examples, expected) of the scenario, or None if not cached or not readable."""
        try:
            stored = _restore(codec.decode(self._path(exercise, index, scenario).read_bytes()))
            examples, expected = stored["examples"], stored["expected"]
            if stored["scenario"] != [exercise, index, scenario] or len(examples) != len(expected) \
                    or not all(isinstance(x, dict) for x in (*examples, *expected)):
                return None
            return tuple(examples), tuple(expected)
        except (OSError, codec.DecodeError, KeyError, TypeError, ValueError, RecursionError):
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
            disk_cache.write_atomically(self._path(exercise, index, scenario), data)


def default_cache(avoid=()) -> PlanCache | None:
    """The plan cache of the current definitions and versions, or None when it is turned off or lies
    inside one of the folders `avoid` (the submissions being graded)."""
    root = disk_cache.cache_root(avoid)
    if root is None:
        return None
    key = hashlib.sha256(json.dumps([disk_cache.versions(), disk_cache.content_digest()]).encode()).hexdigest()[:24]
    return PlanCache(root / "plans" / key)
