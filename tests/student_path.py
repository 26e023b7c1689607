"""The student path, run as a student runs it: `dlgrade check` from the console script of the Python
running this file (a student's venv: tests/student_venvs.py), in a fresh folder.

    python tests/student_path.py PROJECT [--no-torch]

Uses only the standard library (a student's venv has no pytest). Checks the topic softmax on:
- one .py file in which each exercise shows one outcome: a correct exercise (full marks), a hang
  (time limit), a crash (os._exit) and a mistake (graded, fails a check), each costing only itself;
- a notebook holding the reference solution (full marks);
- with --no-torch: torch cannot be imported, a check without any plan (shipped plans off, an empty
  cache) says in one line to update dlgrade, exit 2, and the class report in one line that it
  needs the instructor's extra; never a traceback.
The plan comes from DLGRADE_CACHE_DIR, which the caller fills (or the shipped plans). Exits 1 with
what went wrong, 0 with one line saying what passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT = "3"  # seconds per exercise: the hang costs this much
MIXED = (  # (old, new) on solutions/softmax.py: one outcome per exercise
    ("    dx /= num_train\n", ""),  # softmax_loss: a mistake (dx N times too large)
    ("def softmax_loss_naive(W, X, y, reg):\n", "def softmax_loss_naive(W, X, y, reg):\n    while True:\n        pass\n"),
    ("def softmax_loss_vectorized(W, X, y, reg):\n",
     "def softmax_loss_vectorized(W, X, y, reg):\n    import os\n    os._exit(1)\n"),
)


class Failed(AssertionError):
    pass


def expect(condition: bool, what: str, done: subprocess.CompletedProcess) -> None:
    if not condition:
        raise Failed(f"{what}\n--- exit {done.returncode}; stdout:\n{done.stdout[-3000:]}\n--- stderr:\n{done.stderr[-3000:]}")


def start(*arguments, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    """`dlgrade ARGUMENTS`, started (the two checks run at once: most of their time is waiting)."""
    script = Path(sys.executable).parent / ("dlgrade.exe" if os.name == "nt" else "dlgrade")
    return subprocess.Popen([str(script), *arguments], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=600)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def dlgrade(*arguments, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return finish(start(*arguments, cwd=cwd, env=env))


def mixed_file(project: Path, folder: Path) -> Path:
    text = (project / "solutions" / "softmax.py").read_text()
    for old, new in MIXED:
        if old not in text:
            raise Failed(f"solutions/softmax.py no longer holds {old!r}: update tests/student_path.py")
        text = text.replace(old, new)
    folder.mkdir()
    (folder / "softmax.py").write_text(text)
    return folder


def notebook(project: Path, folder: Path) -> Path:
    text = (project / "solutions" / "softmax.py").read_text()
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Softmax"]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": text}]
    folder.mkdir()
    (folder / "softmax.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}))
    return folder


def main(argv: list[str]) -> int:
    project, no_torch = Path(argv[0]).resolve(), "--no-torch" in argv[1:]
    with tempfile.TemporaryDirectory(prefix="dlgrade-student-") as scratch:
        here = Path(scratch)
        mixed_file(project, here / "mine")
        notebook(project, here / "notebook")
        mixed = start("check", "softmax", "--path", "mine", "--timeout", TIMEOUT, cwd=here)
        whole = start("check", "softmax", "--path", "notebook", "--json", "report.json", cwd=here)
        done = finish(mixed)
        out = done.stdout
        expect(done.returncode == 1 and "Traceback" not in done.stdout + done.stderr, "the mixed file: exit 1", done)
        expect("[PASS] softmax " in out, "a correct exercise next to broken ones gets full marks", done)
        expect("[FAIL] softmax_loss " in out and "x dx matches" in out, "the mistake (dx not averaged) fails its check",
               done)
        expect("time limit" in out, "the hang costs its exercise the time limit", done)
        expect("exited with code 1" in out, "the crash (os._exit(1)) costs its exercise", done)
        if os.environ.get("DLGRADE_SANDBOX") == "none":  # the notice a laptop without namespaces shows
            notices = [line for line in done.stderr.splitlines() if "confined at level 'none'" in line]
            expect(len(notices) == 1 and notices[0].startswith("warning: "), "sandbox none: one line of notice", done)
        done = finish(whole)
        expect(done.returncode == 0 and "Total: 23/23" in done.stdout, "the notebook gets full marks", done)
        checked = ["a mistake, a hang, a crash, a pass", "a notebook"]
        if no_torch:
            probe = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, text=True)
            expect(probe.returncode != 0, "torch is not installed in this venv", probe)
            done = dlgrade("check", "softmax", "--path", "notebook", cwd=here,
                           env={"DLGRADE_SHIPPED_PLANS": "0", "DLGRADE_CACHE_DIR": str(here / "empty cache")})
            lines = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
            expect(done.returncode == 2 and len(lines) == 1 and "update dlgrade" in lines[0]
                   and "Traceback" not in done.stderr, "no plan and no torch: one line, exit 2", done)
            checked.append("no plan without torch")
            done = dlgrade("report", "report.json", "--html", "class.html", cwd=here)
            expect(done.returncode == 1 and "Traceback" not in done.stderr
                   and "instructor's extra: pip install 'dlgrade[instructor]'" in done.stderr,
                   "the class report without the instructor's extra: one line", done)
            checked.append("no class report without the instructor's extra")
    settings = ", ".join(f"{name}={os.environ[name]}" for name in ("DLGRADE_START_METHOD", "DLGRADE_SANDBOX")
                         if os.environ.get(name))
    print(f"student path passed on Python {sys.version.split()[0]}{' without torch' if no_torch else ''}"
          f"{' (' + settings + ')' if settings else ''}: {'; '.join(checked)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failed as failure:
        print(f"student path FAILED on Python {sys.version.split()[0]}: {failure}", file=sys.stderr)
        sys.exit(1)
