"""`make demo`: build a small class from the bundled demo students and autograde it.

The class: alice (the reference solutions), bob (partial: softmax done, one gradient bug), carol
(buggy), dave (the untouched stubs), erin (carol's file, verbatim), frank (carol's file with every name
changed) and mallory (hostile: crashes, hangs, torch, monkeypatching).
Reports go to demo_output/ (report.json, grades.csv, class.html, feedback/); the table and carol's
feedback are printed. The class report's similarity section flags carol, erin and frank.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import subprocess

from grader.integrations import grading_key

PROJECT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT / "demo_output"
STUDENTS = ("alice", "bob", "carol", "dave", "erin", "frank", "mallory")


def build_class(target: Path) -> Path:
    """Student folders under target/class: stubs first, then each student's own files over them."""
    klass = target / "class"
    shutil.rmtree(klass, ignore_errors=True)
    for student in STUDENTS:
        folder = klass / student
        base = PROJECT / ("solutions" if student == "alice" else "exercises")
        shutil.copytree(base, folder, ignore=shutil.ignore_patterns("__pycache__"))
        own = PROJECT / "demo" / "students" / student
        if own.is_dir():
            for path in own.glob("*.py"):
                shutil.copy(path, folder / path.name)
    return klass


def main() -> int:
    OUTPUT.mkdir(exist_ok=True)
    klass = build_class(OUTPUT)
    # The demo's own grading key (the secret inputs it grades on), not the user's: a demo changes nothing
    # in the user's config folder.
    key = OUTPUT / "grading-key"
    grading_key.read_or_create(key, print)
    args = ["autograde", str(klass), "--key-file", str(key), "--json", str(OUTPUT / "report.json"),
            "--csv", str(OUTPUT / "grades.csv"),
            "--html", str(OUTPUT / "class.html"), "--feedback", str(OUTPUT / "feedback"), "--jobs", "2", "--timeout", "10"]
    print(f"$ dlgrade {' '.join(args)}", flush=True)
    graded = _dlgrade(args)
    if graded.returncode:
        return graded.returncode
    print("\nWhat carol sees when she checks her softmax topic:")
    print("$ dlgrade check softmax --path demo_output/class/carol\n", flush=True)
    _dlgrade(["check", "softmax", "--path", str(klass / "carol")])  # exits 1: carol has failures
    print(f"\nReports: {OUTPUT / 'report.json'}, {OUTPUT / 'grades.csv'}, feedback pages in {OUTPUT / 'feedback'}")
    print(f"Class report (open it in a browser): {OUTPUT / 'class.html'}")
    return 0


def _dlgrade(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=PROJECT, check=False)


if __name__ == "__main__":
    sys.exit(main())
