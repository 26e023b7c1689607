"""Students graded by threads of this process (`--jobs N`), each student in its own worker process."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from grader.distributed.student import GradedStudent, failed_student, graded_student
from grader.engine.classroom import GRADER_ERROR
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions
from grader.isolation import proctree


def graded_in_threads(folders: list[Path], plan: Plan, options: GradingOptions, *, jobs: int,
                      stop) -> Iterator[GradedStudent]:
    """Yields each student as it finishes. At most `jobs` are handed to the pool at a time, so a stop
    (`stop.requested` set) only waits for the students being graded, and finished results are not
    held here. Abandoned early (a second Ctrl-C), it kills the students' workers at once."""
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dlgrade-student")
    pending: dict = {}
    queue = iter(folders)
    completed = False
    try:
        while True:
            while len(pending) < jobs and not stop.requested and (folder := next(queue, None)) is not None:
                pending[pool.submit(graded_student, folder, plan, options)] = folder
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
            # The only processes this one starts while grading are the students' workers.
            for child in multiprocessing.active_children():
                proctree.kill_tree(child.pid)
        pool.shutdown(wait=completed, cancel_futures=True)

