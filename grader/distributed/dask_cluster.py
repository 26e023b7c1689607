"""Students graded as Dask tasks (`--scheduler local[:N]` or `tcp://HOST:PORT`), one task per student.

Inside a Dask worker a task grades exactly as `--jobs` does locally: the student's code runs in
dlgrade's own confined worker processes, forked from that Dask worker's forkserver. The plan is
registered once as a worker plugin, so each Dask worker receives it once (a worker that joins later
too) and tasks carry only a folder name; they return a GradedStudent, plain data. The submissions
are read from a shared filesystem at the same path on every worker (docs/scale-out.md says why).

A Dask worker lost mid-task has its task retried once (the scheduler's `allowed-failures`, set to 1
for the local cluster); lost again, the scheduler gives up with KilledWorker and that student's
exercises get status `error`. Nothing a task raises stops the class.

This module imports Dask: import it only when `--scheduler` is given.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dask
import distributed

from grader.distributed.journal import grader_version
from grader.distributed.schedulers import SchedulerError, parse_scheduler
from grader.distributed.plan_transfer import payload_digest, plan_from_payload, plan_payload
from grader.distributed.student import GradedStudent, failed_student, graded_student, warm_up_workers
from grader.engine.classroom import GRADER_ERROR
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions
from grader.isolation import proctree

# For the cluster dlgrade starts itself. Workers are not daemonic: a daemonic process may not start
# processes, and every student's code runs in one. A task whose worker dies is retried once.
# Messages are serialized on the event loop, not offloaded to a thread: offloaded, dask.sizeof's
# random.sample moves the global random state while a task's hypothesis draws (shrinking), and
# hypothesis then warns that a strategy used `random` (HypothesisDeprecationWarning) though none does.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 1,
                        "distributed.comm.offload": False}
CONNECT_TIMEOUT = "20s"


def _local_cluster(workers: int) -> distributed.LocalCluster:
    """A LocalCluster started from a thread that has SIGINT blocked. A thread starts with the signal
    mask of the thread that created it, and a process with the mask of the thread that started it: the
    cluster's event-loop thread, and through it every worker process it starts (restarted ones too),
    never receive SIGINT. A terminal's Ctrl-C goes to the whole process group; so it reaches only the
    client, which finishes the students in flight (class_run.StopRequest), instead of killing the
    Dask workers under them. This thread keeps SIGINT, so a Ctrl-C during the start is heard at once."""
    started: dict = {}

    def start() -> None:
        try:
            started["cluster"] = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                          dashboard_address=None, silence_logs=logging.ERROR)
        except BaseException as exc:  # noqa: BLE001  (raised again in the caller's thread)
            started["error"] = exc

    starter = threading.Thread(target=start, name="dlgrade-local-cluster", daemon=True)
    blocking = hasattr(signal, "pthread_sigmask")  # not on Windows, which has no process groups either
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else None
    try:
        starter.start()
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    starter.join()
    if "error" in started:
        raise started["error"]
    return started["cluster"]


@contextmanager
def dask_client(spec: str) -> Iterator[distributed.Client]:
    """A client of a new local cluster of N worker processes, or of the scheduler at a tcp address;
    the local cluster ends with the block."""
    kind, value = parse_scheduler(spec)
    if kind == "local":
        with ExitStack() as stack:
            # The configuration must outlive the cluster's start: a nanny reads it again to restart a worker.
            stack.enter_context(dask.config.set(LOCAL_CLUSTER_CONFIG))
            cluster = stack.enter_context(_local_cluster(value))
            client = stack.enter_context(distributed.Client(cluster))
            try:
                yield client
            except KeyboardInterrupt:
                # Stop at once (a second Ctrl-C): closing the cluster would wait for the tasks
                # running. Its worker processes are this process's children; killed with their
                # trees (the students' workers), they leave the cluster nothing to wait for.
                for child in multiprocessing.active_children():
                    proctree.kill_tree(child.pid)
                raise
        return
    try:
        client = distributed.Client(value, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {value}: {exc}") from None
    with client:
        yield client


def _worker_facts(folder: str) -> dict:
    return {"grader": grader_version(), "sees_submissions": os.path.isdir(folder)}


def check_workers(client: distributed.Client, submissions: Path) -> int:
    """Every connected worker has this dlgrade and sees the submissions; returns how many there are."""
    facts = client.run(_worker_facts, str(Path(submissions).resolve()))
    for address, fact in sorted(facts.items()):
        if fact["grader"] != grader_version():
            raise SchedulerError(f"the Dask worker {address} runs dlgrade {fact['grader']}, this client "
                                 f"{grader_version()}: every worker needs the same environment")
        if not fact["sees_submissions"]:
            raise SchedulerError(f"the Dask worker {address} cannot see {Path(submissions).resolve()}: the "
                                 "workers read the submissions from a shared filesystem, at the same path")
    return len(facts)


class GradingSetup(distributed.WorkerPlugin):
    """Sent once to each Dask worker: the plan as data, made into a Plan (and the GradingOptions
    whose lock the worker's tasks share) on the first task that needs it."""

    idempotent = True

    def __init__(self, payload: dict, timeout: float, grader: str):
        self.payload, self.timeout, self.grader = payload, timeout, grader
        self._grading: tuple[Plan, GradingOptions] | None = None
        self._lock: threading.Lock | None = None

    def setup(self, worker) -> None:
        self._lock = threading.Lock()
        current = multiprocessing.current_process()
        if current.daemon:
            # A worker under a nanny is daemonic unless `distributed.worker.daemon` is False, and a
            # daemonic process may not start processes. Each student's worker is killed with its
            # whole process tree when the student is done (and at teardown), so none outlives this.
            current.daemon = False

    def teardown(self, worker) -> None:
        if worker.status.name in ("closing", "closing_gracefully", "closed"):
            # The Dask worker is going away mid-task: take the students' workers with it. (The only
            # processes a grading task starts are those.)
            for child in multiprocessing.active_children():
                proctree.kill_tree(child.pid)

    def grading(self) -> tuple[Plan, GradingOptions]:
        with self._lock:
            if self._grading is None:
                if grader_version() != self.grader:
                    raise RuntimeError(f"this Dask worker runs dlgrade {grader_version()}, the client "
                                       f"{self.grader}: every worker needs the same environment")
                self._grading = plan_from_payload(self.payload), GradingOptions(timeout=self.timeout)
                self.payload = None
                warm_up_workers()
            return self._grading


def grade_task(setup_name: str, folder: str) -> GradedStudent:
    """The Dask task: one student, graded on this worker with the plan of `setup_name`."""
    worker = distributed.get_worker()
    plan, options = worker.plugins[setup_name].grading()
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder} is not a folder on the Dask worker {worker.address}: the workers "
                                "read the submissions from a shared filesystem, at the same path")
    return graded_student(Path(folder), plan, options)


