"""Shared fixtures: plans are made once per exercise set; gradings are cached per topic, lazily, so
that `pytest -k <topic>` grades only that topic."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.engine import registry
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from tests.catalogue import PROJECT, topic_modules

OPTIONS = GradingOptions(timeout=60)


@functools.cache
def plan_for(names: tuple[str, ...], include_hidden: bool = True):
    return make_plan(registry.select(names), include_hidden=include_hidden)


def grade_folder(folder: Path, names: tuple[str, ...] = (), *, include_hidden: bool = True, options=OPTIONS):
    return grade_submission(folder, plan_for(tuple(names), include_hidden), submission_id=folder.name, options=options)


def catalogue_variants(kind: str, topic: str | None = None):
    return [(t, v) for t, module in topic_modules().items() for v in getattr(module, kind)
            if topic is None or t == topic]


class TopicCache:
    """Computes `compute(topic)` once per topic, on first use."""

    def __init__(self, compute):
        self._compute, self._done = compute, {}

    def __call__(self, topic: str):
        if topic not in self._done:
            self._done[topic] = self._compute(topic)
        return self._done[topic]


def _grade_variants(kind: str, topic: str, tmp: Path) -> dict[str, object]:
    def grade(indexed):
        index, (_, variant) = indexed
        folder = tmp / f"{topic}_{kind.lower()}{index}"
        folder.mkdir()
        (folder / f"{topic}.py").write_text(variant.source(topic))
        return variant.id, grade_folder(folder, (variant.exercise,)).exercises[0]

    variants = catalogue_variants(kind, topic)
    for _, variant in variants:  # plans first: hypothesis must not run beside the grading threads
        plan_for((variant.exercise,))
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, enumerate(variants)))


def _grade_folder_by_topic(folder: Path):
    return lambda topic: {e.name: e for e in grade_folder(folder, (topic,)).exercises}


@pytest.fixture(scope="session")
def graded_mistakes(tmp_path_factory):
    return TopicCache(lambda topic: _grade_variants("MISTAKES", topic, tmp_path_factory.mktemp("mistakes")))


@pytest.fixture(scope="session")
def graded_alternatives(tmp_path_factory):
    return TopicCache(lambda topic: _grade_variants("ALTERNATIVES", topic, tmp_path_factory.mktemp("alternatives")))


@pytest.fixture(scope="session")
def graded_solutions():
    return TopicCache(_grade_folder_by_topic(PROJECT / "solutions"))


@pytest.fixture(scope="session")
def graded_stubs():
    return TopicCache(_grade_folder_by_topic(PROJECT / "exercises"))
