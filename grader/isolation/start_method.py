"""How worker processes start: forked from a preloaded forkserver on Linux, spawned elsewhere.

- "forkserver" (Linux): a server process imports numpy and the worker's modules once (never torch),
  and every worker is a fork of it, so a worker costs a fork rather than an interpreter start.
- "spawn" (macOS, Windows, or any interpreter without the forkserver): every worker is a fresh
  interpreter that imports the worker's modules itself. Slower to start, isolated the same way:
  student code runs only in the worker, the verdict is decided in the grading process. macOS has a
  forkserver, but forking a process that has initialised Apple's frameworks (numpy's Accelerate)
  is unsafe, and spawn is Python's own default there.

DLGRADE_START_METHOD=forkserver|spawn chooses one (to test the spawn path on Linux).

Either way a worker never runs the grading process's main module: multiprocessing would import it
again in the child (the dlgrade script, pytest, a Jupyter kernel, a student's own script that calls
the grader without an `if __name__ == "__main__":` guard), putting torch and the grader in the
worker's memory or starting the check again in every worker.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.spawn
import os
import sys

VARIABLE = "DLGRADE_START_METHOD"
METHODS = ("forkserver", "spawn")
WORKER_NAME = "dlgrade-worker"
# Never torch: the worker must not hold it. confine_forkserver keeps the main module out of workers;
# gc_freeze comes last, once everything is loaded.
_PRELOAD = ["numpy", "grader.isolation.confine_forkserver", "grader.isolation.worker", "grader.isolation.gc_freeze"]
_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")


class StartMethodError(ValueError):
    """A bad DLGRADE_START_METHOD value, or one this interpreter lacks."""


def _has_forkserver() -> bool:
    try:
        multiprocessing.get_context("forkserver")
    except ValueError:  # Windows, or an interpreter built without it
        return False
    return True


def name() -> str:
    """The start method workers get: DLGRADE_START_METHOD, else forkserver on Linux where it exists,
    else spawn."""
    requested = os.environ.get(VARIABLE, "").strip()
    if requested:
        if requested not in METHODS:
            raise StartMethodError(f"{VARIABLE}={requested!r} is not a start method (one of: {', '.join(METHODS)})")
        if requested == "forkserver" and not _has_forkserver():
            raise StartMethodError(f"{VARIABLE}=forkserver: this Python has no forkserver start method")
        return requested
    return "forkserver" if sys.platform == "linux" and _has_forkserver() else "spawn"


def _preparation_data_without_main(original):
    @functools.wraps(original)
    def preparation_data(process_name):
        data = original(process_name)
        if process_name == WORKER_NAME:
            for key in _MAIN_KEYS:
                data.pop(key, None)
        return data

    preparation_data.dlgrade_filtered = True
    return preparation_data


@functools.cache
def context(method: str):
    """The multiprocessing context of `method` (created once; a forkserver is shared by every worker
    of this process). Processes named WORKER_NAME never import the main module (see above)."""
    found = multiprocessing.get_context(method)
    if method == "forkserver":
        found.set_forkserver_preload(_PRELOAD)  # confine_forkserver filters the main module there
    elif not getattr(multiprocessing.spawn.get_preparation_data, "dlgrade_filtered", False):
        # The spawned child reads the main module's name from this dict before any code of ours runs
        # in it, so the parent leaves it out; only for processes named WORKER_NAME.
        multiprocessing.spawn.get_preparation_data = _preparation_data_without_main(
            multiprocessing.spawn.get_preparation_data)
    return found


def start_server() -> None:
    """Starts the forkserver now rather than at the first worker (nothing to start for spawn)."""
    method = name()
    context(method)
    if method == "forkserver":
        import multiprocessing.forkserver  # noqa: PLC0415  (absent where there is no forkserver)

        multiprocessing.forkserver.ensure_running()
