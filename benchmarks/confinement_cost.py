"""Worker start cost at each sandbox level, printed in milliseconds (nothing is asserted: machines are
shared and noisy).

A worker start is what grading pays per submission before running any student code: fork from the
preloaded forkserver, confinement (namespaces, new root filesystem, Landlock, limits), import of the
submission (here one small file), and the first message back. The forkserver is started once, before
timing. Levels this machine does not allow are skipped.

Usage: python benchmarks/confinement_cost.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from grader.isolation import confine
from grader.isolation.sandbox import start_worker

PROJECT = Path(__file__).resolve().parent.parent


def start_milliseconds(folder: Path, level: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        worker, load = start_worker(folder, ["softmax"], timeout=20, sandbox=level)
        times.append((time.perf_counter() - started) * 1000)
        assert "softmax" in load.exercises, load.errors
        worker.kill()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    strongest = confine.available()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "student"
        folder.mkdir()
        (folder / "softmax.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
        start_milliseconds(folder, "none", 2)  # starts the forkserver
        print(f"strongest level on this machine: {strongest}")
        print(f"{'level':<22} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}")
        for level in confine.LEVELS:
            if confine.LEVELS.index(level) > confine.LEVELS.index(strongest) or (
                    level == "landlock" and strongest == "namespaces"):
                print(f"{level:<22} {'(not available here)':>28}")
                continue
            times = sorted(start_milliseconds(folder, level, args.repeat))
            print(f"{level:<22} {statistics.median(times):>10.1f} {times[int(0.9 * (len(times) - 1))]:>8.1f} "
                  f"{times[0]:>8.1f}")


if __name__ == "__main__":
    main()
