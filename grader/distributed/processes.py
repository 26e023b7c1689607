"""Students graded by `--jobs N` grading processes, so that N students use N cores.

A failing student's time is the grading process's own work (judging, and shrinking with hypothesis
and the torch references, which run under one process-wide lock): threads of one process would
share one core for it, however many students they grade. Each grading process is forked from the
grading process before any student is graded (on Linux; spawned elsewhere), so it starts with
what the parent already imported (numpy, hypothesis, the content, and torch, imported just before)
instead of importing it again: a fresh interpreter with torch costs about 1.5 s of CPU per
process, more than grading a passing class. It gets the plan once, as data (plan_transfer), and
grades one student at a time, each in its own worker process as always, forked from its own
forkserver (never the parent's: none is started in the parent, and a child starts its own). A
student's report does not depend on which process graded it, or on who else did.
"""

from __future__ import annotations

import importlib
import multiprocessing
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

from grader.distributed.plan_transfer import plan_from_payload, plan_payload
from grader.distributed.student import GradedStudent, graded_student, warm_up_workers
from grader.distributed.threads import graded_in_pool
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions

# Fork where it is safe: Linux, before the pool's own threads start (ProcessPoolExecutor launches
# forked processes first) and with no thread of ours running; no forkserver is started in a parent
# that grades in processes (cli/autograde.py).
_START_METHOD = "fork" if sys.platform == "linux" else "spawn"

# The plan and options of this grading process, set once by _set_up (the pool's initializer): the
# way a ProcessPoolExecutor gives its tasks what they share without sending it with every task.
_GRADING: tuple[Plan, GradingOptions] | None = None


def _set_up(payload: dict, options: GradingOptions) -> None:
    # Ctrl-C reaches the whole process group: the parent alone answers it (it stops handing out
    # students, or at the second one kills this process and its workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _GRADING  # noqa: PLW0603  (set once per process, before its first task)
    _GRADING = plan_from_payload(payload), options
    warm_up_workers()


def _grade(folder: str) -> GradedStudent:
    plan, options = _GRADING
    return graded_student(Path(folder), plan, options)


class _Pool:
    """A ProcessPoolExecutor that is made again when one of its processes died (killed for its
    memory...): the students in flight then fail with a grader error, and the class goes on."""

    def __init__(self, jobs: int, payload: dict, options: GradingOptions):
        self.jobs, self.initargs = jobs, (payload, options)
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context(_START_METHOD),
                                   initializer=_set_up, initargs=self.initargs)

    def submit(self, folder: Path) -> Future:
        try:
            return self.executor.submit(_grade, str(folder))
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._new()
            return self.executor.submit(_grade, str(folder))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def graded_in_processes(folders: list[Path], plan: Plan, options: GradingOptions, *, jobs: int,
                        stop) -> Iterator[GradedStudent]:
    """Yields each student as it finishes (as graded_in_threads does, with `jobs` processes). The
    options' stats stay here (they measure this process); each process shares references among its
    own students (GradingOptions.references pickles empty)."""
    # Shrinking a failing student's input needs torch: imported here once, before the processes are
    # forked, it costs each of them nothing (a process importing it itself pays about 1 s of CPU, in
    # the middle of its first failing student).
    importlib.import_module("torch")
    pool = _Pool(jobs, plan_payload(plan), replace(options, stats=None))
    yield from graded_in_pool(pool, pool.submit, folders, plan, jobs=jobs, stop=stop)
