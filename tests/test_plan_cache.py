"""The plan cache on disk and the plans shipped in the package stand in for drawing exactly, are
ignored when bad, stale or misplaced, and let `--help`, `list` and a self-check with a cached or
shipped plan start without importing torch. The shipped plans are current (`make plans`)."""

from __future__ import annotations

import importlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import zlib

import pytest

from grader.engine import disk_cache, plan_cache, registry, shipped_plans
from grader.engine.examples import make_plan
from grader.engine.plan_cache import SHIPPED, PlanCache, PlanLayers
from tests.catalogue import PROJECT
from tests.plans_alike import assert_same_plans

NAMES = ["softmax", "softmax_loss"]  # exercises (not the topic softmax)
STALE = "autograde_tests/plans/ is stale: run `make plans` (python -m grader.engine.shipped_plans)"


def _shipped_manifest() -> dict:
    return json.loads((SHIPPED / plan_cache.MANIFEST).read_text())


def _running_key() -> dict:
    return plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())


# The shipped plans are drawn in the pinned environment; elsewhere they are (rightly) not used.
pinned_versions = pytest.mark.skipif(_shipped_manifest()["versions"] != disk_cache.versions(),
                                     reason="the shipped plans were drawn with other versions than these")


def _same_plan(a, b) -> None:
    assert a.scenarios.keys() == b.scenarios.keys()
    for name in a.scenarios:
        for drawn, read in zip(a.scenarios[name], b.scenarios[name], strict=True):
            assert drawn.scenario is read.scenario
            assert [pickle.dumps(x, protocol=4) for x in drawn.examples] == [pickle.dumps(x, protocol=4) for x in read.examples]
            assert [plan_cache._canonical(x) for x in drawn.expected] == [plan_cache._canonical(x) for x in read.expected]


def test_a_cached_plan_is_the_drawn_plan(tmp_path):
    exercises = [registry.exercise(name) for name in NAMES]
    cache = PlanCache(tmp_path)
    drawn = make_plan(exercises, include_hidden=True, cache=cache)
    assert len(list(tmp_path.glob("*.plan"))) == sum(len(ex.scenarios) for ex in exercises)
    _same_plan(drawn, make_plan(exercises, include_hidden=True, cache=cache))
    _same_plan(drawn, make_plan(exercises, include_hidden=True))


def test_a_corrupt_or_foreign_cache_file_is_drawn_again_and_rewritten(tmp_path):
    exercises = [registry.exercise("softmax")]
    cache = PlanCache(tmp_path)
    drawn = make_plan(exercises, include_hidden=True, cache=cache)
    first, second = sorted(tmp_path.glob("*.plan"))
    first.write_bytes(first.read_bytes()[:-7])  # truncated
    second.write_bytes(b"\x10\0\0\0\0\0\0\0" + b"not a plan at all")
    scenarios = list(enumerate(exercises[0].scenarios))
    assert [cache.load("softmax", i, sc.name) for i, sc in scenarios] == [None, None]
    _same_plan(drawn, make_plan(exercises, include_hidden=True, cache=cache))
    assert all(cache.load("softmax", i, sc.name) is not None for i, sc in scenarios)  # rewritten


def test_a_file_of_another_scenario_is_not_taken_for_this_one(tmp_path):
    exercise = registry.exercise("softmax")
    cache = PlanCache(tmp_path)
    make_plan([exercise], include_hidden=True, cache=cache)
    one, other = (cache._path("softmax", i, sc.name) for i, sc in enumerate(exercise.scenarios))
    other.write_bytes(one.read_bytes())
    assert cache.load("softmax", 1, exercise.scenarios[1].name) is None


