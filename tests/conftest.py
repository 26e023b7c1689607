"""Shared fixtures: plans are made once per exercise set, and the catalogue is graded once per session."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader import registry
from grader.examples import make_plan
from grader.grading import GradingOptions, grade_submission
from tests.catalogue import PROJECT, topic_modules

OPTIONS = GradingOptions(timeout=30)


@functools.cache
def plan_for(names: tuple[str, ...], include_hidden: bool = True):
    return make_plan(registry.select(names), include_hidden=include_hidden)


def grade_folder(folder: Path, names: tuple[str, ...] = (), *, include_hidden: bool = True, options=OPTIONS):
    return grade_submission(folder, plan_for(tuple(names), include_hidden), submission_id=folder.name, options=options)


def catalogue_variants(kind: str):
    return [(topic, v) for topic, module in topic_modules().items() for v in getattr(module, kind)]


def _grade_variants(kind: str, tmp: Path) -> dict[str, object]:
    variants = catalogue_variants(kind)

    def grade(indexed):
        index, (topic, variant) = indexed
        folder = tmp / f"{kind}{index}"
        folder.mkdir()
        (folder / f"{topic}.py").write_text(variant.source(topic))
        return variant.id, grade_folder(folder, (variant.exercise,)).exercises[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, enumerate(variants)))


@pytest.fixture(scope="session")
def graded_mistakes(tmp_path_factory):
    return _grade_variants("MISTAKES", tmp_path_factory.mktemp("mistakes"))


@pytest.fixture(scope="session")
def graded_alternatives(tmp_path_factory):
    return _grade_variants("ALTERNATIVES", tmp_path_factory.mktemp("alternatives"))


@pytest.fixture(scope="session")
def graded_solutions():
    result = grade_folder(PROJECT / "solutions")
    return {e.name: e for e in result.exercises}


@pytest.fixture(scope="session")
def graded_stubs():
    result = grade_folder(PROJECT / "exercises")
    return {e.name: e for e in result.exercises}
