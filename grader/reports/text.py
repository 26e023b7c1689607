"""Writing results for people (a score table, a self-check summary) and for programs (JSON, CSV).

Report files are written whole or not at all (a temporary file renamed over the target), from a
stream of submissions, so a class report never needs every student in memory. A report that cannot
be written where asked is written to a fallback file instead, and the caller says where.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from grader.engine.inputs import PUBLIC
from grader.engine.results import ExerciseResult, SubmissionResult, report


def _points(x: float) -> str:
    return f"{x:g}"


def unwritable(path: Path) -> str | None:
    """Why a report cannot be written at `path`, or None. Found by creating a file beside it:
    permission bits do not tell (root, read-only filesystems)."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder"
    folder = path.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        handle, probe = tempfile.mkstemp(prefix=".dlgrade-probe-", dir=folder)
    except OSError as exc:
        return f"cannot create files in {folder} ({exc.strerror})"
    os.close(handle)
    os.unlink(probe)
    return None


@dataclass(frozen=True)
class Written:
    path: Path               # where the report is
    failure: str | None = None  # why it is not where it was asked for (then `path` is a fallback)


def _write_into(folder: Path, prefix: str, suffix: str, write: Callable[[TextIO], None], *,
                final: Path | None) -> Path:
    """Writes a new file in `folder`, fsync'd, then renamed to `final` (or kept where it is)."""
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would make reports private
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if final is None:
            return Path(temporary)
        os.replace(temporary, final)
        return final
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_report(path: Path, write: Callable[[TextIO], None]) -> Written:
    """`write(file)` into `path` atomically. If that fails, into a new file in the current folder or
    else the temporary folder (`write` is called again); raises OSError only if every place fails."""
    path = Path(path)
    try:
        return Written(_write_into(path.parent, f".{path.name}.", ".tmp", write, final=path))
    except OSError as exc:
        failure = f"{path}: {exc.strerror or exc}"
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        try:
            fallback = _write_into(folder, f"dlgrade-{path.stem}-", path.suffix, write, final=None)
            return Written(fallback.resolve(), failure)
        except OSError:
            continue
    raise OSError(f"could not write {failure}, nor a copy in {Path.cwd()} or {tempfile.gettempdir()}")


def json_report_writer(submissions: Callable[[], Iterable[dict]], max_score: float, *,
                       inputs: str = PUBLIC.label) -> Callable[[TextIO], None]:
    """Writes the same text as json.dumps(report(...), indent=1), one submission at a time.
    `submissions()` gives SubmissionResult.to_dict()s (it may be called again for a fallback)."""
    def write(out: TextIO) -> None:
        before, _, after = json.dumps(report([], max_score, inputs=inputs), indent=1).partition('"submissions": []')
        out.write(before + '"submissions": [')
        count = 0
        for submission in submissions():
            # Items of a top-level list sit two levels deep: each of their lines gets two more spaces.
            out.write(("," if count else "") + "\n  " + json.dumps(submission, indent=1).replace("\n", "\n  "))
            count += 1
        out.write(("\n ]" if count else "]") + after + "\n")
    return write


def write_json(path: Path, submissions: list[SubmissionResult], max_score: float, *,
               inputs: str = PUBLIC.label) -> Written:
    return write_report(path, json_report_writer(lambda: (s.to_dict() for s in submissions), max_score,
                                                 inputs=inputs))


def csv_writer(names: list[str], submissions: Callable[[], Iterable[SubmissionResult]]) -> Callable[[TextIO], None]:
    """One row per student: total, maximum, then each exercise's score in `names` order."""
    def write(out: TextIO) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["student", "score", "max_score", *names])
        for sub in submissions():
            scores = {e.name: _points(e.score) for e in sub.exercises}
            writer.writerow([sub.id, _points(sub.score), _points(sub.max_score), *(scores.get(n, "") for n in names)])
    return write


def score_table_lines(submissions: Iterable[SubmissionResult], width: int) -> Iterator[str]:
    """One line per student, as they come: total, and how many exercises are complete, partial,
    failed to run. `width` fits the longest student id."""
    width = max(width, 7)
    yield f"{'student':<{width}}  {'score':>15}  complete  partial  zero  error/timeout/missing"
    for sub in submissions:
        complete = sum(e.full_marks for e in sub.exercises)
        broken = sum(e.status != "graded" for e in sub.exercises)
        zero = sum(e.status == "graded" and e.score == 0 for e in sub.exercises)
        partial = len(sub.exercises) - complete - broken - zero
        total = f"{_points(sub.score)}/{_points(sub.max_score)}"
        yield f"{sub.id:<{width}}  {total:>15}  {complete:>8}  {partial:>7}  {zero:>4}  {broken:>21}"


