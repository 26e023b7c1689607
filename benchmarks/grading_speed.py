"""Grading speed, printed as figures (nothing is asserted: machines are shared and noisy).

1. Self-check of one topic: wall time of `dlgrade check TOPIC --path solutions` (a new process:
   interpreter, torch import, plan, worker start, grading).
2. Class autograde throughput, in submissions per minute, on a generated class with --jobs 1 and 2.
   The class mixes correct submissions, untouched stubs and the demo's partial and buggy students.
3. Where the time goes: seconds inside student code (as the workers measured them), seconds making
   the plan (drawing inputs and computing the torch references, once per class run), and the rest
   (process starts, transport, comparisons, shrinking of failures).

Usage: python benchmarks/grading_speed.py [--students 50] [--topic softmax] [--only TOPIC ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from grader.engine import registry  # noqa: E402
from grader.engine.classroom import grade_class, student_folders  # noqa: E402
from grader.demo import build_class  # noqa: E402
from grader.engine.examples import make_plan  # noqa: E402
from grader.engine.grading import GradingOptions, GradingStats  # noqa: E402


def self_check_seconds(topic: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "check", topic, "--path", str(PROJECT / "solutions")],
                   cwd=PROJECT, capture_output=True, check=False)
    return time.perf_counter() - started


def generated_class(root: Path, students: int) -> list[Path]:
    demo = build_class(root)  # alice (correct), bob (partial), carol (buggy), dave (stubs), mallory (hostile)
    kinds = ["alice", "alice", "bob", "carol", "dave"]  # hostile students only in the demo: they wait out time limits
    klass = root / "generated"
    for index in range(students):
        shutil.copytree(demo / kinds[index % len(kinds)], klass / f"s{index:03d}")
    return student_folders(klass)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--topic", default="softmax", help="topic for the self-check timing")
    parser.add_argument("--only", nargs="*", default=[], help="exercises or topics for the class run (default: all)")
    args = parser.parse_args()

    print(f"self-check of topic {args.topic!r} (new process, reference solutions): "
          f"{self_check_seconds(args.topic):.1f} s")

    exercises = registry.select(args.only)
    started = time.perf_counter()
    plan = make_plan(exercises, include_hidden=True)
    plan_seconds = time.perf_counter() - started
    examples = sum(len(ps.examples) for scenarios in plan.scenarios.values() for ps in scenarios)
    print(f"plan: {len(exercises)} exercises, {examples} inputs drawn and referenced in {plan_seconds:.1f} s "
          "(once per class run)")

    with tempfile.TemporaryDirectory() as tmp:
        folders = generated_class(Path(tmp), args.students)
        for jobs in (1, 2):
            stats = GradingStats()
            started = time.perf_counter()
            grade_class(folders, plan, options=GradingOptions(timeout=20, stats=stats), jobs=jobs)
            seconds = time.perf_counter() - started
            total = seconds * jobs  # worker-seconds available: with 2 jobs, two students run at once
            outside = total - stats.student_seconds
            print(f"--jobs {jobs}: {len(folders)} submissions in {seconds:.1f} s = "
                  f"{60 * len(folders) / seconds:.1f} submissions/minute; "
                  f"student code {stats.student_seconds:.1f} s of {total:.1f} job-seconds, "
                  f"outside student code and references {100 * outside / total:.0f}% "
                  f"({stats.round_trips} round trips to workers)")


if __name__ == "__main__":
    main()
