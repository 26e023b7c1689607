"""For every exercise: the reference solution gets full marks, the stub gets zero, every catalogued
mistake loses the points of the check meant to catch it, and every correct alternative gets full marks."""

from __future__ import annotations

import pytest

from grader.engine import registry
from grader.integrations.stubs import expected_stubs
from tests.catalogue import PROJECT
from tests.conftest import catalogue_variants

EXERCISES = [(ex.topic, ex.name) for ex in registry.all_exercises()]


def _failures(result) -> str:
    return "\n".join(f"{c.name}: {c.message}" for c in result.checks if not c.passed) or result.message


@pytest.mark.parametrize("topic, name", EXERCISES)
def test_reference_solution_gets_full_marks(graded_solutions, topic, name):
    result = graded_solutions(topic)[name]
    assert result.status == "graded", result.message
    assert result.score == result.max_score > 0, _failures(result)


@pytest.mark.parametrize("topic, name", EXERCISES)
def test_stub_gets_zero(graded_stubs, topic, name):
    result = graded_stubs(topic)[name]
    assert result.status == "graded", result.message
    assert result.score == 0, [c.name for c in result.checks if c.passed]
    assert all("not implemented yet" in c.message or "not scored until" in c.message for c in result.checks)


@pytest.mark.parametrize("topic, variant", catalogue_variants("MISTAKES"), ids=lambda v: getattr(v, "id", v))
def test_mistake_loses_the_points_of_its_check(graded_mistakes, topic, variant):
    result = graded_mistakes(topic)[variant.id]
    checks = {c.name: c for c in result.checks}
    for name in variant.loses:
        assert name in checks, f"no check named {name!r}; checks: {sorted(checks)}"
        assert not checks[name].passed and checks[name].points == 0, f"{name} did not catch it"
    assert result.score < result.max_score
    assert not [c.name for c in result.checks if c.grader_error], "a grader error: ours, never the student's"
    if variant.hint:
        messages = "\n".join(checks[name].message for name in variant.loses)
        assert variant.hint in messages, messages


# The checks on inputs of large magnitude: each judges what only large magnitudes reveal.
STABILITY_CHECKS = ("stable for ", "finite and correct for ", "correct for scores of magnitude")


@pytest.mark.parametrize("topic, variant", catalogue_variants("MISTAKES"), ids=lambda v: getattr(v, "id", v))
def test_stability_checks_repeat_no_failure_of_typical_inputs(graded_mistakes, topic, variant):
    """A mistake caught on typical inputs (dx N times too large...) keeps the large-magnitude points,
    unless it is unstable too (then its catalogue entry says so)."""
    result = graded_mistakes(topic)[variant.id]
    for check in result.checks:
        if check.name.startswith(STABILITY_CHECKS) and check.name not in variant.loses:
            assert check.passed or check.message.startswith("not scored"), \
                f"{check.name}: {check.message}"


@pytest.mark.parametrize("topic, variant", catalogue_variants("ALTERNATIVES"), ids=lambda v: getattr(v, "id", v))
def test_correct_alternative_gets_full_marks(graded_alternatives, topic, variant):
    result = graded_alternatives(topic)[variant.id]
    assert result.score == result.max_score, _failures(result)


def test_every_exercise_has_catalogued_mistakes():
    covered = {v.exercise for _, v in catalogue_variants("MISTAKES")}
    assert {name for _, name in EXERCISES} <= covered, sorted({name for _, name in EXERCISES} - covered)


def test_exercises_folder_is_generated_from_solutions():
    for name, text in expected_stubs().items():
        stub = PROJECT / "exercises" / name
        assert stub.exists() and stub.read_text() == text, f"exercises/{name} is stale: run `make stubs`"
    assert sorted(p.name for p in (PROJECT / "exercises").glob("*.py")) == sorted(expected_stubs())
