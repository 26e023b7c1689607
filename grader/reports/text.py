"""Writing results for people (a score table, a self-check summary) and for programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from grader.engine.results import ExerciseResult, SubmissionResult, report


def _points(x: float) -> str:
    return f"{x:g}"


def write_json(path: Path, submissions: list[SubmissionResult], max_score: float) -> None:
    Path(path).write_text(json.dumps(report(submissions, max_score), indent=1) + "\n")


def csv_text(submissions: list[SubmissionResult]) -> str:
    names = list(dict.fromkeys(e.name for s in submissions for e in s.exercises))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *names])
    for sub in submissions:
        scores = {e.name: _points(e.score) for e in sub.exercises}
        writer.writerow([sub.id, _points(sub.score), _points(sub.max_score), *(scores.get(n, "") for n in names)])
    return buffer.getvalue()


def score_table(submissions: list[SubmissionResult]) -> str:
    """One line per student: total, and how many exercises are complete, partial, failed to run."""
    width = max([len(s.id) for s in submissions] + [7])
    lines = [f"{'student':<{width}}  {'score':>15}  complete  partial  zero  error/timeout/missing"]
    for sub in submissions:
        complete = sum(e.full_marks for e in sub.exercises)
        broken = sum(e.status != "graded" for e in sub.exercises)
        zero = sum(e.status == "graded" and e.score == 0 for e in sub.exercises)
        partial = len(sub.exercises) - complete - broken - zero
        total = f"{_points(sub.score)}/{_points(sub.max_score)}"
        lines.append(f"{sub.id:<{width}}  {total:>15}  {complete:>8}  {partial:>7}  {zero:>4}  {broken:>21}")
    # Which file was graded, wherever a student's folder held several definitions of an exercise.
    lines += [f"{sub.id}: {e.name}: {e.message}" for sub in submissions for e in sub.exercises
              if e.status == "graded" and e.message]
    return "\n".join(lines)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def exercise_summary(result: ExerciseResult, *, verbose_failures: bool = True) -> str:
    mark = "PASS" if result.full_marks else "FAIL" if result.status == "graded" else result.status.upper()
    lines = [f"[{mark}] {result.name}  {_points(result.score)}/{_points(result.max_score)}"]
    if result.message:
        lines.append(_indent(result.message, "    "))
    if result.status != "graded":
        return "\n".join(lines)
    for check in result.checks:
        if check.passed:
            continue
        lines.append(f"    x {check.name}  (0/{_points(check.max_points)})")
        if verbose_failures and check.message:
            lines.append(_indent(check.message, "        "))
    return "\n".join(lines)
