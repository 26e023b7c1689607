"""Writing results for people (a score table, a self-check summary) and for programs (JSON, CSV).

Report files are written whole or not at all (a temporary file renamed over the target), from a
stream of submissions, so a class report never needs every student in memory. A report that cannot
be written where asked is written to a fallback file instead, and the caller says where.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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


def json_report_writer(submissions: Callable[[], Iterable[dict]], max_score: float) -> Callable[[TextIO], None]:
    """Writes the same text as json.dumps(report(...), indent=1), one submission at a time.
    `submissions()` gives SubmissionResult.to_dict()s (it may be called again for a fallback)."""
    def write(out: TextIO) -> None:
        before, _, after = json.dumps(report([], max_score), indent=1).partition('"submissions": []')
        out.write(before + '"submissions": [')
        count = 0
        for submission in submissions():
            # Items of a top-level list sit two levels deep: each of their lines gets two more spaces.
            out.write(("," if count else "") + "\n  " + json.dumps(submission, indent=1).replace("\n", "\n  "))
            count += 1
        out.write(("\n ]" if count else "]") + after + "\n")
    return write


def write_json(path: Path, submissions: list[SubmissionResult], max_score: float) -> Written:
    return write_report(path, json_report_writer(lambda: (s.to_dict() for s in submissions), max_score))


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


def score_table(submissions: list[SubmissionResult]) -> str:
    return "\n".join(score_table_lines(submissions, max([len(s.id) for s in submissions], default=0)))


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def exercise_summary(result: ExerciseResult, *, verbose_failures: bool = True) -> str:
    mark = "PASS" if result.full_marks else "FAIL" if result.status == "graded" else result.status.upper()
    lines = [f"[{mark}] {result.name}  {_points(result.score)}/{_points(result.max_score)}"]
    if result.status != "graded" and result.message:
        lines.append(_indent(result.message, "    "))
        return "\n".join(lines)
    for check in result.checks:
        if check.passed:
            continue
        lines.append(f"    x {check.name}  (0/{_points(check.max_points)})")
        if verbose_failures and check.message:
            lines.append(_indent(check.message, "        "))
    return "\n".join(lines)
