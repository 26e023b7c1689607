"""The grading process's passes over submissions stay bounded whatever a student's folder holds.

Builds a class of four students: ann (the reference softmax.py), bob (the same and a 48 MB .py of
junk), cat (the same without softmax_loss, among 20,000 small .py files of which half fail to import)
and dan (the same at the bottom of 200 nested packages). Then, each in a process of its own, it runs every pass the grading process (never a
worker) makes over the submissions and prints the seconds and the peak memory (max RSS) of each:

- the survey of a student's sources (find_sources and not_read, as the static checks use them);
- the journal's digest of a student's folder;
- the structural similarity of the class (copydetect's tokenizer, winnowing, comparison);
- `dlgrade autograde --only softmax --json` (the client: grading, journal, reports);
- `dlgrade report --html --summary-json` (the class page, which runs the similarity).

Run from the repository root (sizes can be made smaller):

    .venv/bin/python -m benchmarks.trusted_side_bounds
    .venv/bin/python -m benchmarks.trusted_side_bounds --junk-mb 8 --files 2000 --depth 50

Max RSS is the largest of the process and the processes it waited for. The autograde figure assumes
the plan is in the cache (run it twice): a plan drawn afresh imports torch, some 250 MB more.
With the defaults, on 2 shared cores (December 2026): the surveys 0.05-2 s and 14-32 MB, the digests
under 1 s, the similarity 1.5 s and 79 MB, autograde 18 s and 83 MB, the class page 1.7 s and 86 MB.
Before the bounds, the similarity alone took 69 s and 542 MB for an 8 MB junk file (more than 10
minutes and 3 GB for 48 MB), and a missing exercise among 20,000 broken files 100 s (quadratic).

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SOLUTION = PROJECT / "solutions" / "softmax.py"


def build_class(root: Path, *, junk_mb: int, files: int, depth: int) -> Path:
    klass = root / "class"
    for student in ("ann", "bob", "cat", "dan"):
        (klass / student).mkdir(parents=True)
        shutil.copy(SOLUTION, klass / student / "softmax.py")
    rng = random.Random(0)
    line = "".join(rng.choice("abcdefghij =+-*()[]:,.0123456789") for _ in range(99)) + "\n"
    with open(klass / "bob" / "junk.py", "w") as junk:
        for _ in range(junk_mb * 2**20 // len(line)):
            junk.write(line)
    # cat's softmax_loss is missing, and every other file fails to import: each exercise not found is
    # explained from the import errors (the static side's lookups must not grow with errors x files).
    (klass / "cat" / "softmax.py").write_text(SOLUTION.read_text().replace("def softmax_loss(", "def _unused("))
    many = klass / "cat" / "generated"
    for index in range(files):
        folder = many / f"part{index // 1000}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "def broken(:\n" if index % 2 else f"def helper_{index}(x):\n    return x * {index} + 1\n"
        (folder / f"module_{index}.py").write_text(body)
    nested = klass / "dan"
    for level in range(depth):
        nested = nested / f"level{level}"
        nested.mkdir()
        (nested / "__init__.py").write_text("")
    (nested / "deep.py").write_text("VALUE = 1\n")
    return klass


def measure(label: str, command: list[str]) -> None:
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    stderr = process.stderr.read()
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    note = "" if code in (0, 1) else f"  (exit {code}: {stderr.strip().splitlines()[-1:]})"
    print(f"{label:<58} {seconds:8.2f} s {usage.ru_maxrss / 1024:9.0f} MB{note}", flush=True)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junk-mb", type=int, default=48)
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--depth", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgrade-bounds-") as scratch:
        started = time.monotonic()
        klass = build_class(Path(scratch), junk_mb=args.junk_mb, files=args.files, depth=args.depth)
        print(f"class built in {time.monotonic() - started:.1f} s: bob has a {args.junk_mb} MB .py, cat "
              f"{args.files} files (half broken), dan {args.depth} nested packages\n")
        print(f"{'pass':<58} {'wall':>10} {'max RSS':>12}")
        for student in ("ann", "bob", "cat", "dan"):
            measure(f"sources survey (find_sources + not_read), {student}", python(
                "from grader.isolation.sources import find_sources, not_read; from pathlib import Path; "
                f"p = Path({str(klass / student)!r}); find_sources(p); not_read(p)"))
        for student in ("bob", "cat"):
            measure(f"journal digest, {student}", python(
                "from grader.distributed.journal import submission_digest; "
                f"submission_digest({str(klass / student)!r})"))
        measure("structural similarity, the class", python(
            "from pathlib import Path; from grader.reports import similarity, class_report; "
            f"k = Path({str(klass)!r}); "
            "similarity.structural_pairs({p.name: p for p in k.iterdir()}, class_report.RELEASED_STUBS)"))
        report = Path(scratch) / "r.json"
        measure("dlgrade autograde --only softmax --json (client)", [
            sys.executable, "-m", "grader.cli", "autograde", str(klass), "--only", "softmax", "--json", str(report)])
        measure("dlgrade report --html --summary-json (class page)", [
            sys.executable, "-m", "grader.cli", "report", str(report), "--html", str(Path(scratch) / "c.html"),
            "--summary-json", str(Path(scratch) / "s.json"), "--submissions", str(klass)])


if __name__ == "__main__":
    main()
