"""Failing students: one shrink per scenario, none where the student's forward explains a backward's
failure, references shared by a class run, and a report that depends only on the submission: not on
who else is in the class, nor on --jobs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine.grading import GradingOptions, GradingStats
from grader.engine.shrinking import ShrinkBudget
from tests.catalogue import PROJECT, topic_modules
from tests.conftest import grade_folder


def _mistake(topic: str, what: str):
    return next(v for v in topic_modules()[topic].MISTAKES if v.id == what)


def _student(folder: Path, topic: str, variant=None) -> Path:
    folder.mkdir(parents=True)
    source = variant.source(topic) if variant else (PROJECT / "solutions" / f"{topic}.py").read_text()
    (folder / f"{topic}.py").write_text(source)
    return folder


def _shown_input(message: str) -> str:
    """The input block of a failed check's message (the lines after "failing input...:")."""
    lines = message.splitlines()
    start = next(i for i, line in enumerate(lines) if "input" in line and line.rstrip().endswith(":"))
    return "\n".join(line for line in lines[start + 1:] if line.startswith("    "))


def test_the_failed_checks_of_a_scenario_share_one_shrunk_input(tmp_path):
    """A backward pass missing a path fails every gradient check; they are shrunk once, together, to
    an input each of them still fails on (six shrinks would take up to six budgets of round trips)."""
    variant = _mistake("gated_rnn", "lstm_step_backward: no path from dnext_h through tanh(next_c) into dc")
    stats = GradingStats()
    budget = ShrinkBudget(calls=40)
    result = grade_folder(_student(tmp_path / "s", "gated_rnn", variant), ("lstm_step_backward",),
                          options=GradingOptions(timeout=60, shrink=budget, stats=stats)).exercises[0]
    failed = [c for c in result.checks if not c.passed and c.name in variant.loses]
    assert len(failed) == len(variant.loses) == 6
    assert all("failing input (shrunk):" in c.message for c in failed), [c.message for c in failed]
    assert len({_shown_input(c.message) for c in failed}) == 1
    assert any(variant.hint in c.message for c in failed)
    # the exercise's planned inputs in one batch, then at most one budget of single-input round trips
    assert stats.round_trips <= 1 + budget.calls


def test_a_backward_whose_forward_is_wrong_is_not_shrunk_and_says_why(tmp_path):
    """The student's lstm_step_forward uses torch's gate order; lstm_step_backward (right in itself)
    runs on its cache and fails: its feedback names the forward instead of shrinking an input."""
    variant = _mistake("gated_rnn", "lstm_step_forward: torch's gate order i, f, g, o")
    stats = GradingStats()
    result = grade_folder(_student(tmp_path / "s", "gated_rnn", variant), ("lstm_step_backward",),
                          options=GradingOptions(timeout=60, stats=stats)).exercises[0]
    grads = [c for c in result.checks if c.name.startswith("d") and c.name.endswith("matches torch autograd")]
    assert grads and not any(c.passed for c in grads)
    for check in grads:
        assert "(shrunk)" not in check.message
        assert "your lstm_step_forward already gets next_h wrong on this input" in check.message, check.message
        assert re.search(r"expected .*, got ", check.message.splitlines()[0])  # the worst element is still shown
    assert stats.round_trips == 1  # the planned inputs' batch, and no shrinking


def test_shared_references_change_no_report(tmp_path):
    """Students with the same mistake shrink through the same inputs: the second is graded with the
    references the first computed, and gets the report a student graded alone gets."""
    variant = _mistake("softmax", "softmax_loss: dx not divided by N")
    shared = GradingOptions(timeout=60)
    first = grade_folder(_student(tmp_path / "a", "softmax", variant), ("softmax_loss",), options=shared)
    computed = len(shared.references)
    second = grade_folder(_student(tmp_path / "b", "softmax", variant), ("softmax_loss",), options=shared)
    assert computed > 0 and len(shared.references) == computed  # nothing new: every reference was shared
    alone = grade_folder(_student(tmp_path / "c", "softmax", variant), ("softmax_loss",),
                         options=GradingOptions(timeout=60))
    assert first.exercises == second.exercises == alone.exercises
    assert any("(shrunk)" in c.message for c in alone.exercises[0].checks)


def _autograde(klass: Path, out: Path, jobs: int) -> dict[str, dict]:
    done = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(klass), "--only", "softmax",
                           "--jobs", str(jobs), "--json", str(out)], capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    return {s["id"]: {k: v for k, v in s.items() if k != "folder"} for s in json.loads(out.read_text())["submissions"]}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """A reference student, two with the same mistake (they shrink through the same inputs) and two
    with other mistakes, one of them in a backward pass."""
    root = tmp_path_factory.mktemp("failing-class")
    _student(root / "ann", "softmax")
    same = _mistake("softmax", "softmax_loss_naive: dW not divided by N")
    _student(root / "ben", "softmax", same)
    _student(root / "cat", "softmax", same)
    _student(root / "dan", "softmax", _mistake("softmax", "softmax: no max-subtraction"))
    _student(root / "eve", "softmax", _mistake("softmax", "softmax_loss: dx without the -1 at the correct class"))
    return root


def test_a_report_depends_only_on_the_submission(klass, tmp_path):
    """Each student's JSON is the same graded with the class (--jobs 1 and --jobs 2) and alone."""
    together = _autograde(klass, tmp_path / "jobs1.json", 1)
    assert _autograde(klass, tmp_path / "jobs2.json", 2) == together
    assert together["ben"]["exercises"] == together["cat"]["exercises"]
    assert together["ann"]["score"] == together["ann"]["max_score"] > max(
        together[s]["score"] for s in ("ben", "dan", "eve"))
    for student in sorted(together):
        alone = tmp_path / f"alone-{student}"
        shutil.copytree(klass / student, alone / student)
        assert _autograde(alone, tmp_path / f"{student}.json", 1) == {student: together[student]}, student
