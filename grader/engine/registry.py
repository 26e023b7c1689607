"""The one registry of exercises: every topic module in autograde_tests/ declares its EXERCISES.

The CLI, the self-check, the notebooks, the stubs and the project's own tests all read it from here.
`index()` lists names, topics and points from a cache on disk, so `dlgrade list` imports no content.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING

import autograde_tests
from grader.engine import disk_cache

if TYPE_CHECKING:  # spec imports hypothesis, which `dlgrade list` does without
    from grader.engine.spec import Exercise


@functools.cache
def content_module_names() -> tuple[str, ...]:
    """Dotted names of the topic modules (plus grader.isolation.drivers), found without importing them,
    so that the workers' forkserver can import them once, before it forks any worker."""
    names = ["grader.isolation.drivers"]
    # At any depth: a large topic may be a package, and topic drivers live in autograde_tests.drivers.
    for info in pkgutil.walk_packages(autograde_tests.__path__, prefix="autograde_tests."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return tuple(names)


@functools.cache
def _content_modules() -> dict[str, ModuleType]:
    """Topic modules by dotted name (plus grader.isolation.drivers), imported once and kept.

    Workers resolve drivers through this map because they cannot import content after start-up.
    """
    return {name: importlib.import_module(name) for name in content_module_names()}


def import_content() -> None:
    """Imports every content module now (a worker must, before its imports are blocked)."""
    _content_modules()


def content_module(name: str) -> ModuleType:
    return _content_modules()[name]


@functools.cache
def _exercises() -> tuple[Exercise, ...]:
    found = []
    for module in _content_modules().values():
        found.extend(getattr(module, "EXERCISES", ()))
    names = [ex.name for ex in found]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise RuntimeError(f"exercises declared twice: {sorted(duplicated)}")
    return tuple(found)


def all_exercises() -> tuple[Exercise, ...]:
    return _exercises()


def _entry(ex: Exercise) -> dict:
    return {"name": ex.name, "topic": ex.topic, "kind": ex.kind, "max_score": ex.max_points(include_hidden=True),
            "checks": [{"name": c.name, "points": c.points, "hidden": c.hidden} for _, c in ex.checks(include_hidden=True)]}


def _valid_index(entries) -> bool:
    return isinstance(entries, list) and all(
        isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("topic"), str)
        and isinstance(e.get("checks"), list) and "max_score" in e and "kind" in e
        and all(isinstance(c, dict) and {"name", "points", "hidden"} <= set(c) for c in e["checks"]) for e in entries)


def index() -> list[dict]:
    """Every exercise as plain data (name, topic, kind, max_score, checks with name, points, hidden),
    read from the cache when it is current (keyed by a hash of the content), else built and stored."""
    root = disk_cache.cache_root()
    path = root / "index" / f"{disk_cache.content_digest()}.json" if root else None
    if path is not None:
        try:
            entries = json.loads(path.read_text())
            if _valid_index(entries):
                return entries
        except (OSError, ValueError):
            pass
    entries = [_entry(ex) for ex in _exercises()]
    if path is not None:
        disk_cache.write_atomically(path, json.dumps(entries).encode())
    return entries


def topics() -> list[str]:
    return list(dict.fromkeys(ex.topic for ex in _exercises()))


def exercise(name: str) -> Exercise:
    for ex in _exercises():
        if ex.name == name:
            return ex
    raise KeyError(name)


class UnknownName(ValueError):
    pass


def _suggestion(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _matches(name: str, ex: Exercise) -> bool:
    """A topic name, an exercise name, or `topic:exercise` for the exercise alone (`softmax:softmax`)."""
    topic, colon, exercise_name = name.partition(":")
    return ex.topic == topic and ex.name == exercise_name if colon else name in (ex.name, ex.topic)


def select(names=()) -> list[Exercise]:
    """Exercises named by exercise or topic names, in registry order; all when `names` is empty.

    A name that is both a topic and an exercise means the topic; `topic:exercise` names the exercise."""
    if not names:
        return list(_exercises())
    for name in names:
        if not any(_matches(name, ex) for ex in _exercises()):
            known = list(dict.fromkeys([*topics(), *(ex.name for ex in _exercises()),
                                        *(f"{ex.topic}:{ex.name}" for ex in _exercises())]))
            raise UnknownName(f"unknown exercise or topic: {name}{_suggestion(name, known)} (see `dlgrade list`)")
    return [ex for ex in _exercises() if any(_matches(name, ex) for name in names)]
