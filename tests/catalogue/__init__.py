"""Catalogues of realistic student mistakes and correct alternative implementations, per topic.

Each topic module `tests/catalogue/<topic>.py` defines MISTAKES and ALTERNATIVES. A variant is the
reference solution `solutions/<topic>.py` with text replacements applied: the way a student's code
differs from the reference, written as the student would have written it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Variant:
    exercise: str
    what: str
    replace: tuple[tuple[str, str], ...]  # (old text, new text) pairs applied to the solution module
    loses: tuple[str, ...] = ()           # for a mistake: the checks meant to catch it
    hint: str | None = None               # for a mistake: text the feedback must contain

    @property
    def id(self) -> str:
        return f"{self.exercise}: {self.what}"

    def source(self, topic: str) -> str:
        text = (PROJECT / "solutions" / f"{topic}.py").read_text()
        for old, new in self.replace:
            if old not in text:
                raise AssertionError(f"{self.id}: the text to replace is not in solutions/{topic}.py: {old!r}")
            text = text.replace(old, new)
        return text


def mistake(exercise: str, what: str, *replace: tuple[str, str], loses, hint: str | None = None) -> Variant:
    return Variant(exercise, what, tuple(replace), tuple([loses] if isinstance(loses, str) else loses), hint)


def alternative(exercise: str, what: str, *replace: tuple[str, str]) -> Variant:
    return Variant(exercise, what, tuple(replace))


def topic_modules() -> dict:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        found[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return found
