"""Finding the smallest input on which a check fails, for the feedback (never for the verdict).

The verdict is decided on the planned inputs. Only when a check fails does hypothesis run the
property again, with the scenario's seed: it replays the planned inputs from the cache of outcomes
(no round trips) up to the smallest one that fails (the others count as passing there, so shrinking
starts as small as the plan allows), then shrinks it, one round trip to the worker per new input.
Shrinking is bounded in calls (and, as a safety net, seconds); at the bound it stops, with the
smallest failure seen so far.

The references of the inputs tried leave out what only hints read (hint_values); the input found
gets its full reference. A class run shares them (SharedReferences): students with the same mistake
shrink through the same inputs, and a reference is a pure function of its input, so sharing changes
how fast a report comes, never a byte of it.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from dataclasses import dataclass, field

from hypothesis import reject

from grader.engine import hint_values
from grader.engine.examples import PreparedScenario, example_key, reference_values, run_property
from grader.engine.spec import Exercise, Failure, Outcome, Scenario, Verify


@dataclass
class ShrinkBudget:
    """The call budget is what binds: it is deterministic, so the same submission gets the same
    counterexample on a busy machine. The seconds are only a safety net for very slow student code.
    A budget of 0 calls turns shrinking off: feedback then shows the first failing planned input.
    Shrinking starts from the smallest failing planned input, so 100 new inputs reach a small,
    readable one (150 before, from the first failing input; measured with the benchmark's failing class)."""

    calls: int = 100
    seconds: float = 120.0


@dataclass
class Counterexample:
    example: dict
    outcome: Outcome
    expected: dict
    failure: Failure


class SharedReferences:
    """References of the inputs shrinking tried, by scenario and input bytes, for every student of a
    run (threads share one; each grading process has its own). Bounded in entries: past `limit`
    new references are computed and not kept. Pickles empty (a process starts its own)."""

    def __init__(self, limit: int = 20_000):
        self.limit = limit
        self._found: dict[tuple[str, str, bytes, bool], dict] = {}
        self._lock = threading.Lock()

    def reference(self, exercise: Exercise, scenario: Scenario, example: dict, key: bytes, *,
                  for_hints: bool) -> dict:
        """The scenario's reference for `example` (whose example_key is `key`), with the values only
        hints read if `for_hints` (hint_values); raises what the reference raises."""
        entry = (exercise.name, scenario.name, key, for_hints)
        with self._lock:
            found = self._found.get(entry)
        if found is None:
            with contextlib.nullcontext() if for_hints else hint_values.left_out():
                found = reference_values(scenario, example)  # outside this cache's lock
            with self._lock:
                if len(self._found) < self.limit:
                    found = self._found.setdefault(entry, found)
        return found

    def __len__(self) -> int:
        return len(self._found)

    def __getstate__(self):
        return {"limit": self.limit}

    def __setstate__(self, state):
        self.__init__(state["limit"])


class _Spent(BaseException):
    """Ends hypothesis's run at the budget. A BaseException, like KeyboardInterrupt: hypothesis lets it
    through instead of taking it for a failure of the property."""


@dataclass
class _State:
    budget: ShrinkBudget
    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    smallest: Counterexample | None = None

    def spent(self) -> bool:
        return self.calls >= self.budget.calls or time.monotonic() - self.started > self.budget.seconds


def shrink(exercise: Exercise, prepared: PreparedScenario, verify: Verify, *, start: bytes, cache: dict, run_one,
           budget: ShrinkBudget, references: SharedReferences) -> Counterexample | None:
    """The smallest input failing `verify` (a check's, or several checks' at once) that hypothesis
    finds from the planned input whose example_key is `start`, or None if it finds none (flaky
    student code). Hypothesis draws as it drew the plan's inputs of `prepared` (run_property).

    `cache` maps example keys to (outcome, expected), the planned inputs' among them, and is
    extended; `run_one(example, expected)` returns an Outcome, or None when the worker broke (then
    shrinking stops).
    """
    scenario = prepared.scenario
    state = _State(budget)
    seen: set[bytes] = set()
    tried: set[bytes] = set()  # inputs whose reference was made here (for the checks only)

    def evaluate(example: dict) -> None:
        key = example_key(example)
        if state.smallest is None:  # replaying the plan: repeats are rejected there too (draw_examples)
            if key in seen:
                reject()
            seen.add(key)
            if key in cache and key != start:
                return  # a planned input other than the start passes here
        if key not in cache:
            if state.spent():
                raise _Spent
            try:  # what the checks read: the hints are judged on the input found, below
                expected = references.reference(exercise, scenario, example, key, for_hints=False)
            except Exception:  # an input our reference rejects is no counterexample
                return
            tried.add(key)
            state.calls += 1
            outcome = run_one(example, expected)
            if outcome is None:
                raise _Spent
            cache[key] = (outcome, expected)
        outcome, expected = cache[key]
        failure = verify(example, outcome, expected)
        if failure is not None:
            state.smallest = Counterexample(copy.deepcopy(example), outcome, expected, failure)
            raise AssertionError(failure.summary)

    try:
        run_property(scenario, evaluate, seed=prepared.seed)
    except (Exception, _Spent):  # the failure we raised, the budget, or hypothesis giving up on flaky code
        pass
    found = state.smallest
    if found is not None and (key := example_key(found.example)) in tried:  # not a planned input: made in full
        found.expected = references.reference(exercise, scenario, found.example, key, for_hints=True)
    return found
