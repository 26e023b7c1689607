"""Grading speed and memory, side by side with a stock nbgrader anchor, printed as figures.

Nothing is asserted: machines are shared and noisy; the ratios are what count. Every figure is given
as wall time and as CPU time (user + system of the whole process tree), which a busy machine disturbs
far less. One run prints:

- the anchor: stock `nbgrader autograde` of a course built here with real nbgrader: one notebook whose 4
  autograded test cells run derandomized hypothesis properties (30 examples per scenario, dlgrade's
  strategies and counts) against a float64 torch reference, graded for a class of correct students;
- `dlgrade autograde --only softmax --jobs 2` on the same class (12 and 24 students), each a new process,
  and the marginal cost of a passing exercise: (t24 - t12) / (12 x 4);
- `dlgrade check softmax` and `dlgrade check` (every exercise) on the reference solutions, in a new process;
- `dlgrade --help` and `dlgrade list`;
- peak memory (high-water RSS) of the grading process and of its largest other process (forkserver,
  worker), for 12 and 24 students: flat with class size when results do not pile up;
- seconds per failing student (shrinking) on the catalogue's softmax mistakes, graded one by one;
- a failing class per topic family (softmax; gated_rnn): 8 students with the reference and 8 each
  with one catalogued mistake (the first of each exercise, then the second...), `dlgrade autograde
  --jobs 2`: median and slowest seconds per failing and per passing student (as the journal records
  them), the ratio failing / passing, the cores kept busy (CPU seconds of every process / wall), the
  students graded at once (their seconds summed / wall: what --jobs gives when the machine has the
  cores to spare) and the run's wall time. `--failing-class` runs only this part (`--repeat N` times: a shared machine is noisy).

Runs with a cold and a warm plan cache (DLGRADE_CACHE_DIR points to a fresh folder) and without the
plans shipped in the package (DLGRADE_SHIPPED_PLANS=0): the first process of a run draws the plan, the
others read it. The self-checks are timed once more with nothing cached but the shipped plans, what
a student's first check reads (when the shipped plans are current: `make plans`).

Usage (from the repository root): python -m benchmarks.grading_speed [--students 12] [--skip-anchor] [--check-only]
                                                                  [--failing-class [--repeat N]]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import psutil

PROJECT = Path(__file__).resolve().parent.parent
SOLUTIONS = PROJECT / "solutions"
DLGRADE = [sys.executable, "-m", "grader.cli"]
TOPIC = "softmax"

# The anchor's test cells: what an instructor would write with nbgrader, hypothesis and torch.
ANCHOR_SETUP = '''\
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from autograde_tests import strategies as dst

torch.set_num_threads(1)
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=30,
                    suppress_health_check=list(HealthCheck))


def close(got, expected):
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def linear_loss_property(loss_function, strategy):
    @PROPERTY
    @given(strategy)
    def prop(example):
        W, X, y, reg = (example[k].copy() if hasattr(example[k], "copy") else example[k] for k in ("W", "X", "y", "reg"))
        loss, dW = loss_function(W, X, y, reg)
        Wt = torch.from_numpy(example["W"]).requires_grad_()
        expected = F.cross_entropy(torch.from_numpy(example["X"]) @ Wt, torch.from_numpy(example["y"]))
        expected = expected + example["reg"] * (Wt ** 2).sum()
        expected.backward()
        assert np.isfinite(loss) and np.all(np.isfinite(dW))
        close(loss, expected.item())
        close(dW, Wt.grad.numpy())
        assert np.array_equal(W, example["W"]) and np.array_equal(X, example["X"])
    prop()
'''

ANCHOR_TESTS = {
    "softmax": '''\
def softmax_property(strategy):
    @PROPERTY
    @given(strategy)
    def prop(example):
        x = example["x"].copy()
        probs = softmax(x)
        assert np.all(np.isfinite(probs))
        close(probs, torch.softmax(torch.from_numpy(example["x"]), dim=1).numpy())
        close(probs.sum(axis=1), 1.0)
        assert np.array_equal(x, example["x"])
    prop()

softmax_property(dst.score_batches(with_labels=False))
softmax_property(dst.score_batches(max_offset=1e4, spread=50, with_labels=False))
''',
    "softmax_loss_naive": '''\
linear_loss_property(softmax_loss_naive, dst.classification_batches())
linear_loss_property(softmax_loss_naive, dst.large_offset_batches())
''',
    "softmax_loss_vectorized": '''\
linear_loss_property(softmax_loss_vectorized, dst.classification_batches())
linear_loss_property(softmax_loss_vectorized, dst.large_offset_batches())
''',
    "softmax_loss": '''\
def softmax_loss_property(strategy):
    @PROPERTY
    @given(strategy)
    def prop(example):
        x = example["x"].copy()
        loss, dx = softmax_loss(x, example["y"])
        xt = torch.from_numpy(example["x"]).requires_grad_()
        expected = F.cross_entropy(xt, torch.from_numpy(example["y"]))
        expected.backward()
        assert np.isfinite(loss) and np.all(np.isfinite(dx))
        close(loss, expected.item())
        close(dx, xt.grad.numpy())
        assert np.array_equal(x, example["x"])
    prop()

softmax_loss_property(dst.score_batches())
softmax_loss_property(dst.score_batches(max_offset=1e4, spread=50))
''',
}


def _cell(kind: str, source: str, grade_id: str, points: float = 0.0):
    meta = {"grade_id": grade_id, "schema_version": 3, "locked": kind != "solution",
            "solution": kind == "solution", "grade": kind == "test", "task": False}
    if kind == "test":
        meta["points"] = points
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def anchor_notebook() -> nbformat.NotebookNode:
    solution = (SOLUTIONS / f"{TOPIC}.py").read_text()
    cells = [_cell("solution", solution, "solution"), _cell("setup", ANCHOR_SETUP, "setup")]
    cells += [_cell("test", source, f"test_{name}", 5.0) for name, source in ANCHOR_TESTS.items()]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def _environment(cache: Path, *, shipped: bool) -> dict:
    # A new grading key per run: the first class graded draws its secret plan, as an instructor's first
    # run does, and that draw counts in the class's wall time.
    env = dict(os.environ, DLGRADE_CACHE_DIR=str(cache), PYTHONHASHSEED="0",
               DLGRADE_SHIPPED_PLANS="1" if shipped else "0", DLGRADE_GRADING_KEY=secrets.token_hex(32))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _nbgrader(course: Path, env: dict, *args: str) -> tuple[float, float, TreeMonitor]:
    return timed([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}", "--log-level=ERROR"],
                 env, cwd=course)


def anchor_seconds(root: Path, students: int, env: dict) -> tuple[float, float, int]:
    """(wall and CPU seconds of `nbgrader autograde` for the class, test cells passed by the first student)."""
    course = root / "anchor_course"
    (course / "source" / "anchor").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "anchor"\n'
                                               'c.Execute.timeout = 600\n')
    nbformat.write(anchor_notebook(), course / "source" / "anchor" / "anchor.ipynb")
    _nbgrader(course, env, "generate_assignment", "anchor", "--force")
    for index in range(students):
        folder = course / "submitted" / f"s{index:03d}" / "anchor"
        folder.mkdir(parents=True)
        shutil.copy(course / "source" / "anchor" / "anchor.ipynb", folder / "anchor.ipynb")
    seconds, cpu, _ = _nbgrader(course, env, "autograde", "anchor", "--create", "--force")
    graded = nbformat.read(course / "autograded" / "s000" / "anchor" / "anchor.ipynb", as_version=4)
    errors = [c for c in graded.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    return seconds, cpu, 4 - len(errors)


class TreeMonitor:
    """Samples a process tree every 20 ms from /proc: high-water RSS (VmHWM, itself a peak) of the root
    and of the largest other process (forkserver, workers, kernels), and the CPU seconds of the
    processes nobody in the tree reaps (the forkserver and its workers: orphaned at exit), which
    getrusage(RUSAGE_CHILDREN) cannot see. Up to 20 ms of a process's CPU can escape the last sample."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak_root = self.peak_other = 0
        self._orphan_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def _hwm(process) -> int:
        try:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _sample(self):
        while not self._stop.is_set():
            try:
                self.peak_root = max(self.peak_root, self._hwm(self.root))
                servers = set()
                for child in self.root.children(recursive=True):
                    self.peak_other = max(self.peak_other, self._hwm(child))
                    try:
                        if "forkserver" in " ".join(child.cmdline()) or child.ppid() in servers:
                            servers.add(child.pid)
                            times = child.cpu_times()
                            self._orphan_cpu[child.pid] = times.user + times.system
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            self._stop.wait(0.02)

    def stop(self):
        self._stop.set()
        self._thread.join()

    @property
    def orphan_cpu(self) -> float:
        return sum(self._orphan_cpu.values())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict, cwd: Path = PROJECT) -> tuple[float, float, TreeMonitor]:
    """(wall seconds, CPU seconds of the whole process tree, its monitor) of running `command`."""
    cpu, started = _children_cpu(), time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    monitor = TreeMonitor(process.pid)
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    monitor.stop()
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(map(str, command[2:]))} failed ({process.returncode}):\n{err[-3000:]}")
    return seconds, _children_cpu() - cpu + monitor.orphan_cpu, monitor


