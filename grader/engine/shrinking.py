"""Finding the smallest input on which a check fails, for the feedback (never for the verdict).

The verdict is decided on the planned inputs. Only when a check fails does hypothesis run the
property again, with the scenario's seed: it replays the planned inputs from the cache of outcomes
(no round trips) up to the failure, then shrinks it, one round trip to the worker per new input.
Shrinking is bounded in calls (and, as a safety net, seconds); past the bound, new inputs count as passing, so
hypothesis settles on the smallest failure seen so far.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

from hypothesis import reject

from grader.engine.examples import example_key, reference_values, run_property
from grader.engine.spec import Check, Exercise, Failure, Outcome, Scenario


@dataclass
class ShrinkBudget:
    """The call budget is what binds: it is deterministic, so the same submission gets the same
    counterexample on a busy machine. The seconds are only a safety net for very slow student code.
    A budget of 0 calls turns shrinking off: feedback then shows the first failing planned input."""

    calls: int = 150
    seconds: float = 120.0


@dataclass
class Counterexample:
    example: dict
    outcome: Outcome
    expected: dict
    failure: Failure


@dataclass
class _State:
    budget: ShrinkBudget
    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    stopped: bool = False
    smallest: Counterexample | None = None

    def spent(self) -> bool:
        elapsed = time.monotonic() - self.started
        return self.stopped or self.calls >= self.budget.calls or elapsed > self.budget.seconds


def shrink(exercise: Exercise, scenario: Scenario, check: Check, *, seed: int, cache: dict, run_one,
           budget: ShrinkBudget) -> Counterexample | None:
    """The smallest failing input hypothesis finds, or None if it finds none (flaky student code).

    `seed` is the one the scenario's planned inputs were drawn from. `cache` maps example keys to (outcome, expected) and is extended; `run_one(example)` returns an
    Outcome, or None when the worker broke (then shrinking stops).
    """
    state = _State(budget)
    seen: set[bytes] = set()

    def evaluate(example: dict) -> None:
        key = example_key(example)
        if state.smallest is None:  # replaying the plan: repeats are rejected there too (draw_examples)
            if key in seen:
                reject()
            seen.add(key)
        if key not in cache:
            if state.spent():
                return
            state.calls += 1
            outcome = run_one(example)
            if outcome is None:
                state.stopped = True
                return
            try:
                cache[key] = (outcome, reference_values(scenario, example))
            except Exception:  # an input our reference rejects is no counterexample
                return
        outcome, expected = cache[key]
        failure = check.verify(example, outcome, expected)
        if failure is not None:
            state.smallest = Counterexample(copy.deepcopy(example), outcome, expected, failure)
            raise AssertionError(failure.summary)

    try:
        run_property(scenario, evaluate, seed=seed)
    except Exception:  # the failure we raised, or hypothesis giving up on flaky code
        pass
    return state.smallest
