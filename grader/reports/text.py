"""Writing results for people (a score table, a self-check summary) and for programs (JSON, CSV)."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
import sys
from pathlib import Path

import click

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


_COLOURS = {"PASS": "green", "FAIL": "red"}
# How the worker describes an exception: "NotImplementedError: message (file, line 12)".
_RAISED_AT = re.compile(r"NotImplementedError\b.*?(?: \((?P<where>[^()]*)\))?$")


def not_implemented_at(result: ExerciseResult) -> str | None:
    """Where an untouched stub raises NotImplementedError ("softmax.py:19"), or None if the exercise
    did anything else: every check failed, each on that exception or unscored because of it."""
    if result.status != "graded" or any(c.passed for c in result.checks):
        return None
    first_lines = [c.message.splitlines()[0] if c.message else "" for c in result.checks]
    raised = [_RAISED_AT.match(line) for line in first_lines]
    if not any(raised) or not all(m or line.startswith("not scored") for m, line in zip(raised, first_lines)):
        return None
    where = next(m.group("where") for m in raised if m) or "your code"
    file_line = re.fullmatch(r"(?P<file>[^,]*), line (?P<line>\d+)", where)  # a notebook cell stays as it is
    return f"{file_line['file']}:{file_line['line']}" if file_line else where


def _mark(result: ExerciseResult, color: bool) -> str:
    mark = "PASS" if result.full_marks else "FAIL" if result.status == "graded" else result.status.upper()
    text = f"[{mark}]"
    return click.style(text, fg=_COLOURS.get(mark, "yellow"), bold=True) if color else text


def exercise_summary(result: ExerciseResult, *, verbose_failures: bool = True, color: bool = False) -> str:
    """An exercise's score line, then each failed check with its feedback (one line for a stub).

    `color` adds click styles; click.echo drops them when the output is not a terminal."""
    lines = [f"{_mark(result, color)} {result.name}  {_points(result.score)}/{_points(result.max_score)}"]
    if result.message:  # why it was not graded, or which of several definitions was
        lines.append(_indent(result.message, "    "))
    if result.status != "graded":
        return "\n".join(lines)
    stub = not_implemented_at(result)
    if stub is not None:
        lines.append(f"    not implemented yet (raise NotImplementedError at {stub})")
        return "\n".join(lines)
    for check in result.checks:
        if check.passed:
            continue
        lines.append(f"    x {check.name}  (0/{_points(check.max_points)})")
        if verbose_failures and check.message:
            lines.append(_indent(check.message, "        "))
    return "\n".join(lines)


def topic_summary(results: list[ExerciseResult]) -> str:
    """One line per topic: score, and how many exercises are complete or not started."""
    lines = []
    for topic in dict.fromkeys(r.topic for r in results):
        mine = [r for r in results if r.topic == topic]
        score = f"{_points(sum(r.score for r in mine))}/{_points(sum(r.max_score for r in mine))}"
        complete = sum(r.full_marks for r in mine)
        todo = sum(not_implemented_at(r) is not None for r in mine)
        lines.append(f"  {topic:<16} {score:>11}  {complete}/{len(mine)} complete"
                     + (f", {todo} not started" if todo else ""))
    return "\n".join(lines)


def student_line(result: SubmissionResult, seconds: float) -> str:
    return f"{result.id}  {_points(result.score)}/{_points(result.max_score)}  {seconds:.1f} s"


@contextlib.contextmanager
def class_progress(count: int, label: str):
    """Yields `on_done(result, seconds)` for grade_class: a progress bar on a terminal; elsewhere (CI
    logs) one line per student finished, which a bar would not give."""
    if sys.stderr.isatty():
        with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
            yield lambda result, seconds: bar.update(1)
        return
    done = itertools.count(1)
    yield lambda result, seconds: click.echo(f"[{next(done)}/{count}] {student_line(result, seconds)}", err=True)