def test_a_draw_does_not_depend_on_the_modules_imported(tmp_path, monkeypatch):
    """Hypothesis would mix in the numbers of every local module imported (examples._without_local_constants)."""
    exercises = [registry.exercise("softmax_loss")]
    before = make_plan(exercises, include_hidden=True)
    numbers = ", ".join(repr(1.5 + i / 7) for i in range(200))
    (tmp_path / "local_constants.py").write_text(f"NUMBERS = [{numbers}, 9.75, -2.125, 1e4, 40, 7]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "local_constants", importlib.import_module("local_constants"))
    _same_plan(before, make_plan(exercises, include_hidden=True))


def test_no_cache_inside_a_submission_and_none_when_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRADE_SHIPPED_PLANS", "0")
    monkeypatch.setenv("DLGRADE_CACHE_DIR", str(tmp_path / "student" / ".cache"))
    assert plan_cache.default_cache(avoid=[tmp_path / "student"]) is None
    cache = plan_cache.default_cache(avoid=[tmp_path / "other"])
    assert cache.shipped is None and cache.user.folder.is_relative_to(tmp_path / "student" / ".cache")
    monkeypatch.setenv("DLGRADE_CACHE_DIR", "")
    assert plan_cache.default_cache() is None
    assert disk_cache.cache_root() is None


def test_the_key_changes_with_the_content(tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRADE_CACHE_DIR", str(tmp_path))
    before = plan_cache.default_cache().user.folder
    monkeypatch.setattr(disk_cache, "content_digest", lambda: "another definition")
    after = plan_cache.default_cache()
    assert after.user.folder != before and after.shipped is None  # nor are the shipped plans used


def test_the_shipped_plans_are_current():
    assert _shipped_manifest()["content_digest"] == disk_cache.content_digest(), STALE
    every_scenario = {PlanCache(SHIPPED, compressed=True)._path(ex.name, index, scenario.name).name
                      for ex in registry.all_exercises() for index, scenario in enumerate(ex.scenarios)}
    assert {path.name for path in SHIPPED.glob("*.plan.z")} == every_scenario, \
        "autograde_tests/plans/ does not hold one file per scenario: run `make plans` (it names those it cannot ship)"


@pytest.fixture(scope="module")
def softmax_built(tmp_path_factory):
    """The topic softmax's plans, built as `make plans` builds them (twice), and drawn."""
    exercises = registry.select(["softmax"])
    folders = [tmp_path_factory.mktemp("built") / "plans" for _ in range(2)]
    assert [shipped_plans.build(folder, exercises) for folder in folders] == [[], []]
    return exercises, folders, make_plan(exercises, include_hidden=True)


def test_a_built_plan_reads_back_as_drawn_and_the_same_bytes_on_rebuild(softmax_built):
    exercises, (first, second), drawn = softmax_built
    assert json.loads((first / plan_cache.MANIFEST).read_text()) == _running_key()
    assert plan_cache.shipped_plans(_running_key(), first) == PlanCache(first, compressed=True)
    _same_plan(drawn, make_plan(exercises, include_hidden=True, cache=plan_cache.shipped_plans(_running_key(), first)))
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}


@pinned_versions
def test_the_shipped_plans_are_a_fresh_draw(softmax_built):
    _, (built, _), _ = softmax_built
    assert_same_plans(built, SHIPPED, STALE)


def test_a_bad_shipped_plan_is_a_miss_and_drawn_into_the_user_cache(softmax_built, tmp_path):
    exercises, (built, _), drawn = softmax_built
    shipped = tmp_path / "plans"
    shutil.copytree(built, shipped)
    first, second, third, *_ = sorted(shipped.glob("*.plan.z"))
    first.write_bytes(first.read_bytes()[:-7])  # truncated
    second.write_bytes(b"not zlib at all")
    third.write_bytes(zlib.compress(b"\x10\0\0\0\0\0\0\0" + b"not a plan at all"))
    before = {p.name: p.read_bytes() for p in shipped.iterdir()}
    layers = PlanLayers(plan_cache.shipped_plans(_running_key(), shipped), PlanCache(tmp_path / "user"))
    _same_plan(drawn, make_plan(exercises, include_hidden=True, cache=layers))
    assert len(list((tmp_path / "user").glob("*.plan"))) == 3  # the three redrawn, and only them
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before  # the shipped plans are never written


def test_shipped_plans_of_another_key_or_a_bad_manifest_or_inside_a_submission_are_not_used(softmax_built, tmp_path,
                                                                                            monkeypatch):
    _, (built, _), _ = softmax_built
    shipped = tmp_path / "student" / "plans"
    shutil.copytree(built, shipped)
    key = _running_key()
    assert plan_cache.shipped_plans(key, shipped) is not None
    assert plan_cache.shipped_plans(key, shipped, avoid=[tmp_path / "student"]) is None
    assert plan_cache.shipped_plans({**key, "content_digest": "another definition"}, shipped) is None
    assert plan_cache.shipped_plans({**key, "versions": ["CPython 2.7.18"]}, shipped) is None
    monkeypatch.setenv("DLGRADE_SHIPPED_PLANS", "0")
    assert plan_cache.shipped_plans(key, shipped) is None
    monkeypatch.delenv("DLGRADE_SHIPPED_PLANS")
    for manifest in (b"{not json", b"\xff\xfe", b"[]"):
        (shipped / plan_cache.MANIFEST).write_bytes(manifest)
        assert plan_cache.shipped_plans(key, shipped) is None
    (shipped / plan_cache.MANIFEST).unlink()
    assert plan_cache.shipped_plans(key, shipped) is None


def _modules_after(arguments: list[str], cache, *, shipped: bool = False) -> dict:
    script = ("import json, sys\nfrom click.testing import CliRunner\nfrom grader.cli import main\n"
              f"result = CliRunner().invoke(main, {arguments!r})\n"
              "print(json.dumps({'exit': result.exit_code, 'output': result.output,"
              " 'torch': 'torch' in sys.modules, 'hypothesis': 'hypothesis' in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "DLGRADE_CACHE_DIR": str(cache), "DLGRADE_SHIPPED_PLANS": str(int(shipped))})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_list_and_a_cached_self_check_do_not_import_torch(tmp_path):
    cache = tmp_path / "cache"
    help_run = _modules_after(["--help"], cache)
    assert help_run["exit"] == 0 and not help_run["torch"] and not help_run["hypothesis"]
    first_list = _modules_after(["list", "--json"], cache)  # builds the index: imports the content
    second_list = _modules_after(["list", "--json"], cache)
    assert second_list["output"] == first_list["output"]
    assert [e["name"] for e in json.loads(second_list["output"])] == [ex.name for ex in registry.all_exercises()]
    assert not second_list["torch"] and not second_list["hypothesis"]
    check = ["check", "softmax", "--path", str(PROJECT / "solutions")]
    assert _modules_after(check, cache)["torch"]  # the plan is drawn: torch computes the references
    cached = _modules_after(check, cache)
    assert cached["exit"] == 0 and "Total: 23/23" in cached["output"] and not cached["torch"]


@pinned_versions
def test_a_first_self_check_reads_the_shipped_plan_and_does_not_import_torch(tmp_path):
    check = ["check", "softmax", "--path", str(PROJECT / "solutions")]
    first = _modules_after(check, tmp_path / "empty cache", shipped=True)
    assert first["exit"] == 0 and "Total: 23/23" in first["output"] and not first["torch"], STALE
    assert not list((tmp_path / "empty cache").rglob("*.plan"))  # nothing drawn, nothing stored
