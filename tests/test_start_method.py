"""Workers start everywhere a student is: the forkserver on Linux, spawn elsewhere or when asked
(DLGRADE_START_METHOD), a spawned worker holds neither the main module nor torch, and the isolation
modules import and degrade without what Linux alone has."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.isolation import confine_kernel, proctree, start_method
from tests.catalogue import PROJECT


def test_the_start_method_is_the_forkserver_on_linux_and_spawn_when_asked(monkeypatch):
    monkeypatch.delenv(start_method.VARIABLE, raising=False)
    assert start_method.name() == ("forkserver" if sys.platform == "linux" else "spawn")
    monkeypatch.setenv(start_method.VARIABLE, "spawn")
    assert start_method.name() == "spawn"
    monkeypatch.setenv(start_method.VARIABLE, "fork")
    with pytest.raises(start_method.StartMethodError, match="not a start method"):
        start_method.name()


def test_a_bad_start_method_is_one_line_and_exit_2():
    done = subprocess.run([sys.executable, "-m", "grader.cli", "check", "softmax", "--path", str(PROJECT / "solutions")],
                          capture_output=True, text=True, env={**os.environ, start_method.VARIABLE: "threads"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "DLGRADE_START_METHOD='threads' is not a start method (one of: forkserver, spawn)" in done.stderr


def test_a_spawned_worker_holds_neither_the_main_module_nor_torch(tmp_path):
    """multiprocessing would run the main module (here the dlgrade script, which imports the CLI)
    again in the worker, with whatever it imports; the submission reports what its process holds."""
    (tmp_path / "me").mkdir()
    (tmp_path / "me" / "probe.py").write_text(textwrap.dedent("""
        import sys
        def softmax(x):
            found = sorted(n for n in ("torch", "hypothesis", "click", "grader.cli", "grader.engine") if n in sys.modules)
            main = getattr(sys.modules["__main__"], "__file__", None)  # None: spawn's own `python -c` bootstrap
            raise ValueError(f"modules: {','.join(found)}; main: {main};")
    """))
    done = subprocess.run([str(Path(sys.executable).parent / "dlgrade"), "check", "softmax:softmax", "--path", "me"],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, start_method.VARIABLE: "spawn"})
    assert "ValueError: modules: ; main: None;" in done.stdout, done.stdout + done.stderr


def test_the_isolation_modules_import_without_resource_and_the_forkserver():
    """As on Windows (tests/simulated_laptop): importing them and choosing a start method work."""
    script = ("import grader.isolation.worker, grader.isolation.sandbox, grader.isolation.confine as c\n"
              "from grader.isolation import start_method\n"
              "print(start_method.name(), c.resource is None)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT,
                          env={**os.environ, "PYTHONPATH": str(PROJECT / "tests" / "simulated_laptop")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["spawn", "True"]


def test_off_linux_the_kernel_calls_are_refused_not_crashed(monkeypatch):
    monkeypatch.setattr(confine_kernel.sys, "platform", "darwin")
    confine_kernel._libc.cache_clear()
    try:
        with pytest.raises(confine_kernel.KernelRefused):
            confine_kernel.prctl(confine_kernel.PR_SET_NO_NEW_PRIVS, 1)
    finally:
        monkeypatch.undo()
        confine_kernel._libc.cache_clear()


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie until reaped
    except OSError:
        return True


@pytest.mark.skipif(sys.platform != "linux", reason="finds the child in /proc")
def test_without_proc_a_worker_is_killed_with_its_process_group(monkeypatch):
    """macOS: no /proc to walk; the worker leads its own process group, which is killed whole."""
    leader = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time\n"
                               "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
                               "print('started', flush=True); time.sleep(300)"],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert leader.stdout.readline().strip() == "started"
    (child,) = proctree.descendants(leader.pid)
    monkeypatch.setattr(proctree.sys, "platform", "darwin")
    proctree.kill_tree(leader.pid)
    monkeypatch.undo()
    assert leader.wait(10) != 0
    deadline = time.monotonic() + 10
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)
