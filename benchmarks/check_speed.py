"""Self-check time of chosen topics, printed as figures (nothing asserted: machines are shared and noisy).

For each topic, `dlgrade check TOPIC --path solutions` in a new process: cold with no shipped plan (the
plan drawn, references computed with torch), cold with the shipped plans (a student's first check,
when `make plans` is current), and with a warm plan cache. Each figure is the median of --repeat runs,
as wall time and as CPU time of the whole process tree (which a busy machine disturbs far less); the
fastest wall time is shown too.

Usage (from the repository root): python -m benchmarks.check_speed knn kernels logistic [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.grading_speed import DLGRADE, SOLUTIONS, _environment, _shipped_plans_current, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topics", nargs="+", help="topics (or exercises) to check")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is shown)")
    args = parser.parse_args()
    shipped_note = "" if _shipped_plans_current() else "   (the shipped plans are stale: `make plans`)"
    print(f"{'dlgrade check ... --path solutions, new process':<58} {'wall':>9} {'fastest':>9} {'CPU':>9}")
    for topic in args.topics:
        figures: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                drawn, shipped = (_environment(Path(tmp) / name, shipped=name == "shipped") for name in ("drawn", "shipped"))
                command = [*DLGRADE, "check", topic, "--path", str(SOLUTIONS)]
                for state, env in (("cold, no shipped plan", drawn), ("cold, shipped plan", shipped),
                                   ("warm plan cache", drawn)):
                    wall, cpu, _ = timed(command, env)
                    figures.setdefault(state, []).append((wall, cpu))
        for state, runs in figures.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            note = shipped_note if state == "cold, shipped plan" else ""
            print(f"{f'check {topic}, {state}':<58} {statistics.median(walls):>7.2f} s {min(walls):>7.2f} s "
                  f"{statistics.median(cpus):>7.2f} s{note}", flush=True)


if __name__ == "__main__":
    main()
