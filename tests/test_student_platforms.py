"""The self-check on a student's laptop, run as a student runs it (tests/student_path.py: a mistake,
a hang, a crash and a pass in one file, and a notebook): with the spawn start method (macOS,
Windows), with the sandbox at level none, in an interpreter without the forkserver and the resource
module (Windows, simulated: tests/simulated_laptop), and in venvs without torch under each Python
3.10 to 3.13 this machine has (tests/student_venvs.py; `make test` builds them once). Under each of
those Pythons every scenario's inputs are drawn again and compared with the shipped plan's: the plan's
key leaves Python out (disk_cache.versions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine import disk_cache, plan_cache, registry
from grader.engine.plan_cache import SHIPPED, PlanCache
from tests import student_venvs
from tests.catalogue import PROJECT
from tests.drawn_inputs import inputs_digest

SIMULATED_LAPTOP = str(PROJECT / "tests" / "simulated_laptop")
SPAWN, NO_SANDBOX = {"DLGRADE_START_METHOD": "spawn"}, {"DLGRADE_SANDBOX": "none"}


@pytest.fixture(scope="module")
def plan_cache_dir(tmp_path_factory) -> Path:
    """A private cache holding softmax's public plan, drawn here with torch, for when the shipped plans
    are not current (after a change, until `make plans`): the venvs without torch read it. With
    current shipped plans, the check reads those and this stays empty."""
    cache = tmp_path_factory.mktemp("cache")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "check", "softmax", "--path", str(PROJECT / "solutions")],
                          capture_output=True, text=True, timeout=900, env={**os.environ, "DLGRADE_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return cache


def _student_path(python: Path | str, plan_cache_dir: Path, env: dict, *, no_torch: bool) -> str:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DLGRADE_START_METHOD", "DLGRADE_SANDBOX", "DLGRADE_SHIPPED_PLANS", "PYTHONPATH")}
    done = subprocess.run([str(python), str(PROJECT / "tests" / "student_path.py"), str(PROJECT)]
                          + (["--no-torch"] if no_torch else []), capture_output=True, text=True, timeout=900,
                          env={**environment, "DLGRADE_CACHE_DIR": str(plan_cache_dir), **env})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


@pytest.mark.parametrize("env", [SPAWN, NO_SANDBOX, {"PYTHONPATH": SIMULATED_LAPTOP, **NO_SANDBOX}],
                         ids=["spawn", "sandbox none", "no forkserver, no resource"])
def test_the_student_path_with_the_start_method_and_sandbox_of_a_laptop(plan_cache_dir, env):
    assert "student path passed" in _student_path(sys.executable, plan_cache_dir, env, no_torch=False)


@pytest.mark.parametrize("minor", student_venvs.PYTHONS)
def test_the_student_path_without_torch_under_each_python(plan_cache_dir, minor):
    if not student_venvs.ready(minor):
        pytest.skip(f"no student venv for Python {minor}: none on this machine, or `python -m tests.student_venvs` "
                    "(make test) not run")
    python = student_venvs.venv(minor) / "bin" / "python"
    assert f"on Python {minor}." in _student_path(python, plan_cache_dir, {}, no_torch=True)


def test_a_windows_like_student_without_torch(plan_cache_dir):
    """Spawn (no forkserver), no resource module, sandbox none and no torch at once."""
    minor = next((m for m in reversed(student_venvs.PYTHONS) if student_venvs.ready(m)), None)
    if minor is None:
        pytest.skip("no student venv: `python -m tests.student_venvs` (make test) not run")
    python = student_venvs.venv(minor) / "bin" / "python"
    output = _student_path(python, plan_cache_dir, {"PYTHONPATH": SIMULATED_LAPTOP, **NO_SANDBOX}, no_torch=True)
    assert "without torch (DLGRADE_SANDBOX=none)" in output


@pytest.mark.parametrize("minor", [m for m in student_venvs.PYTHONS if m != f"{sys.version_info.major}.{sys.version_info.minor}"])
def test_every_input_drawn_under_another_python_is_the_shipped_plans(minor):
    """About 20 s of CPU per Python: hypothesis and the strategies only (no torch, no references)."""
    if not student_venvs.ready(minor):
        pytest.skip(f"no student venv for Python {minor}")
    key = plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())
    assert json.loads((SHIPPED / plan_cache.MANIFEST).read_text()) == key, \
        "autograde_tests/plans/ is stale: run `make plans` (python -m grader.engine.shipped_plans)"
    done = subprocess.run([str(student_venvs.venv(minor) / "bin" / "python"), str(PROJECT / "tests" / "drawn_inputs.py")],
                          capture_output=True, text=True, timeout=1800, cwd=PROJECT)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    shipped = PlanCache(SHIPPED, compressed=True)
    every = {f"{ex.name}/{sc.name}": (ex.name, i, sc.name) for ex in registry.all_exercises() for i, sc in enumerate(ex.scenarios)}
    assert set(found["drawn"]) | set(found["undrawable"]) == set(every)
    assert len(found["undrawable"]) <= 5, found["undrawable"]  # kmeans's filters use torch
    differ = [name for name, digest in found["drawn"].items() if inputs_digest(shipped.load(*every[name])[0]) != digest]
    assert differ == [], f"drawn differently under Python {minor}: {differ}"


def test_feedback_written_in_a_windows_encoding_is_printed_not_a_traceback(tmp_path):
    """On Windows a pipe or a file gets cp1252, which has no σ (weight_init's checks name N(0, σ²))."""
    done = subprocess.run([str(Path(sys.executable).parent / "dlgrade"), "check", "xavier_normal", "--path",
                           str(PROJECT / "exercises")], capture_output=True, env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr.decode("cp1252", "replace")[-2000:]
    assert b"Total: 0/8.5" in done.stdout
