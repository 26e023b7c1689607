"""The journal: one JSON line per finished student, flushed and fsync'd as the student finishes.

It is what makes a class run safe to stop: whatever is in it survives a crash, a Ctrl-C or a
SIGTERM, and `--resume` reuses an entry when the student's submission, the selected exercises, the
options that change grades and the grader itself are all unchanged (its `submission` digest and
`grading` key). The final reports are streamed from it, one student at a time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import autograde_tests
import grader

if TYPE_CHECKING:
    from grader.distributed.student import GradedStudent


def installed_version() -> str:
    """dlgrade's version as installed ("unknown" when run from a source tree that is not installed)."""
    try:
        return importlib.metadata.version("dlgrade")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@cache
def grader_version() -> str:
    """dlgrade's version and a digest of the grader's own code and content (grader/, autograde_tests/):
    an edit that changes a grade changes this, even without a new release."""
    digest = hashlib.sha256()
    for package in (grader, autograde_tests):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{installed_version()}+{digest.hexdigest()[:12]}"


def submission_digest(folder: Path) -> str:
    """sha256 over every file's relative path and bytes. Bytecode caches and hidden folders are left
    out: they are not the student's work and change without the student touching anything."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(files):
            path = Path(directory, name)
            digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(path, "rb") as handle:
                    while chunk := handle.read(2**20):
                        digest.update(chunk)
            except OSError as exc:  # unreadable: still part of the identity, by its error
                digest.update(f"<unreadable: {exc.strerror}>".encode())
            digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class GradingKey:
    """What, besides the submission, decides a grade."""

    exercises: tuple[str, ...]
    timeout: float
    grader: str
    inputs: str = "public"  # inputs.Inputs.label: a run with another grading key grades everyone again

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """Where a journaled student's line is, and what it was graded with."""

    offset: int
    submission: str
    grading: str


class Journal:
    """Appends finished students to `path`. Opened fresh (truncated) or, to resume, for appending
    after the last complete line: a line cut short by a crash is dropped, never continued."""

    def __init__(self, path: Path, key: GradingKey, *, resume: bool):
        self.path, self.key, self.grading = Path(path), key, key.digest()
        self.entries = read_entries(self.path) if resume else {}
        mode = "r+b" if resume and self.path.exists() else "wb"
        self._file = open(self.path, mode)  # noqa: SIM115  (closed by close())
        if mode == "r+b":
            self._file.truncate(_complete_length(self._file))
            self._file.seek(0, os.SEEK_END)

    def reusable(self, student_id: str, submission: str) -> Entry | None:
        entry = self.entries.get(student_id)
        if entry is not None and entry.submission == submission and entry.grading == self.grading:
            return entry
        return None

    def append(self, graded: GradedStudent) -> Entry:
        line = json.dumps({"id": graded.id, "submission": graded.submission, "grading": self.grading,
                           "grader": self.key.grader, "seconds": round(graded.seconds, 3),
                           "result": graded.result}, separators=(",", ":"))
        offset = self._file.tell()
        self._file.write(line.encode() + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        entry = Entry(offset, graded.submission, self.grading)
        self.entries[graded.id] = entry
        return entry

    def results(self, entries) -> Iterator[dict]:
        """The journaled results (SubmissionResult.to_dict()) of `entries`, one at a time, in order."""
        with open(self.path, "rb") as handle:
            for entry in entries:
                handle.seek(entry.offset)
                yield json.loads(handle.readline())["result"]

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _complete_length(handle) -> int:
    """Bytes up to and including the last newline."""
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    while position > 0:
        step = min(65536, position)
        handle.seek(position - step)
        block = handle.read(step)
        newline = block.rfind(b"\n")
        if newline >= 0:
            return position - step + newline + 1
        position -= step
    return 0


def read_entries(path: Path) -> dict[str, Entry]:
    """The last complete entry of each student; a damaged line (a crash mid-write) is skipped."""
    entries: dict[str, Entry] = {}
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return entries
    with handle:
        offset = 0
        for line in handle:
            try:
                data = json.loads(line) if line.endswith(b"\n") else None
                entry = Entry(offset, str(data["submission"]), str(data["grading"]))
                entries[str(data["id"])] = entry
            except (ValueError, TypeError, KeyError):
                pass
            offset += len(line)
    return entries
