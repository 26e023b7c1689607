"""The grading process's side of a worker: start it, talk to it, bound its time, end it.

On Linux workers are forked from a forkserver that preloads numpy and the drivers (never torch), so a
fresh worker per submission costs a fork, its confinement (grader.isolation.confine) and the import of
the submission itself; elsewhere they are spawned (grader.isolation.start_method).
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.isolation import codec, confine, proctree, start_method

MAX_MESSAGE_BYTES = 512 * 2**20


def _context():
    return start_method.context(start_method.name())


def start_server() -> None:
    """Starts the forkserver now rather than at the first worker: it preloads in its own process, so
    its start-up overlaps whatever the grading process does next (reading or drawing the plan)."""
    start_method.start_server()


class WorkerFailure(Exception):
    """The worker died, hung or sent something that is not a message; `status` is error or timeout."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _exit_description(exitcode) -> str:
    if exitcode is None:
        return "the process stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        meaning = {"SIGSEGV": " (segmentation fault)", "SIGKILL": " (killed, perhaps out of memory)",
                   "SIGABRT": " (aborted)", "SIGXFSZ": " (file too large)"}.get(name, "")
        return f"the process was killed by {name}{meaning}"
    return f"the process exited with code {exitcode} (os._exit or a crash)"


class Worker:
    """One worker process for one submission; `kill` ends it."""

    def __init__(self, root: Path, exercise_names: list[str], *, skip=(), timeout: float, sandbox: str):
        self.root, self.timeout = Path(root), timeout
        parent_end, child_end = _context().Pipe(duplex=True)
        from grader.isolation import worker  # noqa: PLC0415  (the target must be importable by reference)

        self._conn = parent_end
        self._scratch = tempfile.mkdtemp(prefix="dlgrade-scratch-") if confine.needs_scratch_folder(sandbox) else None
        self._process = _context().Process(
            target=worker.main, args=(child_end, str(self.root), list(skip), list(exercise_names), sandbox,
                                      self._scratch), name=start_method.WORKER_NAME, daemon=True)
        self._process.start()
        child_end.close()

    def kill(self) -> None:
        """Ends the worker. It is killed, not asked to exit: a worker that exits first would orphan
        the processes its student code started, and they would escape the kill."""
        if self._process.pid is not None:
            proctree.kill_tree(self._process.pid)
        self._process.join(5)
        self._conn.close()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def receive(self, deadline: float):
        """The next message, or WorkerFailure on death, silence past `deadline` or garbage."""
        remaining = deadline - time.monotonic()
        # recv_bytes can block mid-message; the timer kills the worker so that it returns.
        timer = threading.Timer(max(remaining, 0) + 0.5, lambda: proctree.kill_tree(self._process.pid))
        timer.start()
        try:
            if not self._conn.poll(max(remaining, 0)):
                raise WorkerFailure("timeout", "time limit exceeded")
            data = self._conn.recv_bytes(MAX_MESSAGE_BYTES)
        except (EOFError, OSError):
            self._process.join(2)
            raise WorkerFailure("error", _exit_description(self._process.exitcode)) from None
        finally:
            timer.cancel()
        try:
            return codec.decode(data)
        except codec.DecodeError as exc:
            raise WorkerFailure("error", f"the process sent malformed data ({exc})") from None

    def request(self, jobs: list[dict], timeout: float | None = None) -> list[dict]:
        """Runs a batch of jobs; one reply per job, or WorkerFailure for the whole batch."""
        try:
            self._conn.send(jobs)
        except (OSError, ValueError):
            self._process.join(2)
            raise WorkerFailure("error", _exit_description(self._process.exitcode)) from None
        message = self.receive(time.monotonic() + (timeout or self.timeout))
        results = message.get("results") if isinstance(message, dict) else None
        if not isinstance(results, list) or len(results) != len(jobs) or not all(isinstance(r, dict) for r in results):
            raise WorkerFailure("error", "the process sent an answer of the wrong form")
        return results


@dataclass
class LoadReport:
    """What importing a submission gave: import errors by module, where each exercise was found."""

    errors: dict[str, str] = field(default_factory=dict)
    exercises: dict[str, list[dict]] = field(default_factory=dict)  # every definition found, by name
    skipped: dict[str, str] = field(default_factory=dict)  # modules left out: they hang or kill on import


def start_worker(root: Path, exercise_names: list[str], *, timeout: float, sandbox: str,
                 import_timeout: float | None = None, skip: dict[str, str] | None = None) -> tuple[Worker, LoadReport]:
    """A worker with the submission imported, confined at the `sandbox` level. A module that hangs or
    kills the process on import is recorded as that module's error and left out of a fresh worker,
    so only its exercises suffer.

    `import_timeout` (default `timeout`) bounds the start of the worker and the import of each module:
    a busy machine slows the fork and the first numpy calls, which are no part of the exercise's time."""
    skip = dict(skip or {})
    limit = import_timeout or timeout
    while True:
        worker = Worker(root, exercise_names, skip=list(skip), timeout=timeout, sandbox=sandbox)
        importing, deadline = None, time.monotonic() + limit
        try:
            while True:
                message = worker.receive(deadline)
                if isinstance(message, dict) and isinstance(message.get("importing"), str):
                    importing, deadline = message["importing"], time.monotonic() + limit
                    continue
                if isinstance(message, dict) and isinstance(message.get("confinement"), str):
                    raise WorkerFailure("error", message["confinement"])
                loaded = message.get("loaded") if isinstance(message, dict) else None
                if not isinstance(loaded, dict):
                    raise WorkerFailure("error", "the process sent an answer of the wrong form")
                errors = {str(k): str(v) for k, v in dict(loaded.get("errors") or {}).items()}
                found = {str(k): [c for c in v if isinstance(c, dict)]
                         for k, v in dict(loaded.get("exercises") or {}).items() if isinstance(v, list) and v}
                return worker, LoadReport({**skip, **errors}, found, skip)
        except WorkerFailure as failure:
            worker.kill()
            if importing is None or importing in skip:
                raise
            what = f"took longer than the time limit ({limit:g} s)" if failure.status == "timeout" else failure.message
            skip[importing] = f"importing it failed: {what}"
