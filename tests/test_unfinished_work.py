"""No grader error on unfinished or broken work, in any exercise of any topic.

Every exercise is graded on the untouched stubs and on the reference solutions wrapped so that every
exercise returns None, raises, returns arrays of the wrong shape, NaN arrays, or a tuple of another
length; and every backward is graded after each catalogued mistake in the forward it runs first. A
hint or check that reads an output which is not there, or chokes on NaN, is a grader error: the
student would read "grader error (not your fault)" beside work that is simply not done.

A variant is one submission holding every topic (one worker, one round trip per exercise), graded
without shrinking (a verdict never depends on it); the forward mistakes of a topic are packed into as
few submissions as their replacements allow (one mistake per forward in each).
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from grader.engine import registry
from grader.engine.checks import Check, Exercise, Failure, Hint, Scenario, matches
from grader.engine.examples import make_plan
from grader.engine.grading import grade_submission
from grader.engine.results import ExerciseResult
from tests.catalogue import PROJECT, Variant, topic_modules
from tests.conftest import NO_SHRINKING, grade_folder

TOPICS = sorted(topic_modules())

# Appended to each solution module: rebinds every exercise of the module to a wrapper that changes
# what it returns (a class: its methods). `CHANGE` is the body of `_sweep_change(value)`.
_WRAPPER = '''

import numpy as _sweep_np


def _sweep_change(value):
{change}


def _sweep_wrap(function, change=_sweep_change):
    def wrapped(*args, **kwargs):
        return change(function(*args, **kwargs))
    return wrapped


for _sweep_name in {names!r}:
    _sweep_object = globals()[_sweep_name]
    if isinstance(_sweep_object, type):
        for _sweep_method, _sweep_member in list(vars(_sweep_object).items()):
            if callable(_sweep_member) and (not _sweep_method.startswith("__") or {wrap_init}):
                setattr(_sweep_object, _sweep_method, _sweep_wrap(_sweep_member))
    else:
        globals()[_sweep_name] = _sweep_wrap(_sweep_object)
'''

# What each variant returns instead of the right value (`value`).
CHANGES = {
    "returns None": "return None",
    "raises": 'raise RuntimeError("something went wrong")',
    "wrong shapes": '''
        if isinstance(value, _sweep_np.ndarray):
            return _sweep_np.zeros(value.shape + (2,), dtype=value.dtype)
        if isinstance(value, (int, float, _sweep_np.number)) and not isinstance(value, bool):
            return _sweep_np.zeros(3)
        if isinstance(value, (tuple, list)):
            return type(value)(_sweep_change(part) for part in value)
        if isinstance(value, dict):
            return {key: _sweep_change(part) for key, part in value.items()}
        return value''',
    "NaN arrays": '''
        if isinstance(value, _sweep_np.ndarray):
            return _sweep_np.full(value.shape, _sweep_np.nan)
        if isinstance(value, (int, float, _sweep_np.number)) and not isinstance(value, bool):
            return float("nan")
        if isinstance(value, (tuple, list)):
            return type(value)(_sweep_change(part) for part in value)
        if isinstance(value, dict):
            return {key: _sweep_change(part) for key, part in value.items()}
        return value''',
    "a tuple one longer": "return value + (value[-1],) if isinstance(value, tuple) else (value, value)",
    "a tuple one shorter": "return value[:-1] if isinstance(value, tuple) else ()",
}


def _exercise_names(topic: str) -> list[str]:
    return [ex.name for ex in registry.select([topic])]


def _wrapped_solution(topic: str, change: str) -> str:
    body = textwrap.indent(textwrap.dedent(change).strip(), "    ")
    # A class raises from __init__ too; other changes leave construction alone (it returns None anyway).
    return (PROJECT / "solutions" / f"{topic}.py").read_text() + _WRAPPER.format(
        change=body, names=_exercise_names(topic), wrap_init=change.startswith("raise"))


def _grader_errors(results: list[ExerciseResult]) -> list[str]:
    return [f"{e.name}: {c.name}: {c.message}" for e in results for c in e.checks
            if c.grader_error or "grader error" in c.message]


def _grade(folder: Path, names: tuple[str, ...], caplog) -> list[ExerciseResult]:
    with caplog.at_level(logging.ERROR, logger="grader"):
        results = list(grade_folder(folder, names, include_hidden=True, options=NO_SHRINKING).exercises)
    logged = [r.getMessage() for r in caplog.records if "grader error" in r.getMessage()]
    assert not logged, "\n".join(logged)
    assert not _grader_errors(results), "\n\n".join(_grader_errors(results))
    return results


def test_untouched_stubs_meet_no_grader_error(caplog):
    results = _grade(PROJECT / "exercises", tuple(TOPICS), caplog)
    assert len(results) == len(registry.all_exercises())
    assert all(e.status == "graded" and e.score == 0 for e in results), [e.name for e in results if e.score]


@pytest.mark.parametrize("variant", CHANGES)
def test_broken_returns_meet_no_grader_error(variant, tmp_path, caplog):
    for topic in TOPICS:
        (tmp_path / f"{topic}.py").write_text(_wrapped_solution(topic, CHANGES[variant]))
    results = _grade(tmp_path, tuple(TOPICS), caplog)
    assert len(results) == len(registry.all_exercises())
    assert all(e.status == "graded" for e in results), [(e.name, e.message) for e in results if e.status != "graded"]
    # Nothing that returns the wrong thing is complete (else a check could not fail).
    assert not [e.name for e in results if e.full_marks]


def _followers() -> dict[str, list[str]]:
    """forward -> the backward exercises that run it first."""
    found: dict[str, list[str]] = {}
    for ex in registry.all_exercises():
        for forward in dict.fromkeys(sc.call["forward"] for sc in ex.scenarios if "forward" in sc.call):
            found.setdefault(forward, []).append(ex.name)
    return found


def _applied(text: str, mistake: Variant) -> str | None:
    """`text` with the mistake's replacements, or None where one of them is not in it."""
    for old, new in mistake.replace:
        if old not in text:
            return None
        text = text.replace(old, new)
    return text


