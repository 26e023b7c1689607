"""Grading on Dask (`--scheduler`): the same report as `--jobs`, on a local cluster and on a scheduler
and workers started with the `dask` commands; a hostile student and a lost Dask worker cost nothing
else; no student process is left on the workers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("distributed")

from grader.distributed import dask_cluster  # noqa: E402
from grader.engine import registry  # noqa: E402
from grader.engine.examples import make_plan  # noqa: E402
from grader.engine.grading import GradingOptions  # noqa: E402
from grader.isolation import proctree  # noqa: E402
from tests.catalogue import PROJECT  # noqa: E402

ONLY = ("--only", "softmax_loss")
TIMEOUT = ("--timeout", "120")  # generous: this machine is shared, and a time-out would change a score
HOSTILE = """\
import os
os.kill(os.getppid(), 9)
def softmax_loss(W, X, y, reg):
    os._exit(0)
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, cwd=PROJECT)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """A correct student, a stub, and a hostile one who kills the process that started its worker."""
    root = tmp_path_factory.mktemp("class")
    for name, source in (("ann", "solutions"), ("ben", "exercises")):
        (root / name).mkdir()
        shutil.copy(PROJECT / source / "softmax.py", root / name / "softmax.py")
    (root / "mal").mkdir()
    (root / "mal" / "softmax.py").write_text(textwrap.dedent(HOSTILE))
    return root


