"""Shared fixtures: plans are made once per exercise set; gradings are cached per topic, lazily, so
that `pytest -k <topic>` grades only that topic.

Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`), a topic's tests all go to one worker,
so its gradings are made once, and every process shares the plans through one plan cache on disk
(DLGRADE_CACHE_DIR, a folder made for the run)."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.engine import plan_cache, registry
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.engine.shrinking import ShrinkBudget
from tests.catalogue import PROJECT, topic_modules

OPTIONS = GradingOptions(timeout=60)
# For mistakes graded without shrinking (see shrunk_mistakes): the verdict never depends on it.
NO_SHRINKING = GradingOptions(timeout=60, shrink=ShrinkBudget(calls=0))
_CACHE_VARIABLE = "DLGRADE_CACHE_DIR"
# The grading key of every instructor command the tests run (never the user's own key, and none is
# made in their config folder); tests of the key itself set or remove it.
TEST_KEY = "5eed" * 8


def pytest_configure(config):
    """One plan cache for the run, made by the main process before xdist starts its workers (they
    inherit the variable); removed by it at the end. A cache the caller configured is kept."""
    os.environ["DLGRADE_GRADING_KEY"] = TEST_KEY
    if not hasattr(config, "workerinput") and _CACHE_VARIABLE not in os.environ:
        config.dlgrade_cache = tempfile.mkdtemp(prefix="dlgrade-test-cache-")
        os.environ[_CACHE_VARIABLE] = config.dlgrade_cache


def pytest_unconfigure(config):
    folder = getattr(config, "dlgrade_cache", None)
    if folder:
        os.environ.pop(_CACHE_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


# Modules whose tests share a costly module- or session-scoped fixture (a graded class, a course, a
# built wheel): in one xdist group it is built once, not once per process, and two processes never
# run the same attacks at once (the confinement run counts the processes its attackers leave).
_SHARED_FIXTURES = {"test_cli": "cli", "test_confinement": "confinement", "test_distributed": "distributed",
                    "test_install": "install", "test_journal": "journal", "test_nbgrader": "nbgrader",
                    "test_report": "report", "test_report_browser": "report"}


def pytest_collection_modifyitems(items):
    """Tests of one topic form one xdist group, so the topic's gradings (fixtures below) run once;
    so do the tests of a module in _SHARED_FIXTURES."""
    for item in items:
        topic = getattr(getattr(item, "callspec", None), "params", {}).get("topic")
        group = topic if isinstance(topic, str) else _SHARED_FIXTURES.get(item.module.__name__.rpartition(".")[2])
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


@functools.cache
def plan_for(names: tuple[str, ...], include_hidden: bool = True):
    return make_plan(registry.select(names), include_hidden=include_hidden, cache=plan_cache.default_cache())


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


def shrunk_mistakes(variants) -> set[str]:
    """The mistakes graded with shrinking: each exercise's first one with a hint.

    Shrinking never changes a verdict, and a hint is recognised on whichever failing input the
    feedback shows, so the others are graded without it (their hints are then checked on the first
    failing planned input): shrinking all 360 hinted mistakes cost about 85% of the catalogue's time.
    One per exercise keeps every exercise's shrinking and its hints on shrunk inputs tested."""
    firsts: dict[str, str] = {}
    for _, variant in variants:
        if getattr(variant, "hint", None):
            firsts.setdefault(variant.exercise, variant.id)
    return set(firsts.values())


def _grade_variants(kind: str, topic: str, tmp: Path) -> dict[str, object]:
    def grade(indexed):
        index, (_, variant) = indexed
        folder = tmp / f"{topic}_{kind.lower()}{index}"
        folder.mkdir()
        (folder / f"{topic}.py").write_text(variant.source(topic))
        options = OPTIONS if variant.id in shrunk else NO_SHRINKING
        return variant.id, grade_folder(folder, (variant.exercise,), options=options).exercises[0]

    variants = catalogue_variants(kind, topic)
    shrunk = shrunk_mistakes(variants)
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
