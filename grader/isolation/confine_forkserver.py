"""Imported by the forkserver only (it is in its preload list): keeps the grading process's main
module out of the workers.

multiprocessing re-imports the parent's `__main__` (the dlgrade script, pytest...) in every child it
starts, and that main imports torch, hypothesis and the whole grader: student code would find them in
memory. Workers run only `worker.main`, which needs nothing from `__main__`.
"""

from __future__ import annotations

from multiprocessing import spawn

_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")
_prepare = spawn.prepare


def _prepare_without_main(data: dict) -> None:
    _prepare({key: value for key, value in data.items() if key not in _MAIN_KEYS})


spawn.prepare = _prepare_without_main
