"""Whether a plan can be had at all: read from the shipped public plan or the user's cache, or drawn.

Drawing computes the references with torch, which a student's install (`pip install dlgrade`) does
not have: its self-checks read the shipped plan. When that plan does not cover what is asked (an
older or newer dlgrade than its content, another hypothesis version), the student is told in one
line to update dlgrade instead of getting a grader error for every check.
"""

from __future__ import annotations

import importlib.util

UPDATE = "pip install --upgrade dlgrade"


class PlanUnavailable(LookupError):
    """The plan is neither shipped nor cached, and torch is not installed to draw it."""


def can_draw() -> bool:
    return importlib.util.find_spec("torch") is not None


def missing_scenarios(exercises, *, include_hidden: bool, cache) -> list[str]:
    """'exercise/scenario' of each scenario make_plan would have to draw (neither layer of `cache` has it)."""
    from grader.engine.examples import planned_scenarios  # noqa: PLC0415  (imports hypothesis)

    return [f"{exercise.name}/{scenario.name}" for exercise in exercises
            for index, scenario in planned_scenarios(exercise, include_hidden=include_hidden)
            if cache is None or cache.load(exercise.name, index, scenario.name) is None]


def require_plan(exercises, *, include_hidden: bool, cache) -> None:
    """Raises PlanUnavailable (one line for the student) when the plan would have to be drawn without torch."""
    if can_draw():
        return
    missing = missing_scenarios(exercises, include_hidden=include_hidden, cache=cache)
    if missing:
        names = list(dict.fromkeys(name.split("/")[0] for name in missing))
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        raise PlanUnavailable(f"this dlgrade has no public plan for {shown} (its plans do not match its exercises or "
                              f"your hypothesis/numpy), and torch is not installed to draw one: update dlgrade "
                              f"({UPDATE})")
