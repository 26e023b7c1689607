"""Grading a whole class: one folder per student, each in its own worker, results in folder order.

The plan (inputs and references) is made once and replayed for every student; `jobs` students are
graded at a time. A student's broken code only ever costs that student's exercises.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.engine.results import SubmissionResult
from grader.isolation.sources import skipped_dir


def junk(name: str) -> bool:
    """A folder that is nobody's submission: hidden, a cache, or what an archiver added (__MACOSX)."""
    return skipped_dir(name)


def student_folders(root: Path) -> list[Path]:
    return sorted((p for p in Path(root).iterdir() if p.is_dir() and not junk(p.name)), key=lambda p: p.name)


def stray_files(root: Path) -> list[str]:
    """Files at the top of the class folder, outside every student folder: they are not graded."""
    return sorted(p.name for p in Path(root).iterdir() if not p.is_dir() and not p.name.startswith("."))


def grade_class(folders: list[Path], plan: Plan, *, options: GradingOptions, jobs: int = 1,
                on_done=lambda result, seconds: None) -> list[SubmissionResult]:
    """`on_done(result, seconds)` runs as each student is finished (progress lines in CI logs)."""

    def grade(folder: Path) -> SubmissionResult:
        started = time.monotonic()
        result = grade_submission(folder, plan, submission_id=folder.name, options=options)
        on_done(result, time.monotonic() - started)
        return result

    if jobs <= 1:
        return [grade(folder) for folder in folders]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(grade, folders))
