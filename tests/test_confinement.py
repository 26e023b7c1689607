"""Confinement (docs/confinement.md): hostile submissions graded beside an honest one in one real
`dlgrade autograde` run. Every attack fails, the honest student keeps full marks and unchanged files,
the run finishes and writes its report, and no process is left behind.

The run is a separate process so that, as in real use, the secret variable is in the grading process's
initial environment and the grader's pid is real. The fallback levels are forced with DLGRADE_SANDBOX.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.engine.grading import GradingOptions
from grader.isolation import confine
from tests.catalogue import PROJECT
from tests.conftest import grade_folder

FULL_LEVEL = confine.available() == confine.FULL
needs_full = pytest.mark.skipif(not FULL_LEVEL, reason="this machine does not allow full confinement")

FILE_SECRET = "FILESECRET-7f3a"
ENV_SECRET = "ENVSECRET-91b2"
ALICE_MARKER = "# ALICE-MARKER-c4d1"
SLEEP_MARKER = "987.654"  # the argument of every `sleep` the attackers start
SOFTMAX = """
def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
"""
# Raising the whole of what was read would put the secrets past the 300 characters an error message
# keeps: the attackers raise the text around each secret they look for (nothing when they found none).
EXCERPTS = """
def _excerpts(text):
    text = text.replace("\\x00", " ").replace("\\n", " ")
    found = [text[max(i - 20, 0):i + 40] for i in (text.find(m) for m in ("SECRET", "ALICE-MARKER", "BEGIN SOLUTION", "root:")) if i >= 0]
    return " | ".join(found) or "nothing: " + text[:200]
