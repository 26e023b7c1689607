"""Grading one submission: run each exercise's planned inputs in the worker, judge, explain.

Everything that decides a grade happens here, in the grading process, from the plan's pristine inputs
and references and the plain data the worker sends back.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.engine import compare, feedback, limits, registry, statics
from grader.isolation.drivers import call_function
from grader.engine.fingerprints import output_fingerprint
from grader.engine.examples import Plan, PreparedScenario, example_key
from grader.engine.checks import failed_call
from grader.engine.outcomes import NotReturned, outcome_from_reply, readable
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, zero_checks
from grader.isolation.sandbox import LoadReport, Worker, WorkerFailure, start_worker
from grader.engine.shrinking import SharedReferences, ShrinkBudget, shrink
from grader.engine.spec import Exercise, Failure, StaticCheck
from grader.isolation import confine


LOG = logging.getLogger(__name__)


def grader_error(check, exercise: Exercise, fault: str) -> CheckResult:
    """A check the grader's own content could not judge: failed, marked, and logged on stderr (never
    reported as the student's error; the run goes on)."""
    LOG.error("grader error in %s, check %r: %s", exercise.name, check.name, fault)
    return CheckResult(check.name, False, 0.0, float(check.points), check.hidden,
                       f"grader error (not your fault; please tell your instructor): {fault}", grader_error=True)


@dataclass
class GradingStats:
    """Where grading time goes, for benchmarks: seconds inside the student's code, as the worker
    measured them. Never part of a result (it varies from run to run)."""

    student_seconds: float = 0.0
    round_trips: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, replies: list[dict]) -> None:
        seconds = sum(r["seconds"] for r in replies if isinstance(r.get("seconds"), float))
        with self.lock:
            self.student_seconds += seconds
            self.round_trips += 1


@dataclass(frozen=True)
class GradingOptions:
    timeout: float = limits.EXERCISE_SECONDS  # seconds per exercise (all its inputs)
    # Seconds to start a worker and import each module of the submission: generous, since a busy
    # machine slows the fork and numpy's first calls, and no grade depends on how fast that goes.
    import_timeout: float = 120.0
    shrink: ShrinkBudget = field(default_factory=ShrinkBudget)
    # Shared by every student graded with these options (a class run): see shrinking.SharedReferences.
    references: SharedReferences = field(default_factory=SharedReferences, compare=False)
    stats: GradingStats | None = None
    sandbox: str | None = None  # the confinement level of workers; None: the strongest (confine.level())


def driver_ref(driver) -> str:
    driver = driver or call_function
    return f"{driver.__module__}:{driver.__qualname__}"


class _Session:
    """A submission's worker, started on first use and again after a crash or a time-out."""

    def __init__(self, root: Path, names: list[str], options: GradingOptions, sources: statics.SubmissionSources):
        self.root, self.names, self.options, self.timeout = root, names, options, options.timeout
        self.sources = sources
        self.worker: Worker | None = None
        self.load: LoadReport | None = None
        self.chosen: dict[str, statics.Chosen] = {}

    def start(self) -> LoadReport:
        skip = self.load.skipped if self.load else None
        self.worker, load = start_worker(self.root, self.names, timeout=self.timeout,
                                         import_timeout=self.options.import_timeout, skip=skip,
                                         sandbox=self.options.sandbox or confine.level())
        if self.load is None:
            self.load = load
            self.chosen = {name: self.sources.choose(name, candidates) for name, candidates in load.exercises.items()}
        return self.load

    def job(self, exercise: Exercise, prepared: PreparedScenario, example: dict) -> dict:
        scenario = prepared.scenario
        return {"exercise": exercise.name, "driver": driver_ref(scenario.driver), "call": scenario.call,
                "example": example, "chosen": {n: c.index for n, c in self.chosen.items() if c.index}}

    def request(self, jobs: list[dict]) -> list[dict]:
        if self.worker is None:
            self.start()
        try:
            replies = self.worker.request(jobs, self.timeout)
        except WorkerFailure:
            self.close()
            raise
        if self.options.stats is not None:
            self.options.stats.add(replies)
        return replies

    def close(self) -> None:
        """Ends the worker (killed, whatever its state); the next request starts a new one."""
        if self.worker is not None:
            self.worker.kill()
            self.worker = None


def _mentions(source_text: str, name: str) -> bool:
    return re.search(rf"^\s*(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*=", source_text, re.M) is not None


