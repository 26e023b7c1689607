"""The vocabulary the graders' content (autograde_tests/) is written in.

An Exercise is a function or class of the contract. It is judged in Scenarios: a hypothesis strategy
of inputs, a driver that runs the student's code on one input inside the worker, and a float64 torch
reference computed in the grading process. Each Check of a scenario looks at one aspect of every
outcome (a value, a gradient, an invariant) and carries its own points; StaticChecks read the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

from hypothesis.strategies import SearchStrategy


@dataclass(frozen=True)
class Failure:
    """Why one outcome fails a check: a one-line summary and optional detail lines."""

    summary: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What came back from the worker for one input.

    `outputs` are the student's return values by name (validated against the contract), `raw` is the
    driver's whole reply, `error` explains an exception or a malformed return (outputs then empty),
    `problems` explains, by name, returned parts that are not what the contract says.
    """

    outputs: dict[str, Any]
    raw: dict[str, Any]
    error: str | None = None
    problems: dict[str, str] = field(default_factory=dict)  # outputs of the wrong type or shape
    grader_error: str | None = None  # the grader could not run this input (its driver was not found...)


# verify(example, outcome, expected) -> Failure | None
Verify = Callable[[dict, Outcome, dict], "Failure | None"]


@dataclass(frozen=True)
class Hint:
    """A recognised mistake: `text` is shown when `applies(example, outcome, expected)` is true."""

    text: str
    applies: Callable[[dict, Outcome, dict], bool]
    about: str | None = None  # the output whose value it recognises, when it judges one


@dataclass(frozen=True)
class Check:
    """A scored property of every outcome of its scenario."""

    name: str
    points: float
    verify: Verify
    hints: tuple[Hint, ...] = ()
    hidden: bool = False
    # A conditional check (inputs not modified...) scores only once a non-conditional one passes:
    # code that returns nothing useful earns nothing for what it leaves alone.
    conditional: bool = False
    # A check whose verdict depends on other checks of the exercise (a stability check repeats no
    # failure the typical-inputs checks explain): given the names of the exercise's checks failed so
    # far, in report order, it returns the check to judge in its place. See checks.matches(typical=...).
    given: Callable[[frozenset[str]], "Check"] | None = None


@dataclass(frozen=True)
class Scenario:
    """A family of inputs, how to run the student's code on one, and what to expect.

    `inputs` draws dicts of keyword values. `driver(student, exercise, example, call)` runs in the
    worker and returns plain data; `call` is this scenario's `call` mapping, passed through.
    `reference(example)` returns the expected values by name; `returns` names the parts of the
    student's return value (a tuple of names for a tuple, one name for a single value).
    """

    name: str
    inputs: SearchStrategy
    reference: Callable[[dict], dict]
    checks: tuple[Check, ...]
    returns: tuple[str, ...] | str | None
    driver: Callable | None = None
    call: dict = field(default_factory=dict)
    max_examples: int = 30


@dataclass(frozen=True)
class StaticCheck:
    """A scored property of the exercise's source. `inspect(tree, source_info)` -> Failure | None.

    A `gate` check zeroes the whole exercise when it fails (forbidden imports). Static checks are
    conditional (see Check): a stub has no loops, and that is worth nothing.
    """

    name: str
    points: float
    inspect: Callable
    gate: bool = False
    hidden: bool = False
    conditional: bool = True


class Kind(str, Enum):
    """What the contract asks for: a function, or a class (built inside the worker by a driver)."""

    FUNCTION = "function"
    CLASS = "class"


@dataclass(frozen=True)
class Exercise:
    """One function or class of the contract, graded as a whole.

    `name` is the contract's (API.md) name, looked up in the submission; `topic` groups exercises
    (a notebook, a stub file, `dlgrade check <topic>`). The score is the sum of the points of the
    scenarios' checks and of the `static_checks` (which read the source: no loops, numpy only).
    """

    name: str
    topic: str
    scenarios: tuple[Scenario, ...]
    static_checks: tuple[StaticCheck, ...] = ()
    kind: Kind = Kind.FUNCTION

    def checks(self, *, include_hidden: bool) -> list[tuple[Scenario | None, Check | StaticCheck]]:
        """Every check of the exercise in report order, with the scenario it belongs to."""
        found = [(sc, ck) for sc in self.scenarios for ck in sc.checks]
        found += [(None, ck) for ck in self.static_checks]
        return [(sc, ck) for sc, ck in found if include_hidden or not ck.hidden]

    def max_points(self, *, include_hidden: bool) -> float:
        return float(sum(ck.points for _, ck in self.checks(include_hidden=include_hidden)))
