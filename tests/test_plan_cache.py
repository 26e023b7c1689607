"""The plan cache on disk stands in for drawing exactly, is ignored when bad or misplaced, and lets
`--help`, `list` and a self-check with a cached plan start without importing torch."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

from grader.engine import disk_cache, plan_cache, registry
from grader.engine.examples import make_plan
from grader.engine.plan_cache import PlanCache
from tests.catalogue import PROJECT

NAMES = ["softmax", "softmax_loss"]  # exercises (not the topic softmax)


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


def test_no_cache_inside_a_submission_and_none_when_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRADE_CACHE_DIR", str(tmp_path / "student" / ".cache"))
    assert plan_cache.default_cache(avoid=[tmp_path / "student"]) is None
    assert plan_cache.default_cache(avoid=[tmp_path / "other"]).folder.is_relative_to(tmp_path / "student" / ".cache")
    monkeypatch.setenv("DLGRADE_CACHE_DIR", "")
    assert plan_cache.default_cache() is None
    assert disk_cache.cache_root() is None


def test_the_key_changes_with_the_content(tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRADE_CACHE_DIR", str(tmp_path))
    before = plan_cache.default_cache().folder
    monkeypatch.setattr(disk_cache, "content_digest", lambda: "another definition")
    assert plan_cache.default_cache().folder != before


def _modules_after(arguments: list[str], cache) -> dict:
    script = ("import json, sys\nfrom click.testing import CliRunner\nfrom grader.cli import main\n"
              f"result = CliRunner().invoke(main, {arguments!r})\n"
              "print(json.dumps({'exit': result.exit_code, 'output': result.output,"
              " 'torch': 'torch' in sys.modules, 'hypothesis': 'hypothesis' in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "DLGRADE_CACHE_DIR": str(cache)})
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