def _not_found(exercise: Exercise, load: LoadReport, sources: statics.SubmissionSources, include_hidden: bool):
    broken = [(module, error) for module, error in load.errors.items() if _mentions(sources.text_of(module), exercise.name)]
    checks = exercise.checks(include_hidden=include_hidden)
    if broken:
        module, error = broken[0]
        message = f"{exercise.name} could not be loaded: {sources.file_of(module)} failed to run: {error}"
        return ExerciseResult(exercise.name, exercise.topic, "error", zero_checks([c for _, c in checks], message), message)
    if sources.not_read:  # it may be in a file too large to read, or linked from outside: say so, not "missing"
        message = (f"{exercise.name} was not found; not read: {'; '.join(sources.not_read)}")
        return ExerciseResult(exercise.name, exercise.topic, "error", zero_checks([c for _, c in checks], message), message)
    message = f"{exercise.name} is not defined in the submission"
    return ExerciseResult(exercise.name, exercise.topic, "missing", zero_checks([c for _, c in checks], message), message)


def _static_result(exercise: Exercise, check: StaticCheck, located) -> CheckResult:
    if isinstance(located, str):
        failure_text = located
    else:
        try:
            failure = check.inspect(*located)
        except Exception as exc:
            return grader_error(check, exercise, f"the check raised {type(exc).__name__}: {exc}")
        failure_text = None if failure is None else feedback.static_message(failure)
    passed = failure_text is None
    return CheckResult(check.name, passed, float(check.points) if passed else 0.0, float(check.points),
                       check.hidden, failure_text or "")


def _run_scenarios(session: _Session, exercise: Exercise, prepared: tuple[PreparedScenario, ...]):
    """All planned inputs of the exercise in one round trip: outcomes per scenario."""
    jobs = [session.job(exercise, ps, ex) for ps in prepared for ex in ps.examples]
    replies = iter(session.request(jobs)) if jobs else iter(())
    return [[outcome_from_reply(next(replies), ps.scenario, exp, exercise.name) for exp in ps.expected]
            for ps in prepared]


def _verdict(check, example, outcome, expected):
    """The check's failure on one outcome; a verify that reads a part which did not come back fails
    the check for that reason (what the student sees), never as a fault of the grader's."""
    outcome = readable(outcome)
    try:
        return check.verify(example, outcome, expected)
    except NotReturned as missing:
        return failed_call(outcome, *missing.args) or Failure(f"{missing.args[0]} was not returned")


def _size(example: dict) -> int:
    """How large an input is, for choosing the planned input shrinking starts from: its elements."""
    return sum(int(getattr(value, "size", 1)) for value in example.values())


def _explained_by_forward(scenario, outcome, expected) -> tuple[bool, str | None]:
    """Whether a backward's failure on this input is the forward's (the student's own, whose cache it
    runs on), and the note that says so: the forward raised (the failure names it already: no note),
    or its output differs from the reference's. Not explained when the scenario runs no forward or
    its reference lacks the forward's output."""
    forward = scenario.call.get("forward")
    if not forward:
        return False, None
    if outcome.error and outcome.error.startswith(f"your {forward} raised"):
        return True, None
    name = tuple(scenario.call.get("forward_returns", ("out",)))[0]
    got = outcome.raw.get("forward_out") if isinstance(outcome.raw, dict) else None
    if got is None or name not in expected or compare.close(got, expected[name]):
        return False, None
    return True, (f"not shrunk: your {forward} already gets {name} wrong on this input (its own checks show "
                  f"where), and this runs on its cache: fix {forward} first")


def _all_fail(checks):
    """A verify that fails, with the first check's failure, where every one of `checks` fails."""

    def verify(example, outcome, expected):
        failures = [_verdict(check, example, outcome, expected) for check in checks]
        return failures[0] if all(f is not None for f in failures) else None

    return verify


