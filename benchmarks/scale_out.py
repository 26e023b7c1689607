"""Scale-out benchmark: a simulated class graded on a Dask LocalCluster, as `--scheduler local:N` does.

Prints, for 1 and 2 Dask workers (or --workers):
- throughput (students per second), steady state (first result to last) and overall (cluster start
  included), and seconds per student inside the task;
- Dask's own cost per task: no-op tasks submitted and gathered the same way, and the gap between
  wall time x threads and the seconds spent grading;
- the client's memory: peak Python allocations and RSS of the grading loop (journal appends), and of
  the client's part alone (journal + streamed report) for 10^3 to 10^5 simulated students.

The class: copies of the reference softmax solution and of realistic mistakes from
tests/catalogue/softmax.py, one student each, in turns. Run from the repository root:

    .venv/bin/python -m benchmarks.scale_out --students 10000       # the full simulation
    .venv/bin/python -m benchmarks.scale_out --students 24 --client-sizes 1000,4000   # what ran on 2 shared cores

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

from grader.distributed import dask_cluster
from grader.distributed.journal import GradingKey, Journal, grader_version
from grader.distributed.student import GradedStudent
from grader.engine import registry
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions
from grader.reports import text as reports
from tests.catalogue import PROJECT
from tests.catalogue.softmax import MISTAKES


def simulated_class(root: Path, students: int, exercises: set[str]) -> list[Path]:
    """Correct and buggy copies in turns: the reference, then each catalogued mistake of the graded exercises."""
    reference = (PROJECT / "solutions" / "softmax.py").read_text()
    variants = [reference] + [m.source("softmax") for m in MISTAKES if m.exercise in exercises]
    root.mkdir(parents=True)
    folders = []
    for index in range(students):
        folder = root / f"student{index:06d}"
        folder.mkdir()
        (folder / "softmax.py").write_text(variants[index % len(variants)])
        folders.append(folder)
    return folders


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grade_on_cluster(workers: int, folders: list[Path], plan, options, journal_path: Path, key: GradingKey):
    started = time.perf_counter()
    with dask_cluster.dask_client(f"local:{workers}") as client:
        cluster_ready = time.perf_counter()
        noop_seconds = _noop_task_seconds(client, count=2000)
        tracemalloc.start()
        loop_started = time.perf_counter()
        first = None
        busy = 0.0
        with Journal(journal_path, key, resume=False) as journal:
            for graded in dask_cluster.graded_on_dask(client, folders, plan, options, stop=SimpleNamespace(requested=0)):
                journal.append(graded)
                busy += graded.seconds
                first = first or time.perf_counter()
        ended = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    steady = (len(folders) - 1) / (ended - first) if len(folders) > 1 and ended > first else float("nan")
    wall = ended - loop_started
    print(f"  {workers} worker(s): {steady:6.2f} students/s steady, {len(folders) / (ended - started):6.2f} overall "
          f"(cluster start {cluster_ready - started:.1f} s, first result after {first - loop_started:.1f} s)")
    print(f"    seconds per student inside the task: {busy / len(folders):.3f}; "
          f"wall x threads - grading time, per task: {(wall * workers - busy) / len(folders) * 1000:.1f} ms")
    print(f"    Dask cost of a no-op task (2000 submitted, gathered): {noop_seconds * 1000:.2f} ms")
    print(f"    client: peak Python allocations in the grading loop {peak / 2**20:.1f} MiB, RSS {_rss_mib():.0f} MiB")
    return steady


def _noop(value):
    return value


def _noop_task_seconds(client, count: int) -> float:
    started = time.perf_counter()
    futures = client.map(_noop, range(count), pure=False)
    client.gather(futures)
    del futures
    return (time.perf_counter() - started) / count


def client_side(students: int, sample: GradedStudent, key: GradingKey, root: Path) -> dict:
    """The client's own work for a class of `students`: appending each result to the journal (each
    fsync'd), then streaming the JSON report from it. Peak Python allocations, and rates."""
    path = root / f"client-{students}.jsonl"
    tracemalloc.start()
    started = time.perf_counter()
    with Journal(path, key, resume=False) as journal:
        entries = [journal.append(GradedStudent(f"s{i:06d}", sample.submission, sample.seconds,
                                                {**sample.result, "id": f"s{i:06d}"})) for i in range(students)]
        journaled = time.perf_counter()
        reports.json_report_writer(lambda: journal.results(entries), 1.0)(_Discard())
    reported = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = path.stat().st_size / 2**20
    path.unlink()
    return {"peak": peak / 2**20, "size": size, "appends": students / (journaled - started),
            "report": students / (reported - journaled)}


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="Dask worker counts to measure, comma-separated")
    parser.add_argument("--only", default="softmax_loss", help="exercises or topics graded (comma-separated)")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--client-sizes", default="1000,10000,100000",
                        help="class sizes for the client-side memory figures, comma-separated")
    args = parser.parse_args()
    exercises = registry.select(args.only.split(","))
    started = time.perf_counter()
    plan = make_plan(exercises, include_hidden=True)
    print(f"class of {args.students} simulated students, {len(exercises)} exercise(s) ({args.only}); "
          f"plan drawn in {time.perf_counter() - started:.1f} s")
    options = GradingOptions(timeout=args.timeout)
    key = GradingKey(tuple(ex.name for ex in exercises), args.timeout, grader_version())
    root = Path(tempfile.mkdtemp(prefix="dlgrade-scale-out-"))
    try:
        folders = simulated_class(root / "class", args.students, {ex.name for ex in exercises})
        throughput = {}
        for workers in [int(w) for w in args.workers.split(",")]:
            throughput[workers] = grade_on_cluster(workers, folders, plan, options, root / f"j{workers}.jsonl", key)
        if len(throughput) > 1:
            low, high = min(throughput), max(throughput)
            print(f"  speed-up {high} vs {low} worker(s): {throughput[high] / throughput[low]:.2f}x")
        with open(root / f"j{max(throughput)}.jsonl", "rb") as handle:
            line = json.loads(max(handle, key=len))  # the student with the most feedback
        sample = GradedStudent(line["id"], line["submission"], line["seconds"], line["result"])
        print("client memory for its own part (journal appends + streamed JSON report), by class size:")
        for students in [int(n) for n in args.client_sizes.split(",")]:
            side = client_side(students, sample, key, root)
            print(f"  {students:>7} students: peak Python allocations {side['peak']:6.2f} MiB, journal "
                  f"{side['size']:7.1f} MiB, {side['appends']:7.0f} journal appends/s (fsync'd), "
                  f"{side['report']:7.0f} students/s streamed into the JSON report")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
