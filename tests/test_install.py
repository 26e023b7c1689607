"""dlgrade installed as users install it (a wheel, not an editable checkout): every command works from
any folder, with nothing of the checkout on the path.

The wheel is built from a copy of the project and installed into a fresh venv without its
dependencies, which come from this environment's site-packages (a .pth file): nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.catalogue import PROJECT
from tests.plans_alike import assert_same_plans


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of what the distribution is built from."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    for package in ("grader", "autograde_tests"):
        shutil.copytree(PROJECT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    return source


@pytest.fixture(scope="module")
def installed(source, tmp_path_factory) -> Path:
    """The bin/ folder of a venv with dlgrade installed from a wheel."""
    root = tmp_path_factory.mktemp("install")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", root / "wheels",
          source])
    wheel = next((root / "wheels").glob("dlgrade-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-deps", wheel])
    # The dependencies (torch, numpy, nbgrader ...) from this environment, after the venv's own packages.
    purelib = Path(subprocess.check_output([venv / "bin" / "python", "-c",
                                            "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _env(bin_dir: Path) -> dict:
    # nbgrader runs `alembic` by name: it sits beside this environment's Python.
    return {**os.environ, "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])}


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    done = _run([installed / "python", "-c", "import grader; print(grader.__file__)"], cwd=tmp_path)
    assert str(installed.parent) in done.stdout and str(PROJECT) not in done.stdout


SHIPPED = PROJECT / "autograde_tests" / "plans"
BUILD_SOFTMAX = ("import sys; from pathlib import Path; from grader.engine import registry, shipped_plans; "
                 "shipped_plans.build(Path(sys.argv[1]), registry.select(['softmax']))")


def test_the_wheel_and_the_sdist_ship_the_plans_and_an_installed_package_draws_them_alike(installed, source, tmp_path):
    listed = _run([installed / "python", "-c", "from grader.engine import plan_cache; "
                   "print(plan_cache.SHIPPED, *sorted(p.name for p in plan_cache.SHIPPED.iterdir()))"], cwd=tmp_path)
    folder, *names = listed.stdout.split()
    assert str(installed.parent) in folder and names == sorted(p.name for p in SHIPPED.iterdir())
    # Drawn where dlgrade is in site-packages: the same plan as drawn from the checkout.
    _run([installed / "python", "-c", BUILD_SOFTMAX, tmp_path / "plans"], cwd=tmp_path)
    assert_same_plans(tmp_path / "plans", SHIPPED)
    sdist = _run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                  "print(build_meta.build_sdist(sys.argv[1]))", tmp_path / "sdist"], cwd=source).stdout.split()[-1]
    with tarfile.open(tmp_path / "sdist" / sdist) as archive:
        in_sdist = sorted(Path(name).name for name in archive.getnames() if "/autograde_tests/plans/" in name)
    assert in_sdist == names


def test_gradescope_zip_from_an_installed_package(installed, tmp_path):
    _run([installed / "dlgrade", "gradescope", "softmax", "--out", tmp_path / "ag.zip"], cwd=tmp_path, env=_env(installed))
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        names = set(archive.namelist())
        pyproject = archive.read("pyproject.toml").decode()
    assert {"setup.sh", "run_autograder", "constraints.txt", "grader/cli/__init__.py", "autograde_tests/softmax.py"} <= names
    assert 'name = "dlgrade"' in pyproject and "nbgrader" not in pyproject


def test_check_and_autograde_from_an_installed_package(installed, tmp_path):
    (tmp_path / "me").mkdir()
    shutil.copy(PROJECT / "solutions" / "softmax.py", tmp_path / "me" / "softmax.py")
    done = _run([installed / "dlgrade", "check", "softmax:softmax", "--path", "me"], cwd=tmp_path, env=_env(installed))
    assert "[PASS] softmax " in done.stdout
    _run([installed / "dlgrade", "autograde", ".", "--only", "softmax:softmax", "--json", "r.json"], cwd=tmp_path,
         env=_env(installed))
    assert json.loads((tmp_path / "r.json").read_text())["submissions"][0]["score"] == 4.5


def test_a_python_installation_under_tmp_stays_readable_by_workers(installed, tmp_path):
    """Workers get a private scratch at /tmp; an installation below /tmp (this venv, like a clone in
    /tmp and its .venv) must stay visible to them, not be covered by the scratch."""
    purelib = Path(subprocess.check_output([installed / "python", "-c",
                                            "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    assert str(purelib).startswith("/tmp/"), purelib
    (purelib / "dlgrade_probe_helper.py").write_text("SHIFT = 0.0\n")
    (tmp_path / "me").mkdir()
    (tmp_path / "me" / "softmax.py").write_text("import dlgrade_probe_helper\n" + (PROJECT / "solutions" / "softmax.py").read_text())
    done = _run([installed / "dlgrade", "check", "softmax:softmax", "--path", "me"], cwd=tmp_path, env=_env(installed))
    assert "[PASS] softmax " in done.stdout, done.stdout


def test_release_from_an_installed_package_takes_the_solutions(installed, tmp_path):
    env = _env(installed)
    missing = subprocess.run([installed / "dlgrade", "release", "--course", "course", "softmax"], cwd=tmp_path,
                             env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "pass --solutions DIR" in missing.stderr
    assert "Traceback" not in missing.stderr
    no_course = subprocess.run([installed / "dlgrade", "release", "--solutions", PROJECT / "solutions", "softmax"],
                               cwd=tmp_path, env=env, capture_output=True, text=True)
    assert no_course.returncode == 2 and "give --course DIR" in no_course.stderr
    done = _run([installed / "dlgrade", "release", "--course", "course", "--solutions", PROJECT / "solutions", "softmax"],
                cwd=tmp_path, env=env)
    assert "Released 1 topic(s): softmax" in done.stdout and "releases/" not in done.stdout
    assert (tmp_path / "course" / "release" / "softmax" / "softmax.ipynb").read_bytes() == \
        (PROJECT / "releases" / "softmax" / "softmax.ipynb").read_bytes()