def graded_file_notes(submissions: Iterable[SubmissionResult]) -> Iterator[str]:
    """Which file was graded, wherever a student's folder held several definitions of an exercise."""
    for sub in submissions:
        for e in sub.exercises:
            if e.status == "graded" and e.message:
                yield f"{sub.id}: {e.name}: {e.message}"


def score_table(submissions: list[SubmissionResult]) -> str:
    width = max([len(s.id) for s in submissions], default=0)
    return "\n".join([*score_table_lines(submissions, width), *graded_file_notes(submissions)])


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


_COLOURS = {"PASS": "green", "FAIL": "red"}
# How a check's message starts when the call met a stub: the exercise raised NotImplementedError
# ("NotImplementedError: message (file, line 12)"), the forward a backward runs first did ("your
# batchnorm_forward raised NotImplementedError: ..."), or a driver expecting an error caught it ("raised
# NotImplementedError: message (for mode='Train'); expected ValueError", which names no place).
_RAISED_AT = re.compile(r"(?:your (?P<forward>\w+) raised )?NotImplementedError\b.*?(?: \((?P<where>[^()]*)\))?$")
_CAUGHT = re.compile(r"raised NotImplementedError\b")


@dataclass(frozen=True)
class NotStarted:
    where: str  # where the stub raises: 'softmax.py:19', 'hw.ipynb, cell 7, line 3' or 'your code'
    forward: str | None = None  # the unfinished forward a backward runs first, if that is what raised


def not_started(result: ExerciseResult) -> NotStarted | None:
    """Why an exercise did nothing but meet a stub, or None if it did anything else: every check
    failed, each on NotImplementedError (its own, or its forward's) or unscored because of it."""
    if result.status != "graded" or any(c.passed for c in result.checks):
        return None
    first_lines = [c.message.splitlines()[0] if c.message else "" for c in result.checks]
    raised = [_RAISED_AT.match(line) for line in first_lines]
    if not any(raised) or not all(m or _CAUGHT.match(line) or line.startswith("not scored")
                                  for m, line in zip(raised, first_lines)):
        return None
    where = next((m.group("where") for m in raised if m and m.group("where")), None) or "your code"
    forward = next((m.group("forward") for m in raised if m and m.group("forward")), None)
    file_line = re.fullmatch(r"(?P<file>[^,]*), line (?P<line>\d+)", where)  # a notebook cell stays as it is
    return NotStarted(f"{file_line['file']}:{file_line['line']}" if file_line else where, forward)


def not_implemented_at(result: ExerciseResult) -> str | None:
    """Where an untouched stub raises NotImplementedError ("softmax.py:19"), or None (see not_started)."""
    found = not_started(result)
    return found.where if found else None


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
    stub = not_started(result)
    if stub is not None:
        lines.append(f"    not started: its forward {stub.forward} is not implemented yet "
                     f"(raise NotImplementedError at {stub.where})" if stub.forward else
                     f"    not implemented yet (raise NotImplementedError at {stub.where})")
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
        todo = sum(not_started(r) is not None for r in mine)
        lines.append(f"  {topic:<16} {score:>11}  {complete}/{len(mine)} complete"
                     + (f", {todo} not started" if todo else ""))
    return "\n".join(lines)


def student_line(result: SubmissionResult, seconds: float) -> str:
    return f"{result.id}  {_points(result.score)}/{_points(result.max_score)}  {seconds:.1f} s"


@contextlib.contextmanager
def class_progress(count: int, label: str, *, done: int = 0):
    """Yields `on_done(result, seconds)` for grade_class: a progress bar on a terminal; elsewhere (CI
    logs) one line per student finished, which a bar would not give. `done` students (resumed from
    a journal) count as finished from the start."""
    if sys.stderr.isatty():
        with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
            bar.update(done)
            yield lambda result, seconds: bar.update(1)
        return
    done = itertools.count(done + 1)
    yield lambda result, seconds: click.echo(f"[{next(done)}/{count}] {student_line(result, seconds)}", err=True)