def _packed(topic: str, mistakes: list[Variant]) -> list[tuple[list[Variant], str]]:
    """The mistakes in groups that one module can hold, with its text: at most one mistake per
    forward, each group's replacements leaving each other's text in place."""
    groups: list[tuple[list[Variant], str]] = []
    for mistake in mistakes:
        for index, (group, text) in enumerate(groups):
            combined = None if any(m.exercise == mistake.exercise for m in group) else _applied(text, mistake)
            if combined is not None and all(new in combined for m in group for _, new in m.replace):
                groups[index] = (group + [mistake], combined)
                break
        else:
            groups.append(([mistake], mistake.source(topic)))
    return groups


def _forward_mistake_groups():
    followers = _followers()
    for topic, module in topic_modules().items():
        mistakes = [m for m in module.MISTAKES if m.exercise in followers]
        for index, (group, text) in enumerate(_packed(topic, mistakes)):
            yield pytest.param(topic, group, text, id=f"{topic}-{index}")


@pytest.mark.parametrize("topic, group, text", list(_forward_mistake_groups()))
def test_backward_after_a_forward_mistake_meets_no_grader_error(topic, group, text, tmp_path, caplog):
    (tmp_path / f"{topic}.py").write_text(text)
    followers = _followers()
    names = tuple(dict.fromkeys(b for mistake in group for b in followers[mistake.exercise]))
    results = _grade(tmp_path, names, caplog)
    assert [e.name for e in results] == list(names)
    assert all(e.status in ("graded", "timeout") for e in results), [(e.name, e.message) for e in results]


def _reads_probs(example, outcome, expected):
    """A hint and a verify written for complete outcomes: they read the output without asking."""
    return outcome.outputs["probs"].sum() > 99


def _verify_reading_probs(example, outcome, expected):
    return Failure("never") if _reads_probs(example, outcome, expected) else None


def _softmax(example):
    e = np.exp(example["x"] - example["x"].max(axis=1, keepdims=True))
    return {"probs": e / e.sum(axis=1, keepdims=True)}


READS_OUTPUTS = Exercise("softmax", "reading_topic", (
    Scenario("x", st.fixed_dictionaries({"x": st.just(np.array([[1.0, 2.0]]))}), _softmax, returns="probs",
             call={"args": ("x",)}, max_examples=1, checks=(
                 Check("a verify that reads probs", 1.0, _verify_reading_probs),
                 matches("probs", points=1.0, hints=(Hint("never shown", _reads_probs),)),
             )),
))


@pytest.mark.parametrize("body, why", [("return None", "should be a numpy array"),
                                       ("raise ValueError('no')", "ValueError: no"),
                                       ("return (x, x)", "should be a numpy array")])
def test_a_hint_or_check_reading_what_did_not_come_back_is_not_a_grader_error(body, why, tmp_path, monkeypatch):
    """The engine's rule, whatever a topic's hints assume: a part that did not come back makes a hint
    not apply and a check fail on what the student's call did, never a grader error."""
    original = registry._exercises
    monkeypatch.setattr(registry, "_exercises", lambda: (*original(), READS_OUTPUTS))
    (tmp_path / "mine.py").write_text(f"def softmax(x):\n    {body}\n")
    plan = make_plan(registry.select(["reading_topic"]), include_hidden=True)
    result = grade_submission(tmp_path, plan, submission_id="s", options=NO_SHRINKING).exercises[0]
    assert [(c.passed, c.grader_error) for c in result.checks] == [(False, False), (False, False)]
    assert all(why in c.message and "never shown" not in c.message for c in result.checks), result.checks
