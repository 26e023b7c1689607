"""How far a correct submission is from the per-exercise time limit (figures; nothing asserted).

For every exercise, grades the reference solution and prints the seconds spent inside its code for all
of the exercise's inputs (as the worker measured them: one round trip is bounded by --timeout), and the
slow-down factor the machine could suffer before the default limit is reached. Importing the
submission has its own limit (GradingOptions.import_timeout) and is not part of these figures.

Usage: python benchmarks/time_limit_margin.py [--only TOPIC ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from grader.engine import registry
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, GradingStats, grade_submission

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="a topic or exercise (repeatable)")
    args = parser.parse_args()
    limit = GradingOptions.timeout
    print(f"default limit: {limit:g} s per exercise (all its inputs); import limit "
          f"{GradingOptions.import_timeout:g} s")
    print(f"{'exercise':<32} {'inputs':>6} {'student s':>10} {'wall s':>8} {'margin':>8}")
    worst = 0.0
    for exercise in registry.select(args.only):
        plan = make_plan([exercise], include_hidden=True)
        stats = GradingStats()
        started = time.perf_counter()
        grade_submission(PROJECT / "solutions", plan, submission_id="reference",
                         options=GradingOptions(stats=stats))
        wall = time.perf_counter() - started
        inputs = sum(len(ps.examples) for ps in plan.scenarios[exercise.name])
        worst = max(worst, stats.student_seconds)
        margin = limit / stats.student_seconds if stats.student_seconds else float("inf")
        print(f"{exercise.name:<32} {inputs:>6} {stats.student_seconds:>10.3f} {wall:>8.2f} {margin:>7.0f}x")
    print(f"slowest exercise: {worst:.3f} s of student code; the machine may be {limit / worst:.0f}x slower "
          "before a correct submission reaches the limit")


if __name__ == "__main__":
    main()
