"""A small graded class for the class-report tests: the demo students on the softmax topic.

ann has the reference solutions, bob one gradient bug, carol three bugs, erin carol's file verbatim,
frank carol's file with every name changed, dave the untouched stubs. Graded once per test session.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.catalogue import PROJECT

STUDENTS = ("ann", "bob", "carol", "dave", "erin", "frank")
COPIERS = {"carol", "erin", "frank"}


@dataclass(frozen=True)
class GradedClass:
    folder: Path
    out: Path
    report: dict
    summary: dict

    @property
    def html(self) -> Path:
        return self.out / "class.html"


def build(root: Path) -> Path:
    klass = root / "class"
    for student in STUDENTS:
        folder = klass / student
        shutil.copytree(PROJECT / "exercises", folder, ignore=shutil.ignore_patterns("__pycache__"))
        if student == "ann":
            shutil.copy(PROJECT / "solutions" / "softmax.py", folder / "softmax.py")
        elif (PROJECT / "demo" / "students" / student).is_dir():
            shutil.copy(PROJECT / "demo" / "students" / student / "softmax.py", folder / "softmax.py")
    return klass


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    root = tmp_path_factory.mktemp("report")
    klass, out = build(root), root / "out"
    out.mkdir()
    result = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(klass), "--only", "softmax",
                             "--json", str(out / "report.json"), "--html", str(out / "class.html"),
                             "--summary-json", str(out / "summary.json"), "--feedback", str(out / "feedback"),
                             "--jobs", "2", "--timeout", "60"],
                            capture_output=True, text=True, cwd=PROJECT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return GradedClass(klass, out, json.loads((out / "report.json").read_text()),
                       json.loads((out / "summary.json").read_text()))
