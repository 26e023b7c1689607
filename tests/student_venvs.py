"""The students' venvs: `pip install dlgrade` as a student gets it (numpy, hypothesis, click, scipy,
platformdirs; no torch), one per Python, under .venv-students/ (ignored by git).

`make test` runs this before the suite (python -m tests.student_venvs): it builds each missing or
stale venv once (stale: pyproject.toml or constraints.txt changed since) and says in one line which
Python is not on this machine. tests/test_student_platforms.py runs the student path in each venv
found. dlgrade is installed editable, so the venvs always run this checkout's code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FOLDER = PROJECT / ".venv-students"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")  # what the package supports (requires-python) and students have
_STAMP = ".installed"


def _pyenv_root() -> Path:
    try:
        return Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))


def find_python(minor: str) -> Path | None:
    """An interpreter of Python `minor` (3.12): pyenv's newest of it, or this process's base Python."""
    found = sorted(_pyenv_root().glob(f"versions/{minor}.*/bin/python{minor}"),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parents[1].name.split(".")])
    if found:
        return found[-1]
    if f"{sys.version_info.major}.{sys.version_info.minor}" == minor:
        return Path(getattr(sys, "_base_executable", sys.executable))
    return None


def _requirements_digest() -> str:
    return hashlib.sha256(b"".join((PROJECT / name).read_bytes() for name in ("pyproject.toml", "constraints.txt"))
                          ).hexdigest()


def venv(minor: str) -> Path:
    return FOLDER / f"python{minor}"


def ready(minor: str) -> bool:
    stamp = venv(minor) / _STAMP
    return stamp.exists() and stamp.read_text() == _requirements_digest()


def build(minor: str, python: Path) -> str | None:
    """Builds the venv of `minor` with `python`; None when done, else why not (one line)."""
    folder = venv(minor)
    shutil.rmtree(folder, ignore_errors=True)
    steps = [[python, "-m", "venv", folder],
             [folder / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
              "-c", PROJECT / "constraints.txt", "-e", PROJECT]]
    for step in steps:
        done = subprocess.run([str(s) for s in step], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            lines = [line for line in done.stderr.splitlines() if line.strip() and "is ignored" not in line]
            return lines[-1] if lines else f"exit {done.returncode}"
    (folder / _STAMP).write_text(_requirements_digest())
    return None


def main() -> int:
    for minor in PYTHONS:
        if ready(minor):
            continue
        python = find_python(minor)
        if python is None:
            print(f"student path: no Python {minor} on this machine (pyenv), not run under it")
            continue
        print(f"student path: building {venv(minor).relative_to(PROJECT)} (Python {minor}, no torch) ...", flush=True)
        why = build(minor, python)
        if why:
            print(f"student path: Python {minor}: the venv could not be built, not run under it ({why})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