def _judge_scenario(session: _Session, exercise, prepared: PreparedScenario, checks, outcomes, budget: ShrinkBudget):
    """Each check's result on the planned outcomes. A failed check's feedback shows a small failing
    input. A scenario shrinks once, to an input all its failed checks still fail on, from the
    smallest planned input they all fail on (if none, the first failed check's smallest failing one,
    with the checks that fail there too); a check shows that input if it fails there, else its first
    failing planned input. Nothing is shrunk where the failure is already explained (every input
    raised, or the student's forward is wrong): shrinking is most of a failing student's cost."""
    options = session.options
    scenario = prepared.scenario
    cache = {}  # the planned outcomes by example key, for shrinking: made on the first failure only
    counterexamples = []  # [the scenario's shrunk input, or None if none was found] once shrunk
    every_input_raised = bool(outcomes) and all(o.error for o in outcomes)
    planned = list(zip(prepared.examples, outcomes, prepared.expected))
    smallest_first = [planned[i] for i in sorted(range(len(planned)), key=lambda i: (_size(planned[i][0]), i))]

    def run_one(example, expected):
        try:
            reply = session.request([session.job(exercise, prepared, example)])[0]
        except WorkerFailure:
            return None
        return outcome_from_reply(reply, scenario, expected, exercise.name)

    def shrunk(check, later: list):
        if not counterexamples:  # the scenario's one shrink
            cache.update((example_key(ex), (out, exp)) for ex, out, exp in planned)
            together = [check, *later]
            # From the smallest planned input every check still to judge fails on, if there is one,
            # else the smallest this one fails on (with the others that fail there too).
            start = next((p for p in smallest_first if _all_fail(together)(*p) is not None), None) or next(
                p for p in smallest_first if _verdict(check, *p) is not None)
            together = [c for c in together if _verdict(c, *start) is not None]
            counterexamples.append(shrink(exercise, prepared, _all_fail(together), start=example_key(start[0]),
                                          cache=cache, run_one=run_one, budget=budget,
                                          references=options.references))
        found = counterexamples[0]
        failure = found and _verdict(check, found.example, found.outcome, found.expected)
        return replace(found, failure=failure) if failure else None

    fault = prepared.grader_error or next((o.grader_error for o in outcomes if o.grader_error), None)
    if fault:
        return [grader_error(check, exercise, fault) for check in checks]
    firsts = {}  # check index -> (example, outcome, expected, failure) on its first failing planned input
    results = {}
    for index, check in enumerate(checks):
        try:
            firsts[index] = next(((ex, out, exp, f) for ex, out, exp in planned
                                  if (f := _verdict(check, ex, out, exp)) is not None), None)
        except Exception as exc:
            results[index] = grader_error(check, exercise, f"the check raised {type(exc).__name__}: {exc}")
    explanations = {i: _explained_by_forward(scenario, first[1], first[2]) for i, first in firsts.items() if first}
    to_shrink = [i for i, (explained, _) in explanations.items()
                 if not explained and not every_input_raised and budget.calls > 0]
    fingerprint = output_fingerprint(outcomes)
    for index, check in enumerate(checks):
        first = firsts.get(index)
        if index in results:
            continue
        if first is None:
            results[index] = CheckResult(check.name, True, float(check.points), float(check.points), check.hidden)
            continue
        _, note = explanations[index]
        try:
            smallest = shrunk(check, [checks[i] for i in to_shrink if i > index]) if index in to_shrink else None
        except Exception as exc:
            results[index] = grader_error(check, exercise, f"the check raised {type(exc).__name__}: {exc}")
            continue
        example, outcome, expected, failure = (smallest.example, smallest.outcome, smallest.expected,
                                               smallest.failure) if smallest else first
        hints, faults = feedback.hints(check, example, outcome, expected)
        message = feedback.check_message(example, failure, hints, faults, shrunk=smallest is not None,
                                         every_input=every_input_raised, note=note)
        for hint_fault in faults:
            LOG.error("grader error in %s, check %r: %s", exercise.name, check.name, hint_fault)
        results[index] = CheckResult(check.name, False, 0.0, float(check.points), check.hidden, message,
                                     tuple(hints), fingerprint, grader_error=bool(faults))
    return [results[index] for index in range(len(checks))]


def _apply_conditions(results: tuple[CheckResult, ...], conditional: list[bool], gate: CheckResult | None):
    """Conditional checks score only if a value check passed; a failed gate zeroes every check."""
    working = any(r.passed and r.max_points for r, c in zip(results, conditional) if not c)
    if not working:
        results = tuple(replace(r, passed=False, points=0.0,
                                message="not scored until the function passes a check of its values")
                        if c and r.passed else r for r, c in zip(results, conditional))
    if gate is not None:
        results = tuple(r if r.name == gate.name else replace(
            r, passed=False, points=0.0, message=f"not scored ({gate.message.splitlines()[0]})"
            + (f"\n{r.message}" if r.message else "")) for r in results)
    return results


