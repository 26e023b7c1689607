"""Grading results as plain dataclasses, and the JSON report built from them (fields per DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass

from grader.engine.inputs import PUBLIC, report_fields


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    points: float
    max_points: float
    hidden: bool
    message: str = ""
    hints: tuple[str, ...] = ()  # the known mistakes the failing output matched (also in the message)
    fingerprint: str = ""  # of the outputs on the planned inputs when the check failed (fingerprints.py)
    # The grader's own content failed (a check, a reference, a hint or a driver raised): the check
    # scores nothing, and the message says it is no fault of the student's.
    grader_error: bool = False

    def to_dict(self) -> dict:
        data = {"name": self.name, "passed": self.passed, "points": self.points,
                "max_points": self.max_points, "hidden": self.hidden, "message": self.message}
        if self.grader_error:
            data["grader_error"] = True
        if self.hints:
            data["hints"] = list(self.hints)
        if self.fingerprint:
            data["fingerprint"] = self.fingerprint
        return data


@dataclass(frozen=True)
class ExerciseResult:
    name: str
    topic: str
    status: str  # graded, missing, error, timeout
    checks: tuple[CheckResult, ...]
    message: str = ""
    source: str = ""  # where the graded definition is: 'softmax.py, line 6', 'hw.ipynb, cell 7, line 1'
    # Graded on secret inputs: the checks failed on them that pass on the self-check's public inputs
    # (a lead for the instructor, never part of the score).
    passes_public_inputs_only: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 6)

    @property
    def full_marks(self) -> bool:
        return self.status == "graded" and all(c.passed for c in self.checks)

    def to_dict(self) -> dict:
        data = {"name": self.name, "topic": self.topic, "score": self.score, "max_score": self.max_score,
                "status": self.status, "checks": [c.to_dict() for c in self.checks]}
        if self.message:
            data["message"] = self.message
        if self.source:
            data["source"] = self.source
        if self.passes_public_inputs_only:
            data["passes_public_inputs_only"] = list(self.passes_public_inputs_only)
        return data


@dataclass(frozen=True)
class SubmissionResult:
    id: str
    exercises: tuple[ExerciseResult, ...]
    folder: str = ""  # the graded folder, so reports can read the code (similarity) afterwards

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 6)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 6)

    def to_dict(self) -> dict:
        data = {"id": self.id, "score": self.score, "max_score": self.max_score,
                "exercises": [e.to_dict() for e in self.exercises]}
        if self.folder:
            data["folder"] = self.folder
        return data


def report(submissions: list[SubmissionResult], max_score: float, sandbox: str | None = None,
           inputs: str = PUBLIC.label) -> dict:
    """`sandbox`: the confinement level the workers ran at (default: this process's, confine.level());
    `inputs`: the Inputs.label of the plan graded on (its kind, and a secret key's id)."""
    from grader.isolation import confine  # noqa: PLC0415

    return {"max_score": max_score, "sandbox": sandbox or confine.level(), **report_fields(inputs),
            "submissions": [s.to_dict() for s in submissions]}


def zero_checks(checks, message: str) -> tuple[CheckResult, ...]:
    """Every check failed with one message (a missing exercise, a crash, a time-out)."""
    return tuple(CheckResult(c.name, False, 0.0, float(c.points), c.hidden, message) for c in checks)
