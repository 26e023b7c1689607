"""Hostile and broken submissions cost only their own exercises, with a clear status and message."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path

import pytest

from grader.engine.classroom import grade_class
from grader.engine.grading import GradingOptions
from grader.isolation import confine
from tests.catalogue import PROJECT
from tests.conftest import grade_folder, plan_for

NAMES = ("softmax",)  # the topic: the exercise `softmax` and three others
FAST = GradingOptions(timeout=4, import_timeout=10)  # an import that hangs costs 10 s, not 30


def _submission(tmp_path: Path, hostile: str, name: str = "student") -> Path:
    """A folder with the other softmax exercises correct (good.py) and the given code for softmax (hostile.py)."""
    folder = tmp_path / name
    folder.mkdir()
    good = (PROJECT / "solutions" / "softmax.py").read_text().replace("def softmax(x):", "def _own_softmax(x):")
    (folder / "good.py").write_text(good)
    (folder / "hostile.py").write_text("import numpy as np\n" + textwrap.dedent(hostile))
    return folder


def _grade(folder: Path, options=FAST):
    result = grade_folder(folder, NAMES, options=options)
    by_name = {e.name: e for e in result.exercises}
    assert all(e.full_marks for name, e in by_name.items() if name != "softmax"), "other exercises must be unaffected"
    return by_name["softmax"]


def _messages(result) -> str:
    return result.message + "\n".join(c.message for c in result.checks)


@pytest.mark.parametrize("body, status, text", [
    ("def softmax(x):\n    raise ValueError('boom')\n", "graded", "ValueError: boom (hostile.py, line 3)"),
    ("import sys\nsys.exit(3)\ndef softmax(x):\n    return x\n", "error", "sys.exit(3)"),
    ("import os\nos._exit(0)\ndef softmax(x):\n    return x\n", "error", "importing it failed: the process exited with code 0"),
    ("while True:\n    pass\ndef softmax(x):\n    return x\n", "error", "took longer than the time limit"),
    ("def softmax(x):\n    import os\n    os._exit(1)\n", "error", "exited with code 1"),
    ("def softmax(x):\n    import sys\n    sys.exit(0)\n", "graded", "sys.exit(0)"),
    ("def softmax(x):\n    import ctypes\n    ctypes.string_at(0)\n", "error", "SIGSEGV"),
    ("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
     "def softmax(x):\n    while True:\n        pass\n", "timeout", "time limit exceeded"),
    ("def softmax(x):\n    return None\n", "graded", "probs should be a numpy array of shape"),
    ("def softmax(x):\n    return np.ones((1, 1))\n", "graded", "probs has shape (1, 1)"),
    ("def softmax(x):\n    return np.full(x.shape, np.nan)\n", "graded", "nan"),
    ("def softmax(x):\n    e = np.exp(x - x.max(axis=1, keepdims=True))\n    return np.matrix(e / e.sum(axis=1, keepdims=True))\n",
     "graded", "ndarray subclass"),
    ("def softmax(x):\n    return [list(r) for r in x]\n", "graded", "got a list"),
    ("def softmax(x):\n    return lambda: 0\n", "graded", "function object"),
    ("def softmax(x):\n    return np.zeros(10**11)\n", "graded", "MemoryError"),
    ("def softmax(x)\n    return x\n", "error", "SyntaxError"),
    # The import succeeds as an inert placeholder; the numpy-only gate zeroes the exercise, and the use fails.
    ("import torch\ndef softmax(x):\n    return torch.softmax(torch.from_numpy(x), 1).numpy()\n", "graded",
     "torch is not available to submissions"),
    ("import torch\ndef softmax(x):\n    return torch.softmax(torch.from_numpy(x), 1).numpy()\n", "graded",
     "the module imports torch (line 2)"),
])
def test_broken_code_costs_only_its_exercise(tmp_path, body, status, text):
    result = _grade(_submission(tmp_path, body))
    assert result.status == status
    assert result.score == 0
    assert text in _messages(result), _messages(result)


def test_enormous_output_is_discarded_and_graded_normally(tmp_path):
    body = """
    import sys
    def softmax(x):
        sys.stdout.write("spam" * 10**6)
        sys.stderr.write("eggs" * 10**6)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    print("x" * 10**7)
    """
    assert _grade(_submission(tmp_path, body)).full_marks


def test_monkeypatching_numpy_and_the_grader_changes_nothing(tmp_path):
    body = """
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True
    np.isfinite = lambda x: np.ones(np.shape(x), dtype=bool)
    np.abs = lambda x: 0 * x
    import sys
    for name in list(sys.modules):
        if name.startswith(("grader", "autograde_tests")):
            sys.modules[name] = None
    def softmax(x):
        return np.zeros_like(x)
    """
    result = _grade(_submission(tmp_path, body))
    assert result.status == "graded" and result.score == 0


@pytest.mark.parametrize("level", ["namespaces+landlock", "landlock", "none"])
def test_no_process_of_a_submission_outlives_its_grading(tmp_path, level):
    if confine.LEVELS.index(level) > confine.LEVELS.index(confine.available()):
        pytest.skip(f"{level} is not available here")
    marker = f"{time.time() % 1000:.6f}"  # the argument of the submission's `sleep`s: found in /proc while grading
    body = f"""
    import os, subprocess
    started = []
    def softmax(x):
        if not started:
            started.append(subprocess.Popen(["sleep", "1{marker}"], start_new_session=True))
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:  # a daemon: orphaned at once, in its own session
                    os.execvp("sleep", ["sleep", "2{marker}"])
                os._exit(0)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    """
    seen, grading = set(), threading.Thread(target=_grade, args=(_submission(tmp_path, body),),
                                            kwargs={"options": GradingOptions(timeout=4, sandbox=level)})
    grading.start()
    while grading.is_alive():
        seen |= _processes_with(marker)
        time.sleep(0.02)
    grading.join()
    time.sleep(0.5)
    assert len(seen) == 2, "the submission's processes should have been seen while it was graded"
    assert _processes_with(marker) == set()


def _processes_with(marker: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_text() and _alive(int(entry.name)):
                found.add(int(entry.name))
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_a_hostile_student_does_not_affect_the_others(tmp_path):
    good = tmp_path / "class" / "alice"
    good.mkdir(parents=True)
    (good / "softmax.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
    hostile = _submission(tmp_path / "class", "import os\nos.kill(os.getppid(), 9)\ndef softmax(x):\n    os._exit(0)\n", "mallory")
    results = grade_class([good, hostile], plan_for(NAMES), options=FAST, jobs=2)
    assert [r.id for r in results] == ["alice", "mallory"]
    assert all(e.full_marks for e in results[0].exercises)
    assert results[1].score < results[1].max_score


def test_missing_exercise_scores_zero_with_status_missing(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.py").write_text("x = 1\n")
    result = grade_folder(folder, NAMES, options=FAST)
    assert [(e.status, e.score) for e in result.exercises] == [("missing", 0)] * 4
