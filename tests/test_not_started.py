"""An exercise not started is one line in `dlgrade check` (README), the summary counts it, and a
backward whose forward is not started says so in one line too."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from grader.engine import registry
from grader.engine.results import CheckResult, ExerciseResult
from grader.integrations.stubs import BEGIN, END
from grader.reports.text import exercise_summary, not_started, topic_summary
from tests.catalogue import PROJECT
from tests.conftest import NO_SHRINKING, grade_folder

STUB_LINE = re.compile(r"    not implemented yet \(raise NotImplementedError at (\w+)\.py:\d+\)")


def test_every_untouched_stub_is_one_line_and_counted_not_started():
    """The stubs of every topic at once: each exercise reads as its score line and one line."""
    result = subprocess.run([sys.executable, "-m", "grader.cli", "check", "--path", str(PROJECT / "exercises")],
                            capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 1, result.stderr
    assert "grader error" not in result.stdout + result.stderr
    body, _, summary = result.stdout.partition("\nSummary:\n")
    lines = body.splitlines()
    exercises = registry.all_exercises()
    assert len(lines) == 2 * len(exercises), result.stdout
    for exercise, (score, why) in zip(exercises, zip(lines[::2], lines[1::2])):
        assert score.startswith(f"[FAIL] {exercise.name}  0/"), score
        forwards = {sc.call["forward"] for sc in exercise.scenarios if "forward" in sc.call}
        if forwards:  # the backward meets its forward's stub first
            (forward,) = forwards
            assert re.fullmatch(rf"    not started: its forward {forward} is not implemented yet \(raise "
                                rf"NotImplementedError at {exercise.topic}\.py:\d+\)", why), why
        else:
            assert STUB_LINE.fullmatch(why) and STUB_LINE.fullmatch(why)[1] == exercise.topic, why
    for topic in dict.fromkeys(ex.topic for ex in exercises):
        count = sum(ex.topic == topic for ex in exercises)
        assert re.search(rf"^  {topic} +0/[\d.]+  0/{count} complete, {count} not started$", summary, re.M), summary


def _forward_unfinished(topic: str, forward: str) -> str:
    """The reference solutions with only `forward`'s answer replaced by the stub's raise."""
    text = (PROJECT / "solutions" / f"{topic}.py").read_text()
    start = text.index(f"def {forward}(")
    begin, end = text.index(BEGIN, start), text.index(END, start) + len(END)
    return text[:begin] + f'raise NotImplementedError("{forward}: not implemented yet")' + text[end:]


def test_a_backward_whose_forward_is_not_started_says_so_in_one_line(tmp_path):
    (tmp_path / "normalization.py").write_text(_forward_unfinished("normalization", "layernorm_forward"))
    names = ("layernorm_forward", "layernorm_backward", "batchnorm_backward")
    results = {e.name: e for e in grade_folder(tmp_path, names, options=NO_SHRINKING).exercises}
    backward = exercise_summary(results["layernorm_backward"]).splitlines()
    assert len(backward) == 2 and re.fullmatch(
        r"    not started: its forward layernorm_forward is not implemented yet \(raise NotImplementedError at "
        r"normalization\.py:\d+\)", backward[1]), backward
    assert len(exercise_summary(results["layernorm_forward"]).splitlines()) == 2
    assert results["batchnorm_backward"].full_marks  # its forward is done: graded as usual
    assert topic_summary(list(results.values())).endswith("  1/3 complete, 2 not started")


def _result(*first_lines: str) -> ExerciseResult:
    return ExerciseResult("batchnorm_forward", "normalization", "graded", tuple(
        CheckResult(f"check {i}", False, 0.0, 1.0, False, line + "\n  on every input") for i, line in enumerate(first_lines)))


@pytest.mark.parametrize("first_lines, where, forward", [
    (("NotImplementedError: f: not implemented yet (normalization.py, line 38)",
      "raised NotImplementedError: f: not implemented yet (for mode='Train'); expected ValueError",
      "not scored until the function passes a check of its values"), "normalization.py:38", None),
    (("your batchnorm_forward raised NotImplementedError: f (normalization.py, line 38)",),
     "normalization.py:38", "batchnorm_forward"),
    (("raised NotImplementedError: f (for mode='Train'); expected ValueError",
      "ValueError: shapes (2,3) and (2,3) not aligned (normalization.py, line 5)"), None, None),
])
def test_not_started_reads_every_way_a_stub_is_met(first_lines, where, forward):
    found = not_started(_result(*first_lines))
    assert (found.where, found.forward) == (where, forward) if where else found is None
