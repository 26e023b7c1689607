"""A class run: reuse what the journal already holds, grade the rest, journal each student as it
finishes, and stop cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from grader.distributed.journal import Entry, Journal, submission_digest

if TYPE_CHECKING:
    from grader.distributed.student import GradedStudent
    from grader.engine.grading import GradingOptions
    from grader.engine.inputs import Inputs

Grade = Callable[[list[Path]], Iterator["GradedStudent"]]


class StopRequest:
    """The first Ctrl-C or SIGTERM stops handing out students: those being graded finish and are
    journaled. A second one stops at once (KeyboardInterrupt)."""

    def __init__(self):
        self.requested = 0  # the signal number, once one came

    def __call__(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = signum
        print(f"\n{signal.Signals(signum).name}: finishing the students being graded "
              "(again to stop at once) ...", file=sys.stderr, flush=True)

    @property
    def exit_code(self) -> int:
        return 128 + self.requested


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stop
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class ClassRun:
    """The students of a run, in folder order, each with its journal entry once finished."""

    def __init__(self, folders: list[Path], journal: Journal):
        self.folders, self.journal = folders, journal
        self.entries: list[Entry | None] = [None] * len(folders)
        self.resumed = 0  # students whose journal entry was reused

    @property
    def finished(self) -> int:
        return sum(entry is not None for entry in self.entries)

    @property
    def complete(self) -> bool:
        return None not in self.entries

    def reuse(self) -> int:
        """Takes from the journal every student whose entry matches the submission's digest and the
        grading key (--resume); returns how many."""
        for index, folder in enumerate(self.folders):
            self.entries[index] = self.journal.reusable(folder.name, submission_digest(folder))
        self.resumed = self.finished
        return self.resumed

    def grade(self, grade: Grade, *, on_done: Callable[[GradedStudent], None] = lambda graded: None) -> None:
        """Grades the students not finished, journaling each as it finishes. `grade` is called only
        if someone is left."""
        position = {folder.name: index for index, folder in enumerate(self.folders)}
        left = [folder for folder, entry in zip(self.folders, self.entries) if entry is None]
        if left:
            for graded in grade(left):
                self.entries[position[graded.id]] = self.journal.append(graded)
                on_done(graded)

    def results(self) -> Iterator[dict]:
        """Every student's result (SubmissionResult.to_dict()), in folder order, read back one at a
        time from the journal."""
        return self.journal.results(self.entries)


def grading(exercises, options: GradingOptions, *, inputs: Inputs, submissions: Path, jobs: int,
            scheduler: str | None, stop: StopRequest) -> Grade:
    """How to grade the students left on `inputs`: in this process (--jobs 1), in `jobs` processes, or
    as Dask tasks. The plan is made only then (a resumed run that has everyone does not draw it),
    after the cluster is checked, once for the whole class (grading processes and Dask workers
    receive it)."""
    def class_plan():
        from grader.engine.examples import grading_plan  # noqa: PLC0415

        return grading_plan(exercises, inputs=inputs, avoid=[submissions])

    def here(folders: list[Path]) -> Iterator[GradedStudent]:
        """One student at a time in this process, or `jobs` at a time in as many processes."""
        if jobs > 1:
            from grader.distributed.processes import graded_in_processes  # noqa: PLC0415

            yield from graded_in_processes(folders, class_plan(), options, jobs=jobs, stop=stop)
            return
        from grader.distributed.student import warm_up_workers  # noqa: PLC0415
        from grader.distributed.threads import graded_in_threads  # noqa: PLC0415

        warming = threading.Thread(target=warm_up_workers, name="dlgrade-warm-up")
        warming.start()  # the workers' server starts while the plan is drawn
        plan = class_plan()
        warming.join()
        yield from graded_in_threads(folders, plan, options, jobs=jobs, stop=stop)

    def on_dask(folders: list[Path]) -> Iterator[GradedStudent]:
        from grader.distributed import dask_cluster  # noqa: PLC0415

        with dask_cluster.dask_client(scheduler) as client:
            dask_cluster.check_workers(client, submissions)
            plan = class_plan()
            yield from dask_cluster.graded_on_dask(client, folders, plan, options, stop=stop)

    return on_dask if scheduler else here
