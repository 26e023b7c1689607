"""A fault in the grader's own content (a verify, a reference, a hint or a driver lookup that raises)
fails only the checks it touches, marked as a grader error and logged on stderr, and never as the
student's error: the rest of the run goes on. The faulty topic exists only in this test."""

from __future__ import annotations

import logging

import numpy as np
from hypothesis import strategies as st

from grader.engine import registry
from grader.engine.checks import Check, Exercise, Failure, Hint, Scenario, matches
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from tests.catalogue import PROJECT

INPUTS = st.fixed_dictionaries({"x": st.just(np.array([[1.0, 2.0]]))})
CALL = {"args": ("x",)}


def _softmax(example):
    e = np.exp(example["x"] - example["x"].max(axis=1, keepdims=True))
    return {"probs": e / e.sum(axis=1, keepdims=True)}


def _broken_verify(example, outcome, expected):
    raise ZeroDivisionError("a bug in the grader's check")


def _broken_reference(example):
    raise KeyError("a bug in the grader's reference")


def _broken_hint(example, outcome, expected):
    raise IndexError("a bug in the grader's hint")


def _always_fails(example, outcome, expected):
    return Failure("this check fails on purpose")


def driver_outside_the_content(student, exercise, example, call):
    """A driver the worker cannot find: it is not in a content module (autograde_tests/)."""
    return {"result": student(exercise)(example["x"])}


FAULTY = Exercise("softmax", "faulty_topic", (
    Scenario("a broken check beside a sound one", INPUTS, _softmax, returns="probs", call=CALL, max_examples=2, checks=(
        Check("broken check", 1.0, _broken_verify),
        matches("probs", points=2.0),
        Check("failing check with a broken hint", 0.5, _always_fails, (Hint("never shown", _broken_hint),)),
    )),
    Scenario("a broken reference", INPUTS, _broken_reference, returns="probs", call=CALL, max_examples=2, checks=(
        matches("probs", points=1.0, name="probs matches the broken reference"),
    )),
    Scenario("a driver the worker cannot find", INPUTS, _softmax, returns="probs", call=CALL, max_examples=2,
             driver=driver_outside_the_content, checks=(
                 matches("probs", points=1.0, name="probs through a missing driver"),
             )),
))


def test_grader_faults_fail_only_their_checks_marked_and_logged(monkeypatch, caplog):
    original = registry._exercises
    monkeypatch.setattr(registry, "_exercises", lambda: (*original(), FAULTY))
    assert FAULTY in registry.select(["faulty_topic"])
    plan = make_plan(registry.select(["faulty_topic"]), include_hidden=True)
    with caplog.at_level(logging.ERROR):
        result = grade_submission(PROJECT / "solutions", plan, submission_id="s", options=GradingOptions(timeout=60))
    checks = {c.name: c for c in result.exercises[0].checks}
    assert result.exercises[0].status == "graded"

    assert checks["probs matches torch"].passed and not checks["probs matches torch"].grader_error
    for name, cause in (("broken check", "ZeroDivisionError: a bug in the grader's check"),
                        ("failing check with a broken hint", "IndexError: a bug in the grader's hint"),
                        ("probs matches the broken reference", "KeyError"),
                        ("probs through a missing driver", "driver_outside_the_content could not be found")):
        check = checks[name]
        assert not check.passed and check.points == 0 and check.grader_error, check
        assert "grader error (not your fault" in check.message and cause in check.message, check.message
        assert check.to_dict()["grader_error"] is True
        assert any(name in record.getMessage() and cause in record.getMessage() for record in caplog.records), name
    assert "this check fails on purpose" in checks["failing check with a broken hint"].message
    assert "never shown" not in checks["failing check with a broken hint"].message
    assert "grader_error" not in checks["probs matches torch"].to_dict()
