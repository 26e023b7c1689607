"""Drawing each scenario's inputs with hypothesis, once, and computing their references, once.

Grading is derandomized: every scenario has its own fixed seed (public, or from the instructor's
grading key: inputs.Inputs), so its inputs are the same on every run, for every student. A class run
therefore draws them and computes the torch references a single time (a Plan) and replays them for
each submission; hypothesis runs again, with the same seed and so
the same inputs, only to shrink a failure. Plans are shipped in the package and kept on disk between
runs (plan_cache).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import pickle
from dataclasses import dataclass, replace

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

from grader.engine.inputs import PUBLIC, Inputs
from grader.engine.lazy_modules import torch
from grader.engine.parsing import LOCK
from grader.engine import plan_cache
from grader.engine.plan_cache import PlanCache, PlanLayers
from grader.engine.spec import Exercise, Scenario


def hypothesis_settings(max_examples: int) -> settings:
    return settings(derandomize=True, database=None, deadline=None, max_examples=max_examples,
                    phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False, print_blob=False,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)


@contextlib.contextmanager
def _without_local_constants():
    """Hypothesis now and then draws a number found in the source of the modules imported from
    outside site-packages ("local" code, its private providers._get_local_constants). Those depend
    on what the process imported so far and on whether dlgrade runs from a checkout or a wheel: a
    bare make_plan and `dlgrade check` in one checkout drew 41 of the 211 scenarios differently, a
    checkout and a wheel nearly all. Without them a draw depends only on the seed, the strategy and
    hypothesis's (pinned) version, so a plan is a function of the content and versions, as the plan
    cache and the shipped plans assume. Hypothesis's own constants (0, 1, extremes...) stay."""
    saved = providers._get_local_constants
    providers._get_local_constants = Constants
    providers.CONSTANTS_CACHE.cache.clear()  # allowed constants computed with the local ones
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def run_property(scenario: Scenario, body, *, seed: int) -> None:
    """Run `body(example)` as a hypothesis property over the scenario's inputs, drawn from `seed`.

    Drawing and shrinking both go through here, so both see the same sequence of inputs. Runs hold
    the process-wide parsing.LOCK: hypothesis builds ASTs, which other threads may be doing too, and
    its local constants are turned off meanwhile (_without_local_constants).
    """

    @hypothesis.seed(seed)
    @hypothesis_settings(scenario.max_examples)
    @given(scenario.inputs)
    def scenario_property(example):
        body(example)

    with LOCK, _without_local_constants():
        scenario_property()


def example_key(example: dict) -> bytes:
    return hashlib.sha256(pickle.dumps(example, protocol=4)).digest()


def reference_values(scenario: Scenario, example: dict) -> dict:
    """The scenario's float64 torch reference for one input, computed on a private copy."""
    torch.set_num_threads(1)
    return scenario.reference(copy.deepcopy(example))


@dataclass(frozen=True)
class PreparedScenario:
    scenario: Scenario
    examples: tuple[dict, ...]
    expected: tuple[dict, ...]
    seed: int  # what drew the examples: shrinking draws from it again
    grader_error: str | None = None  # the reference failed: the scenario cannot be judged


@dataclass(frozen=True)
class Plan:
    """Every selected exercise with its scenarios' inputs and references, ready to replay."""

    exercises: tuple[Exercise, ...]
    scenarios: dict[str, tuple[PreparedScenario, ...]]
    include_hidden: bool
    inputs: str = PUBLIC.label  # Inputs.label: which inputs were drawn (never the key)
    # With secret inputs, the public plan of the same exercises: a check failed on the secret inputs
    # is tried on these too (grading.passes_public_only), to flag answers tuned to the self-check.
    public: Plan | None = None


def draw_examples(scenario: Scenario, *, seed: int) -> list[dict]:
    """The scenario's max_examples distinct inputs. Hypothesis may draw one input twice (two choice
    sequences, one value); a repeat is rejected, so it does not take the place of a new input."""
    drawn: dict[bytes, dict] = {}

    def keep(example):
        key = example_key(example)
        if key in drawn:
            reject()
        drawn[key] = copy.deepcopy(example)

    run_property(scenario, keep, seed=seed)
    return list(drawn.values())


def planned_scenarios(exercise: Exercise, *, include_hidden: bool) -> list[tuple[int, Scenario]]:
    """(index, scenario) of each scenario a plan holds: all of them, or those with a visible check."""
    return [(index, scenario) for index, scenario in enumerate(exercise.scenarios)
            if include_hidden or not all(check.hidden for check in scenario.checks)]


def make_plan(exercises, *, include_hidden: bool, cache: PlanCache | PlanLayers | None = None,
              inputs: Inputs = PUBLIC) -> Plan:
    """The plan of `exercises` on `inputs`; with a `cache` (which must hold plans of the same
    inputs), scenarios found there are read, not drawn, and the others are drawn and stored."""
    prepared = {}
    for exercise in exercises:
        scenarios = []
        for index, scenario in planned_scenarios(exercise, include_hidden=include_hidden):
            seed = inputs.seed(exercise.name, scenario.name)
            cached = cache.load(exercise.name, index, scenario.name) if cache else None
            if cached is None:
                examples = draw_examples(scenario, seed=seed)
                try:
                    expected = [reference_values(scenario, ex) for ex in examples]
                except Exception as exc:  # the grader's own content: its checks fail as grader errors
                    scenarios.append(PreparedScenario(scenario, (), (), seed, f"the reference of {exercise.name}, scenario "
                                                                        f"{scenario.name!r}, raised {type(exc).__name__}: {exc}"))
                    continue
                if cache:
                    cache.store(exercise.name, index, scenario.name, examples, expected)
            else:
                examples, expected = cached
            scenarios.append(PreparedScenario(scenario, tuple(examples), tuple(expected), seed))
        prepared[exercise.name] = tuple(scenarios)
    return Plan(tuple(exercises), prepared, include_hidden, inputs.label)


def grading_plan(exercises, *, inputs: Inputs, avoid=()) -> Plan:
    """What an instructor grades on: every check, hidden ones too, on `inputs`, read from or stored
    in the plan cache (never one inside `avoid`: the submissions). Secret inputs carry the public
    plan along (Plan.public), which is shipped and so costs nothing to read."""
    plan = make_plan(exercises, include_hidden=True, cache=plan_cache.default_cache(avoid=avoid, inputs=inputs),
                     inputs=inputs)
    if inputs.key is None:
        return plan
    public = make_plan(exercises, include_hidden=True, cache=plan_cache.default_cache(avoid=avoid))
    return replace(plan, public=public)
