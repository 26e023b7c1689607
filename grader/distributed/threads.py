"""Students graded by a pool of this process (`--jobs 1`: threads; see processes.py for more), each
student in its own worker process."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from grader.distributed.student import GradedStudent, failed_student, graded_student
from grader.engine.classroom import GRADER_ERROR
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions
from grader.isolation import proctree


def graded_in_pool(pool, submit: Callable[[Path], Future], folders: list[Path], plan: Plan, *, jobs: int,
                   stop) -> Iterator[GradedStudent]:
    """Yields each student as it finishes; `submit(folder)` hands one to `pool` (an Executor, or
    anything with its shutdown). At most `jobs` are
    handed out at a time, so a stop (`stop.requested` set) only waits for the students being graded,
    and finished results are not held here. Abandoned early (a second Ctrl-C), it kills the pool's
    processes and the students' workers at once."""
    pending: dict = {}
    queue = iter(folders)
    completed = False
    try:
        while True:
            while len(pending) < jobs and not stop.requested and (folder := next(queue, None)) is not None:
                pending[submit(folder)] = folder
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                folder = pending.pop(future)
                error = future.exception()  # graded_student guards the grading; this is a bug around it
                yield future.result() if error is None else failed_student(
                    folder, plan, f"{GRADER_ERROR}: {type(error).__name__}: {error}")
        completed = True
    finally:
        if not completed:
            # The only processes this one starts while grading are the pool's and the students' workers.
            for child in multiprocessing.active_children():
                proctree.kill_tree(child.pid)
        pool.shutdown(wait=completed, cancel_futures=True)


def graded_in_threads(folders: list[Path], plan: Plan, options: GradingOptions, *, jobs: int,
                      stop) -> Iterator[GradedStudent]:
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dlgrade-student")
    yield from graded_in_pool(pool, lambda folder: pool.submit(graded_student, folder, plan, options), folders, plan,
                              jobs=jobs, stop=stop)