def grade_exercise(session: _Session, exercise: Exercise, plan: Plan, sources: statics.SubmissionSources, *,
                   budget: ShrinkBudget | None = None) -> ExerciseResult:
    """`budget`: of shrinking failures (default: the session's options)."""
    budget = session.options.shrink if budget is None else budget
    load = session.load
    include_hidden = plan.include_hidden
    candidates = load.exercises.get(exercise.name)
    if not candidates:
        return _not_found(exercise, load, sources, include_hidden)
    chosen = session.chosen[exercise.name]
    where = candidates[chosen.index]
    prepared = plan.scenarios[exercise.name]
    scenario_checks = [c for ps in prepared for c in ps.scenario.checks if include_hidden or not c.hidden]
    static_checks = [c for c in exercise.static_checks if include_hidden or not c.hidden]
    located = sources.locate(exercise.name, where)
    statics_results = [_static_result(exercise, c, located) for c in static_checks]
    try:
        outcomes = _run_scenarios(session, exercise, prepared)
    except WorkerFailure as failure:
        message = f"{exercise.name}: {failure.message}" + (
            f" (limit {session.timeout:g} s for all its test inputs)" if failure.status == "timeout" else "")
        return ExerciseResult(exercise.name, exercise.topic, failure.status,
                              zero_checks(scenario_checks + static_checks, message), message)
    dynamic, judged = [], []
    for ps, scenario_outcomes in zip(prepared, outcomes):
        failed = frozenset(r.name for r in dynamic if not r.passed)
        checks = [c.given(failed) if c.given else c for c in ps.scenario.checks if include_hidden or not c.hidden]
        dynamic += _judge_scenario(session, exercise, ps, checks, scenario_outcomes, budget)
        judged += checks
    gate = next((r for r, c in zip(statics_results, static_checks) if c.gate and not r.passed), None)
    results = _apply_conditions(tuple(dynamic) + tuple(statics_results),
                                [c.conditional for c in judged + static_checks], gate)
    return ExerciseResult(exercise.name, exercise.topic, "graded", results, chosen.note, chosen.graded)


def passes_public_only(session: _Session, exercise: Exercise, plan: Plan, sources: statics.SubmissionSources,
                       result: ExerciseResult) -> ExerciseResult:
    """`result` (graded on the secret inputs of `plan`) with the checks it failed there that pass on
    the public inputs of `plan.public`: code tuned to, or hard-coding, the self-check's inputs shows
    so (and so does a mistake those inputs happen to miss). Graded again without shrinking, for the
    class report's leads only: the score is always the secret inputs'."""
    if plan.public is None or result.status != "graded" or result.full_marks:
        return result
    public = grade_exercise(session, exercise, plan.public, sources, budget=ShrinkBudget(calls=0))
    passed = {check.name for check in public.checks if check.passed} if public.status == "graded" else set()
    failed = tuple(check.name for check in result.checks if not check.passed and check.name in passed)
    return replace(result, passes_public_inputs_only=failed)


def grade_submission(root: Path, plan: Plan, *, submission_id: str, options: GradingOptions,
                     on_exercise=lambda result: None) -> SubmissionResult:
    """Grades every exercise of the plan on the submission folder `root`. Never raises for bad code.

    `on_exercise` gets each exercise's result as soon as it is graded (progress for `check`)."""
    root = Path(root).resolve()
    # Every exercise of the registry is looked up, not only the graded ones: a backward pass is run
    # after the student's own forward, which is another exercise.
    sources = statics.SubmissionSources(root)
    session = _Session(root, [ex.name for ex in registry.all_exercises()], options, sources)
    try:
        try:
            session.start()
        except WorkerFailure as failure:
            message = f"the submission could not be loaded: {failure.message}"
            return SubmissionResult(submission_id, tuple(
                ExerciseResult(ex.name, ex.topic, failure.status,
                               zero_checks([c for _, c in ex.checks(include_hidden=plan.include_hidden)], message), message)
                for ex in plan.exercises), str(root))
        graded = []
        for ex in plan.exercises:
            graded.append(passes_public_only(session, ex, plan, sources, grade_exercise(session, ex, plan, sources)))
            on_exercise(graded[-1])
        return SubmissionResult(submission_id, tuple(graded), str(root))
    finally:
        session.close()