def correct_class(root: Path, students: int) -> Path:
    klass = root / f"class{students}"
    if klass.exists():
        return klass
    for index in range(students):
        (klass / f"s{index:03d}").mkdir(parents=True)
        shutil.copy(SOLUTIONS / f"{TOPIC}.py", klass / f"s{index:03d}" / f"{TOPIC}.py")
    return klass


def failing_seconds(root: Path, env: dict) -> list[float]:
    """Seconds per failing student: each catalogue mistake of the topic is one student, graded alone in
    one process (the plan made once), so the figure is shrinking plus grading."""
    script = textwrap.dedent(f'''
        import json, sys, time
        from pathlib import Path
        from grader.engine import registry
        from grader.engine.examples import make_plan
        from grader.engine.grading import GradingOptions, grade_submission
        from tests.catalogue import topic_modules
        plan = make_plan(registry.select([{TOPIC!r}]), include_hidden=True)
        root, seconds = Path(sys.argv[1]), []
        for index, variant in enumerate(topic_modules()[{TOPIC!r}].MISTAKES):
            folder = root / f"m{{index:03d}}"
            folder.mkdir()
            (folder / "{TOPIC}.py").write_text(variant.source({TOPIC!r}))
            started = time.perf_counter()
            result = grade_submission(folder, plan, submission_id=folder.name, options=GradingOptions())
            seconds.append(time.perf_counter() - started)
            assert not all(e.full_marks for e in result.exercises), variant.id
        print(json.dumps(seconds))
    ''')
    (root / "failing").mkdir()
    done = subprocess.run([sys.executable, "-c", script, str(root / "failing")], cwd=PROJECT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"grading the failing students failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


FAILING_FAMILIES = ("softmax", "gated_rnn")


def failing_class(root: Path, topic: str, size: int = 8) -> tuple[Path, dict[str, str]]:
    """`size` students with the reference and `size` each with one catalogued mistake of `topic`:
    the first mistake of each exercise, then the second of each, and so on. Returns the class folder
    and each failing student's mistake."""
    sys.path.insert(0, str(PROJECT))
    from tests.catalogue import topic_modules  # noqa: PLC0415  (the project's catalogue, not installed)

    by_exercise: dict[str, list] = {}
    for variant in topic_modules()[topic].MISTAKES:
        by_exercise.setdefault(variant.exercise, []).append(variant)
    chosen = [variants[turn] for turn in range(max(map(len, by_exercise.values())))
              for variants in by_exercise.values() if turn < len(variants)][:size]
    klass = root / f"failing-{topic}"
    for index in range(size):
        (klass / f"pass{index:02d}").mkdir(parents=True)
        shutil.copy(SOLUTIONS / f"{topic}.py", klass / f"pass{index:02d}" / f"{topic}.py")
    mistakes = {}
    for index, variant in enumerate(chosen):
        folder = klass / f"fail{index:02d}"
        folder.mkdir(parents=True)
        (folder / f"{topic}.py").write_text(variant.source(topic))
        mistakes[folder.name] = variant.id
    return klass, mistakes


def failing_class_figures(root: Path, topic: str, env: dict, run: int) -> dict:
    """Grades the failing class of `topic` with --jobs 2 (the plan already in the cache): seconds per
    student from the journal, the wall time and the CPU of every process of the run."""
    klass, mistakes = failing_class(root / f"run{run}", topic)
    report = klass.parent / f"{topic}.json"
    load = os.getloadavg()[0]  # other work on the machine: the cores busy figure counts only this run's
    wall, cpu, _ = timed([*DLGRADE, "autograde", str(klass), "--only", topic, "--jobs", "2", "--json", str(report)], env)
    seconds = {entry["id"]: entry["seconds"]
               for entry in map(json.loads, report.with_suffix(".journal.jsonl").read_text().splitlines())}
    return {"wall": wall, "cpu": cpu, "load": load, "failing": {name: seconds[name] for name in mistakes},
            "passing": [s for name, s in seconds.items() if name not in mistakes], "mistakes": mistakes}


def show_failing_classes(root: Path, env: dict, repeat: int, show) -> None:
    for topic in FAILING_FAMILIES:
        timed([*DLGRADE, "check", topic, "--path", str(SOLUTIONS)], env)  # draws the plan into the cache
        for run in range(repeat):
            figures = failing_class_figures(root, topic, env, run)
            failing, passing = sorted(figures["failing"].values()), sorted(figures["passing"])
            slowest = max(figures["failing"], key=figures["failing"].get)
            median_pass = statistics.median(passing)
            in_flight = (sum(failing) + sum(passing)) / figures["wall"]
            show(f"failing class {topic}, 8 + 8 students, --jobs 2 (run {run + 1})", figures["wall"], figures["cpu"],
                 f"{figures['cpu'] / figures['wall']:.2f} cores busy, {in_flight:.2f} students graded at once "
                 f"(load average before: {figures['load']:.1f})")
            print(f"    failing: median {statistics.median(failing):.2f} s, slowest {failing[-1]:.2f} s "
                  f"({figures['mistakes'][slowest]}); passing: median {median_pass:.2f} s, slowest {passing[-1]:.2f} s; "
                  f"ratio failing/passing: median {statistics.median(failing) / median_pass:.1f}x, "
                  f"slowest {failing[-1] / median_pass:.1f}x", flush=True)


def _shipped_plans_current() -> bool:
    from grader.engine import disk_cache, plan_cache  # noqa: PLC0415

    key = plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())
    return plan_cache.shipped_plans(key) is not None


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=12, help="class size (the second class is twice this)")
    parser.add_argument("--skip-anchor", action="store_true", help="do not build and run the nbgrader anchor")
    parser.add_argument("--check-only", action="store_true",
                        help=f"time only `dlgrade check {TOPIC}`, cold and warm (no anchor, no class)")
    parser.add_argument("--failing-class", action="store_true",
                        help=f"time only the failing classes ({', '.join(FAILING_FAMILIES)})")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each failing class")
    args = parser.parse_args()
    n = args.students
    print(f"{'what':<66} {'wall':>9} {'CPU':>9}   (CPU: user+system of every process, robust to a busy machine)")

    def show(what: str, wall: float | None, cpu: float | None, note: str = "") -> None:
        figures = "".join(f"{'' if x is None else f'{x:.2f} s':>10}" for x in (wall, cpu))
        print(f"{what:<66}{figures}   {note}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = _environment(root / "cache", shipped=False)
        shipped_env = _environment(root / "shipped-only", shipped=True)
        shipped_note = "" if _shipped_plans_current() else "(the shipped plans are stale: `make plans`)"
        if args.failing_class:
            show_failing_classes(root, env, args.repeat, show)
            return
        anchor = None
        if not (args.skip_anchor or args.check_only):
            wall, cpu, passed = anchor_seconds(root, n, env)
            anchor = (wall / n, cpu / n)
            show(f"anchor: nbgrader autograde, {n} students ({passed}/4 test cells pass)", wall, cpu,
                 f"{anchor[0]:.2f} s wall, {anchor[1]:.2f} s CPU per student")

        check_topic = [*DLGRADE, "check", TOPIC, "--path", str(SOLUTIONS)]
        # cold: nothing in the plan cache (a fresh DLGRADE_CACHE_DIR), with or without the shipped plans
        for state, environment in (("cold, no shipped plan", env), ("cold, shipped plan", shipped_env),
                                   ("warm plan cache", env)):
            wall, cpu, _ = timed(check_topic, environment)
            show(f"check {TOPIC} --path solutions, new process, {state}", wall, cpu,
                 shipped_note if environment is shipped_env else "")
        if args.check_only:
            return

        classes = {}
        # The first run draws the secret plan of a new key (once per key: an instructor's first run);
        # the others read it from the plan cache, as every regrade and every later class does.
        for size, plan in ((n, "secret plan drawn (a new key)"), (n, "secret plan cached"),
                           (2 * n, "secret plan cached")):
            klass = correct_class(root, size)
            wall, cpu, monitor = timed([*DLGRADE, "autograde", str(klass), "--only", TOPIC, "--jobs", "2"], env)
            if plan.endswith("cached"):
                classes[size] = (wall, cpu, monitor)
            note = ""
            if anchor:
                note = (f"throughput {anchor[0] / (wall / size):.1f}x the anchor's (wall), "
                        f"{anchor[1] / (cpu / size):.1f}x (CPU)")
            show(f"autograde --only {TOPIC} --jobs 2, {size} students, {plan}", wall, cpu, note)
        (wall_n, cpu_n, _), (wall_2n, cpu_2n, _) = classes[n], classes[2 * n]
        show(f"marginal cost of a passing exercise ((t{2 * n} - t{n}) / ({n} x 4))",
             (wall_2n - wall_n) / (n * 4), (cpu_2n - cpu_n) / (n * 4), "(wall: with --jobs 2 on this machine)")
        for size, (_, _, monitor) in classes.items():
            show(f"peak memory, {size} students: grading process {_mib(monitor.peak_root)}, "
                 f"largest other {_mib(monitor.peak_other)}", None, None)

        for state, environment in (("mostly cold plan cache", env), ("warm plan cache", env),
                                   ("cold, shipped plans", shipped_env)):
            wall, cpu, _ = timed([*DLGRADE, "check", "--path", str(SOLUTIONS)], environment)
            show(f"check of every exercise --path solutions, {state}", wall, cpu,
                 shipped_note if environment is shipped_env else "")
        for command in (["--help"], ["list"], ["list"]):
            wall, cpu, _ = timed([*DLGRADE, *command], env)
            show(f"dlgrade {' '.join(command)}", wall, cpu)

        failing = failing_seconds(root, env)
        deciles = statistics.quantiles(failing, n=10) if len(failing) > 1 else failing
        show(f"per failing student, {len(failing)} {TOPIC} catalogue mistakes (in process, wall)", None, None,
             f"min {min(failing):.2f} s, median {statistics.median(failing):.2f} s, p90 {deciles[-1]:.2f} s, "
             f"max {max(failing):.2f} s, total {sum(failing):.1f} s")
        show_failing_classes(root, env, args.repeat, show)


if __name__ == "__main__":
    main()
