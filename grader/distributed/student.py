"""One student graded into plain data: what a runner hands back, and what the journal keeps."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path

from grader.distributed.journal import submission_digest
from grader.engine.classroom import error_result, grade_student
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult
from grader.isolation import confine
from grader.isolation.sandbox import WorkerFailure, start_worker


@dataclass(frozen=True)
class GradedStudent:
    id: str
    submission: str  # digest of the folder's content as it was graded (see submission_digest)
    seconds: float   # wall time of the grading: a timing field, never part of the report
    result: dict     # SubmissionResult.to_dict()

    def to_result(self) -> SubmissionResult:
        return submission_from_dict(self.result)


def graded_student(folder: Path, plan: Plan, options: GradingOptions) -> GradedStudent:
    """Grades one folder where this runs (a thread of the client, or a Dask worker)."""
    started = time.monotonic()
    folder = Path(folder)
    digest = submission_digest(folder)  # before grading: the journal names what was graded
    result = grade_student(folder, plan, options)
    return GradedStudent(folder.name, digest, time.monotonic() - started, result.to_dict())


def warm_up_workers(timeout: float = 600) -> None:
    """Starts one worker on an empty folder and ends it, so this process's forkserver has started and
    preloaded before any student's time limit runs (a Dask worker starts its own, under load)."""
    with tempfile.TemporaryDirectory(prefix="dlgrade-warm-up-") as empty:
        try:
            worker, _ = start_worker(Path(empty), [], timeout=timeout, sandbox=confine.level())
        except (WorkerFailure, confine.SandboxError):
            return  # the students' own starts will say what is wrong
        worker.kill()


def _from_dict(cls, data: dict, nested: dict):
    """A results dataclass from its to_dict(): known fields only (score and max_score are derived),
    lists back to tuples, so fields added later round-trip without a change here."""
    values = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in nested:
            value = tuple(nested[f.name](item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


def _check_from_dict(data: dict) -> CheckResult:
    return _from_dict(CheckResult, data, {})


def _exercise_from_dict(data: dict) -> ExerciseResult:
    return _from_dict(ExerciseResult, data, {"checks": _check_from_dict})


def submission_from_dict(data: dict) -> SubmissionResult:
    return _from_dict(SubmissionResult, data, {"exercises": _exercise_from_dict})


def failed_student(folder: Path, plan: Plan, message: str) -> GradedStudent:
    """A student whose grading could not finish (a lost Dask worker...): every exercise `error`.
    Its empty digest never matches a submission, so `--resume` grades it again."""
    return GradedStudent(Path(folder).name, "", 0.0, error_result(Path(folder).name, plan, message).to_dict())
