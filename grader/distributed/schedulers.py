"""What `--scheduler` may say, checked without importing Dask."""

from __future__ import annotations

import os


class SchedulerError(Exception):
    """--scheduler cannot be used: a malformed address, no Dask, an unreachable scheduler, unfit workers."""


def parse_scheduler(spec: str) -> tuple[str, int | str]:
    """("local", number of workers) or ("tcp", address)."""
    if spec == "local" or spec.startswith("local:"):
        count = spec.partition(":")[2] or str(os.cpu_count() or 1)
        if not count.isdigit() or int(count) < 1:
            raise SchedulerError(f"--scheduler {spec!r}: the number of workers must be a positive integer")
        return "local", int(count)
    host, _, port = spec.removeprefix("tcp://").rpartition(":")
    if spec.startswith("tcp://") and host and port.isdigit():
        return "tcp", spec
    raise SchedulerError(f"--scheduler {spec!r}: give local, local:N or tcp://HOST:PORT")


def check_dask_installed() -> None:
    try:
        import dask  # noqa: F401, PLC0415
        import distributed  # noqa: F401, PLC0415
    except ImportError as exc:
        raise SchedulerError(f"--scheduler needs Dask, which is not installed ({exc}): "
                             "pip install 'dlgrade[dask]'") from None
