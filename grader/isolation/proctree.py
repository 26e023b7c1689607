"""Ending a worker together with every process its student code started.

On Linux the worker's whole tree is found in /proc. Elsewhere (a student's laptop) there is no /proc:
on macOS the worker's process group is killed (it leads one), on Windows the worker itself.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def _parents() -> dict[int, int]:
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            table[int(entry.name)] = int(fields[1])
    return table


def descendants(pid: int) -> set[int]:
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _signal(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _kill_without_proc(pid: int) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _signal([pid], signal.SIGKILL)
        return
    try:
        os.kill(pid, signal.SIGTERM)  # Windows: TerminateProcess
    except OSError:
        pass


def kill_tree(pid: int) -> None:
    """Freeze the worker and its descendants (they reparent to it: it is a subreaper), then kill all.

    Freezing first stops a forking process from adding children while we look.
    """
    if sys.platform != "linux":
        _kill_without_proc(pid)
        return
    try:
        os.killpg(pid, signal.SIGSTOP)
    except (ProcessLookupError, PermissionError):
        pass
    _signal([pid], signal.SIGSTOP)
    seen: set[int] = set()
    for _ in range(20):
        found = descendants(pid) - seen
        if not found:
            break
        _signal(found, signal.SIGSTOP)
        seen |= found
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _signal(seen | {pid}, signal.SIGKILL)