def _lost_message(exc: BaseException) -> str:
    if isinstance(exc, distributed.KilledWorker):
        return ("not graded: the Dask worker grading this submission was lost twice (out of memory, or "
                f"the machine failed): {exc}. --resume grades it again")
    return f"{GRADER_ERROR}: {type(exc).__name__}: {exc}"


def graded_on_dask(client: distributed.Client, folders: list[Path], plan: Plan, options: GradingOptions, *,
                   stop) -> Iterator[GradedStudent]:
    """Yields each student as its task finishes. Twice as many tasks as the cluster has threads are
    out at a time, so results are not held anywhere and a stop waits only for those."""
    payload = plan_payload(plan)
    # Named for everything it holds: a plugin left by an earlier run is reused only if identical.
    setup_name = f"dlgrade-plan-{payload_digest(payload)}-{options.timeout:g}-{grader_version()}"
    client.register_plugin(GradingSetup(payload, options.timeout, grader_version()), name=setup_name)
    del payload
    pending: dict = {}
    queue = iter(folders)
    finished = distributed.as_completed()
    run = uuid.uuid4().hex[:8]  # task keys must not meet another run's on a shared scheduler

    def refill() -> None:
        window = max(2, 2 * sum(client.nthreads().values()))
        while len(pending) < window and not stop.requested and (folder := next(queue, None)) is not None:
            future = client.submit(grade_task, setup_name, str(folder), key=f"dlgrade-{run}-{folder.name}",
                                   pure=False)
            pending[future] = folder
            finished.add(future)

    try:
        refill()
        for future in finished:
            folder = pending.pop(future)
            try:
                graded = future.result()
            except Exception as exc:  # noqa: BLE001  (KilledWorker and any task error cost one student)
                graded = failed_student(folder, plan, _lost_message(exc))
            future.release()
            yield graded
            refill()
    finally:
        try:
            if pending:
                client.cancel(list(pending))
            client.unregister_worker_plugin(setup_name)
        except Exception:  # noqa: BLE001  (the scheduler may be gone already: nothing left to release)
            pass