@pytest.fixture(scope="module")
def with_jobs(klass, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("jobs") / "r.json"
    result = cli("autograde", str(klass), *ONLY, *TIMEOUT, "--jobs", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    ann, ben, mal = report["submissions"]
    assert (ann["score"], ben["score"], mal["score"]) == (5.5, 0.0, 0.0)
    assert report["inputs"] == "secret"  # the key of the tests (conftest): Dask and --jobs grade on it alike
    return out.read_text()


def test_a_local_cluster_gives_the_report_of_jobs(klass, with_jobs, tmp_path):
    out = tmp_path / "r.json"
    result = cli("autograde", str(klass), *ONLY, *TIMEOUT, "--scheduler", "local:2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == with_jobs


def _forkserver_children(root_pids: list[int]) -> list[int]:
    """Processes forked by a forkserver below `root_pids`: students' workers."""
    below = set().union(*(proctree.descendants(pid) for pid in root_pids))
    servers = {pid for pid in below if b"multiprocessing.forkserver" in _cmdline(pid)}
    parents = proctree._parents()
    return [pid for pid in below if parents.get(pid) in servers]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture
def dask_commands(tmp_path):
    """A scheduler and two workers started as an administrator would: `dask scheduler`, `dask worker`
    (with their default nanny, whose workers are daemonic processes)."""
    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = tmp_path / "scheduler.json"
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(scheduler_file)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(2):
            started.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield SimpleNamespace(address=address, workers=[p.pid for p in started[1:]])
    finally:
        for process in reversed(started):
            process.send_signal(signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                proctree.kill_tree(process.pid)
                process.wait()


def test_dask_scheduler_and_workers_commands_give_the_report_of_jobs(klass, with_jobs, dask_commands, tmp_path):
    out = tmp_path / "r.json"
    result = cli("autograde", str(klass), *ONLY, *TIMEOUT, "--scheduler", dask_commands.address, "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == with_jobs
    deadline = time.monotonic() + 30
    while _forkserver_children(dask_commands.workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _forkserver_children(dask_commands.workers) == [], "no student process is left on the workers"


def _pid_of_busy_worker(client) -> int | None:
    for address, keys in client.processing().items():
        if keys:
            return client.run(os.getpid, workers=[address])[address]
    return None


def test_a_dask_worker_killed_mid_run_costs_no_grade(klass, with_jobs):
    expected = {s["id"]: s for s in json.loads(with_jobs)["submissions"]}
    plan = make_plan(registry.select(["softmax_loss"]), include_hidden=True)
    folders = sorted(klass.iterdir())
    graded, killed = {}, None
    with dask_cluster.dask_client("local:2") as client:
        for student in dask_cluster.graded_on_dask(client, folders, plan, GradingOptions(timeout=120),
                                                   stop=SimpleNamespace(requested=0)):
            graded[student.id] = student.result
            if killed is None:
                killed = _pid_of_busy_worker(client)
                assert killed is not None, "a student was being graded"
                os.kill(killed, signal.SIGKILL)
    assert killed is not None
    assert graded == expected


def test_a_student_whose_dask_worker_is_lost_twice_gets_errors_and_the_class_goes_on(klass, with_jobs, tmp_path):
    """Retried once; lost again (KilledWorker), only that student's exercises are `error`."""
    expected = {s["id"]: s for s in json.loads(with_jobs)["submissions"]}
    for name in ("ann", "ben"):
        shutil.copytree(klass / name, tmp_path / name)
    (tmp_path / "zed").mkdir()
    (tmp_path / "zed" / "softmax.py").write_text("import time\ntime.sleep(60)\n")  # long enough to be caught
    plan = make_plan(registry.select(["softmax_loss"]), include_hidden=True)
    graded, kills = {}, []

    def kill_zeds_worker_twice(client) -> None:
        while len(kills) < 2 and "zed" not in graded:
            busy = {address: keys for address, keys in client.processing().items()
                    if any(key.endswith("-zed") for key in keys)}
            if len(graded) == 2 and busy and (address := next(iter(busy))) not in kills:
                os.kill(client.run(os.getpid, workers=[address])[address], signal.SIGKILL)
                kills.append(address)
            time.sleep(0.2)

    with dask_cluster.dask_client("local:2") as client:
        killer = threading.Thread(target=kill_zeds_worker_twice, args=(client,), daemon=True)
        killer.start()
        for student in dask_cluster.graded_on_dask(client, sorted(tmp_path.iterdir()), plan,
                                                   GradingOptions(timeout=120), stop=SimpleNamespace(requested=0)):
            graded[student.id] = student.result
        killer.join(5)
    assert len(kills) == 2
    for name in ("ann", "ben"):  # copies of the class's ann and ben: the same grades, another folder
        assert {**graded[name], "folder": ""} == {**expected[name], "folder": ""}
    (zed,) = graded["zed"]["exercises"]
    assert zed["status"] == "error" and zed["score"] == 0
    assert "Dask worker grading this submission was lost twice" in zed["message"]


CLASS_SIZE = 12


@pytest.fixture(scope="module")
def bigger_class(tmp_path_factory) -> Path:
    """Enough students that a Ctrl-C after the second one finds most of them ungraded."""
    root = tmp_path_factory.mktemp("bigger")
    for index in range(CLASS_SIZE):
        (root / f"s{index:02d}").mkdir()
        source = "solutions" if index % 2 == 0 else "exercises"
        shutil.copy(PROJECT / source / "softmax.py", root / f"s{index:02d}" / "softmax.py")
    return root


def test_ctrl_c_on_a_local_cluster_finishes_the_students_in_flight_and_exits_130(bigger_class, tmp_path):
    """A terminal's Ctrl-C is SIGINT to the whole process group, the Dask workers included: they must
    not die under their students (tracebacks, "Worker process died unexpectedly", a hang)."""
    report, journal = tmp_path / "r.json", tmp_path / "r.journal.jsonl"
    grade = ["autograde", str(bigger_class), *ONLY, *TIMEOUT, "--json", str(report)]
    run = subprocess.Popen([sys.executable, "-m", "grader.cli", *grade, "--scheduler", "local:2"], cwd=PROJECT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (journal.exists() and journal.read_bytes().count(b"\n") >= 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGINT)
    try:
        _, stderr = run.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        pytest.fail("the run did not end after Ctrl-C")
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr and "died" not in stderr, stderr
    assert "--resume" in stderr and not report.exists()
    lines = journal.read_bytes().splitlines(keepends=True)
    assert all(line.endswith(b"\n") and json.loads(line)["result"] for line in lines), "the journal is intact"
    assert 2 <= len(lines) < CLASS_SIZE
    deadline = time.monotonic() + 30
    while _group_alive(run.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _group_alive(run.pid), "no process of the run is left"

    resumed = cli(*grade, "--resume", "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(lines)} student(s) taken from the journal" in resumed.stderr
    scores = [s["score"] for s in json.loads(report.read_text())["submissions"]]
    assert scores == [5.5, 0.0] * (CLASS_SIZE // 2)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
