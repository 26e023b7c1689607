"""What a student's laptop pays: the size of the student install and the self-check time of a topic
with each worker start method (printed; nothing is asserted: machines are shared and noisy).

- Size: site-packages of each student venv (.venv-students/, `pip install dlgrade`: no torch; built
  by `python -m tests.student_venvs`), next to the full development venv (.venv, with torch).
- Time: `dlgrade check TOPIC --path solutions` as a student runs it (a new process each time, the
  plan read from a private cache drawn once first), with DLGRADE_START_METHOD=forkserver (Linux's
  default) and spawn (macOS, Windows), wall seconds and the CPU seconds of the command and its workers.

Usage: python -m benchmarks.student_laptop [--topic softmax] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from grader.isolation import confine_kernel
from tests import student_venvs

PROJECT = Path(__file__).resolve().parent.parent


def folder_megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def site_packages(python: Path) -> Path:
    return Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())


def print_sizes() -> None:
    print("Student install (site-packages, MB; dlgrade itself is editable here: + its package, "
          f"{folder_megabytes(PROJECT / 'grader') + folder_megabytes(PROJECT / 'autograde_tests'):.1f} MB with the plans):")
    for minor in student_venvs.PYTHONS:
        if student_venvs.ready(minor):
            packages = site_packages(student_venvs.venv(minor) / "bin" / "python")
            biggest = sorted(((folder_megabytes(p), p.name) for p in packages.iterdir() if p.is_dir()), reverse=True)[:4]
            print(f"  Python {minor} (no torch): {folder_megabytes(packages):7.1f}   largest: "
                  + ", ".join(f"{name} {size:.0f}" for size, name in biggest))
        else:
            print(f"  Python {minor}: no student venv (python -m tests.student_venvs)")
    full = Path(sysconfig.get_paths()["purelib"])
    print(f"  this environment ({sys.version.split()[0]}, with torch and the dev extras): {folder_megabytes(full):7.1f}")


def _reap_orphans() -> None:
    """Waits for the processes the command left to us (its forkserver exits just after it), so that
    their CPU counts in RUSAGE_CHILDREN."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def timed_check(topic: str, env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one `dlgrade check TOPIC --path solutions`, workers and forkserver included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "dlgrade"), "check", topic, "--path", "solutions"],
                          cwd=PROJECT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    _reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"dlgrade check {topic} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def print_times(topic: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-cache-") as cache:
        env = {**os.environ, "DLGRADE_CACHE_DIR": cache}
        timed_check(topic, env)  # draws the plan once, if the shipped plans are not current
        print(f"\nSelf-check of {topic} (dlgrade check {topic} --path solutions; median of {repeat}):")
        for method in ("forkserver", "spawn"):
            runs = [timed_check(topic, {**env, "DLGRADE_START_METHOD": method}) for _ in range(repeat)]
            print(f"  {method:<10} wall {statistics.median(r[0] for r in runs):5.2f} s   "
                  f"CPU {statistics.median(r[1] for r in runs):5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="softmax")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # Orphans of the command (its forkserver) become our children, so their CPU is counted.
    confine_kernel.prctl(confine_kernel.PR_SET_CHILD_SUBREAPER, 1)
    print_sizes()
    print_times(args.topic, args.repeat)


if __name__ == "__main__":
    main()
