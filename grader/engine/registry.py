"""The one registry of exercises: every topic module in autograde_tests/ declares its EXERCISES.

The CLI, the self-check, the notebooks, the stubs and the project's own tests all read it from here.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType

import autograde_tests
from grader.engine.spec import Exercise


@functools.cache
def _content_modules() -> dict[str, ModuleType]:
    """Topic modules by dotted name (plus grader.isolation.drivers), imported once and kept.

    Workers resolve drivers through this map because they cannot import content after start-up.
    """
    modules = {"grader.isolation.drivers": importlib.import_module("grader.isolation.drivers")}
    # At any depth: a large topic may be a package, and topic drivers live in autograde_tests.drivers.
    for info in pkgutil.walk_packages(autograde_tests.__path__, prefix="autograde_tests."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            modules[info.name] = importlib.import_module(info.name)
    return modules


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


def topics() -> list[str]:
    return list(dict.fromkeys(ex.topic for ex in _exercises()))


def exercise(name: str) -> Exercise:
    for ex in _exercises():
        if ex.name == name:
            return ex
    raise KeyError(name)


class UnknownName(ValueError):
    pass


def select(names=()) -> list[Exercise]:
    """Exercises named by exercise or topic names, in registry order; all when `names` is empty."""
    if not names:
        return list(_exercises())
    known = {ex.name for ex in _exercises()} | set(topics())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownName(f"unknown exercise or topic: {', '.join(unknown)} (see `dlgrade list`)")
    wanted = set(names)
    return [ex for ex in _exercises() if ex.name in wanted or ex.topic in wanted]