"""
ATTACK_THEN_SOFTMAX = """
def softmax(x):
    _attack()
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
"""


def _attacks(paths: dict[str, str]) -> dict[str, str]:
    """Student name -> the code of its softmax.py; `paths` are the test's absolute paths."""
    return {
        "overwrites_siblings": textwrap.dedent(f"""
            import os
            here = os.path.dirname(os.path.abspath(__file__))
            for folder in [os.path.dirname(here), {paths['alice']!r}]:
                for root, dirs, files in os.walk(folder):
                    for name in files + ["evil.py"]:
                        try:
                            with open(os.path.join(root, name), "w") as f:
                                f.write("def softmax(x):\\n    return x\\n")
                        except OSError:
                            pass
            """) + SOFTMAX,
        "overwrites_reports": textwrap.dedent(f"""
            import os
            for path in [{paths['report']!r}, {paths['victim']!r}, os.path.join({paths['out']!r}, "pwned.txt")]:
                try:
                    with open(path, "w") as f:
                        f.write("HACKED")
                except OSError:
                    pass
            """) + SOFTMAX,
        "reads_files": textwrap.dedent(f"""
            def softmax(x):
                found = []
                for path in [{paths['secret']!r}, {paths['alice_file']!r}, "/etc/shadow", "/etc/passwd", {str(PROJECT / 'solutions' / 'softmax.py')!r}]:
                    try:
                        found.append(open(path).read())
                    except OSError as exc:
                        found.append(str(exc))
                raise ValueError(_excerpts(" ".join(found)))
            """) + EXCERPTS,
        "reads_environment": textwrap.dedent("""
            import os
            def softmax(x):
                found = [repr(dict(os.environ))]
                for pid in ["self", "1", str(os.getppid())] + (os.listdir("/proc") if os.path.isdir("/proc") else []):
                    for part in ("environ", "cmdline"):
                        try:
                            found.append(open(f"/proc/{pid}/{part}", "rb").read().decode(errors="replace"))
                        except OSError:
                            pass
                raise ValueError(_excerpts(" ".join(found)))
            """) + EXCERPTS,
        "connects": textwrap.dedent(f"""
            import socket
            def _attack():
                for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM)):
                    try:
                        s = socket.socket(family, kind)
                        s.settimeout(1)
                        s.connect(("127.0.0.1", {paths['port']}))
                        s.sendall(b"HELLO")
                    except OSError:
                        pass
            """) + ATTACK_THEN_SOFTMAX,
        "kills": textwrap.dedent(f"""
            import os, signal
            def _attack():
                grader = int(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "grader.pid")).read())
                targets = [grader, os.getppid(), 1] + list(range(grader, grader + 100))
                targets += [int(p) for p in os.listdir("/proc") if p.isdigit()] if os.path.isdir("/proc") else []
                for pid in targets:
                    if pid != os.getpid():
                        for sig in (signal.SIGKILL, signal.SIGSTOP):
                            try:
                                os.kill(pid, sig)
                            except OSError:
                                pass
                try:
                    os.kill(-1, signal.SIGKILL)
                except OSError:
                    pass
            """) + ATTACK_THEN_SOFTMAX,
        "fork_bomb": textwrap.dedent(f"""
            import os, subprocess, time
            for _ in range(300):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    try:
                        subprocess.Popen(["sleep", "{SLEEP_MARKER}"], start_new_session=True)
                    except OSError:
                        pass
                    time.sleep(60)
                    os._exit(0)
            """) + SOFTMAX,
        "fills_scratch": textwrap.dedent("""
            import os, tempfile
            chunk = b"x" * 2**20
            for folder in {tempfile.gettempdir(), os.getcwd(), os.path.expanduser("~"), "/tmp", "/dev/shm"}:
                written = 0
                try:
                    with open(os.path.join(folder, "fill.bin"), "ab") as f:
                        while written < 2**31:
                            f.write(chunk)
                            written += len(chunk)
                except OSError:
                    pass
            """) + SOFTMAX,
        "reaches_torch": textwrap.dedent("""
            import gc, sys
            def _torch():
                is_torch = lambda m: isinstance(m, type(sys)) and m.__name__.split(".")[0] == "torch" and hasattr(m, "softmax")
                for obj in gc.get_objects():
                    if is_torch(obj):
                        return obj
                for name, module in list(sys.modules.items()):
                    if is_torch(module):
                        return module
                frame = sys._getframe()
                while frame is not None:
                    for value in list(frame.f_globals.values()) + list(frame.f_locals.values()):
                        if is_torch(value):
                            return value
                    frame = frame.f_back
                return None
            def softmax(x):
                torch = _torch()
                if torch is None:
                    return np.zeros_like(x)
                return torch.softmax(torch.from_numpy(x), 1).numpy()
            """),
    }


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(marker: str) -> set[int]:
    """Living processes whose command line holds `marker`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state != "Z":
            found.add(int(entry.name))
    return found


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("confinement")
    course, out, outside = tmp / "class", tmp / "out", tmp / "outside"
    for folder in (course, out, outside):
        folder.mkdir()
    alice = course / "alice"
    alice.mkdir()
    (alice / "softmax.py").write_text(ALICE_MARKER + "\n" + (PROJECT / "solutions" / "softmax.py").read_text())
    (outside / "secret.txt").write_text(FILE_SECRET)
    (outside / "victim.txt").write_text("ORIGINAL")
    report = out / "report.json"
    report.write_text("ORIGINAL")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    paths = {"alice": str(alice), "alice_file": str(alice / "softmax.py"), "report": str(report), "out": str(out),
             "victim": str(outside / "victim.txt"), "secret": str(outside / "secret.txt"),
             "port": listener.getsockname()[1]}
    attacks = _attacks(paths)
    for name, code in attacks.items():
        (course / name).mkdir()
        (course / name / "softmax.py").write_text("import numpy as np\n" + code)
    alice_before = _tree_digest(alice)
    env = {**os.environ, "DLGRADE_TEST_SECRET": ENV_SECRET}
    env.pop(confine.ENV_VAR, None)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "autograde", str(course), "--only", "softmax",
                                "--json", str(report), "--jobs", "2", "--timeout", "5"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp)
    (course / "kills" / "grader.pid").write_text(str(process.pid))
    stdout, stderr = process.communicate(timeout=600)
    seconds = time.monotonic() - started
    time.sleep(0.5)
    listener.setblocking(False)
    try:
        listener.accept()
        connected = True
    except BlockingIOError:
        connected = False
    listener.close()
    text = report.read_text()
    return {"returncode": process.returncode, "stderr": stderr, "stdout": stdout, "seconds": seconds,
            "report_text": text, "report": json.loads(text) if process.returncode == 0 else None,
            "alice_before": alice_before, "alice_after": _tree_digest(alice), "course": course, "out": out,
            "outside": outside, "connected": connected, "sleepers": _leftovers(SLEEP_MARKER),
            # The run's forkserver, workers and their children all carry the run's folder in their command
            # line (multiprocessing passes sys.path, which starts with the working directory).
            "run_processes": _leftovers(str(tmp)), "attacks": attacks}


def _scores(run) -> dict[str, dict[str, float]]:
    return {s["id"]: {e["name"]: e["score"] for e in s["exercises"]} for s in run["report"]["submissions"]}


def _messages(run, student: str) -> str:
    submission = next(s for s in run["report"]["submissions"] if s["id"] == student)
    return json.dumps(submission)


@needs_full
def test_the_run_finishes_fully_confined_and_leaves_no_process(hostile_run):
    assert hostile_run["returncode"] == 0, hostile_run["stderr"][-3000:]
    assert hostile_run["report"]["sandbox"] == confine.FULL
    assert "warning" not in hostile_run["stderr"]
    assert sorted(_scores(hostile_run)) == sorted(["alice", *hostile_run["attacks"]])
    assert hostile_run["sleepers"] == set()
    assert hostile_run["run_processes"] == set()


@needs_full
def test_the_honest_student_keeps_full_marks_and_unchanged_files(hostile_run):
    alice = _scores(hostile_run)["alice"]
    assert alice == {"softmax": 4.5, "softmax_loss_naive": 6.0, "softmax_loss_vectorized": 7.0, "softmax_loss": 5.5}
    assert hostile_run["alice_after"] == hostile_run["alice_before"]


@needs_full
def test_files_outside_a_submission_are_neither_written_nor_read(hostile_run):
    assert (hostile_run["outside"] / "victim.txt").read_text() == "ORIGINAL"
    assert not (hostile_run["out"] / "pwned.txt").exists()
    assert "HACKED" not in hostile_run["report_text"]
    for secret in (FILE_SECRET, ALICE_MARKER, "### BEGIN SOLUTION", "root:"):
        assert secret not in hostile_run["report_text"]
    assert "softmax.py" in _messages(hostile_run, "reads_files")  # the attack ran and failed with an error


@needs_full
def test_the_grading_process_environment_stays_out_of_the_report(hostile_run):
    assert ENV_SECRET not in hostile_run["report_text"]
    assert "ValueError" in _messages(hostile_run, "reads_environment")


@needs_full
def test_no_connection_reaches_the_host(hostile_run):
    assert not hostile_run["connected"]


@needs_full
def test_attackers_that_do_the_work_still_get_graded(hostile_run):
    """Killing, forking and filling the disk fail inside the sandbox; the code itself is correct."""
    scores = _scores(hostile_run)
    for student in ("kills", "fork_bomb", "fills_scratch", "connects", "overwrites_reports"):
        assert scores[student]["softmax"] == 4.5, (student, _messages(hostile_run, student))


@needs_full
def test_torch_cannot_be_found_in_a_worker(hostile_run):
    assert _scores(hostile_run)["reaches_torch"]["softmax"] < 4.5


# A course: a notebook reads the gradebook and the solutions -------------------------------------------


@needs_full
def test_a_course_notebook_cannot_read_gradebook_or_solutions(tmp_path):
    from grader.integrations.release import build_course  # noqa: PLC0415

    course = tmp_path / "course"
    build_course(course, ["softmax"])
    source = nbformat.read(course / "source" / "softmax" / "softmax.ipynb", as_version=4)
    from nbgrader.api import Gradebook  # noqa: PLC0415

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.add_student("GRADEBOOK-SECRET", first_name="Secret")
    for student, notebook in (("alice", source), ("mallory", nbformat.read(course / "release" / "softmax" / "softmax.ipynb",
                                                                           as_version=4))):
        if student == "mallory":
            cell = next(c for c in notebook.cells if c.get("id") == "softmax-solution")
            cell.source = textwrap.dedent(f"""
                def softmax(x):
                    found = []
                    for path in [{str(course / 'gradebook.db')!r}, {str(course / 'source' / 'softmax' / 'softmax.ipynb')!r}]:
                        try:
                            found.append(open(path, errors="replace").read())
                        except OSError as exc:
                            found.append(str(exc))
                    raise ValueError(_excerpts(" ".join(found)))
                """) + EXCERPTS
        folder = course / "submitted" / student / "softmax"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "softmax.ipynb")
    report = tmp_path / "report.json"
    outcome = CliRunner().invoke(main, ["autograde", "--course", str(course), "--assignment", "softmax",
                                        "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output
    text = report.read_text()
    data = {s["id"]: s for s in json.loads(text)["submissions"]}
    assert data["alice"]["score"] == data["alice"]["max_score"]
    assert "GRADEBOOK-SECRET" not in text and "BEGIN SOLUTION" not in text
    assert "No such file or directory" in json.dumps(data["mallory"])  # the attack ran, and found nothing


# Weaker levels, forced --------------------------------------------------------------------------------


@pytest.fixture()
def honest_class(tmp_path):
    course = tmp_path / "class"
    (course / "alice").mkdir(parents=True)
    (course / "alice" / "softmax.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
    return course


@pytest.mark.parametrize("level", ["landlock", "none"])
def test_a_forced_weaker_level_says_so_and_grades_honest_students_right(honest_class, tmp_path, monkeypatch, level):
    monkeypatch.setenv(confine.ENV_VAR, level)
    report = tmp_path / "report.json"
    outcome = CliRunner().invoke(main, ["autograde", str(honest_class), "--only", "softmax", "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(report.read_text())
    assert data["sandbox"] == level
    assert data["submissions"][0]["score"] == data["submissions"][0]["max_score"] == 23
    warnings = [line for line in outcome.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and repr(level) in warnings[0]


@pytest.mark.parametrize("command", [["autograde", "CLASS", "--only", "softmax"], ["check", "softmax", "--path", "CLASS/alice"]])
def test_require_sandbox_refuses_a_weaker_level_with_one_line(honest_class, monkeypatch, command):
    monkeypatch.setenv(confine.ENV_VAR, "landlock")
    args = [a.replace("CLASS", str(honest_class)) for a in command] + ["--require-sandbox"]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 2
    assert len(outcome.stderr.strip().splitlines()) == 1 and "--require-sandbox" in outcome.stderr


def test_a_bad_sandbox_level_is_one_clear_error(honest_class, monkeypatch):
    monkeypatch.setenv(confine.ENV_VAR, "docker")
    outcome = CliRunner().invoke(main, ["autograde", str(honest_class), "--only", "softmax"])
    assert outcome.exit_code == 2 and "is not a sandbox level" in outcome.output and "Traceback" not in outcome.output


@needs_full
@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader drops to nobody")
def test_a_submission_nobody_may_read_is_graded_from_a_private_copy(tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "softmax.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
    (folder / "softmax.py").chmod(0o600)
    folder.chmod(0o700)
    result = grade_folder(folder, ("softmax",), options=GradingOptions(timeout=10))
    assert result.score == result.max_score == 23
