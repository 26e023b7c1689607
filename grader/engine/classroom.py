"""Grading a whole class: one folder per student, each in its own worker, results in folder order.

The plan (inputs and references) is made once and replayed for every student; `jobs` students are
graded at a time. A student's broken code only ever costs that student's exercises, and so does a
fault of the grader itself while grading one student: that student's exercises get status `error`
with a message that says it is a grader error, and the class goes on.
"""

from __future__ import annotations

import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.engine.results import ExerciseResult, SubmissionResult, zero_checks
from grader.isolation.sources import skipped_dir

GRADER_ERROR = "grader error (not a fault of the submission)"


def junk(name: str) -> bool:
    """A folder that is nobody's submission: hidden, a cache, or what an archiver added (__MACOSX)."""
    return skipped_dir(name)


def student_folders(root: Path) -> list[Path]:
    return sorted((p for p in Path(root).iterdir() if p.is_dir() and not junk(p.name)), key=lambda p: p.name)


def stray_files(root: Path) -> list[str]:
    """Files at the top of the class folder, outside every student folder: they are not graded."""
    return sorted(p.name for p in Path(root).iterdir() if not p.is_dir() and not p.name.startswith("."))


def error_result(submission_id: str, plan: Plan, message: str) -> SubmissionResult:
    """Every exercise of the plan with status `error` and all its checks failed with `message`."""
    return SubmissionResult(submission_id, tuple(
        ExerciseResult(ex.name, ex.topic, "error",
                       zero_checks([c for _, c in ex.checks(include_hidden=plan.include_hidden)], message), message)
        for ex in plan.exercises))


def grade_student(folder: Path, plan: Plan, options: GradingOptions) -> SubmissionResult:
    """grade_submission, guarded: an exception escaping it is the grader's fault, not the student's.
    It is logged on stderr with its traceback and costs only this student's grade."""
    folder = Path(folder)
    try:
        return grade_submission(folder, plan, submission_id=folder.name, options=options)
    except Exception as exc:  # noqa: BLE001  (any grader bug: the class must still get its report)
        print(f"dlgrade: {GRADER_ERROR} while grading {folder}:\n{traceback.format_exc()}", file=sys.stderr)
        return error_result(folder.name, plan, f"{GRADER_ERROR}: {type(exc).__name__}: {exc}")


def grade_class(folders: list[Path], plan: Plan, *, options: GradingOptions, jobs: int = 1,
                on_done=lambda result, seconds: None) -> list[SubmissionResult]:
    """`on_done(result, seconds)` runs as each student is finished (progress lines in CI logs)."""

    def grade(folder: Path) -> SubmissionResult:
        started = time.monotonic()
        result = grade_student(folder, plan, options)
        on_done(result, time.monotonic() - started)
        return result

    if jobs <= 1:
        return [grade(folder) for folder in folders]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(grade, folders))
