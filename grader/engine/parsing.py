"""The one process-wide lock around building Python ASTs, and parsing a submission's source under it.

CPython 3.11's AST construction is not thread-safe (gh-106905, "AST constructor recursion depth
mismatch"): two threads building ASTs at once can fail. Hypothesis builds them while it runs (it
inspects and compiles the property), and grading threads parse students' files for the static checks,
so every hypothesis run (examples.run_property) and every parse (`parse`) holds this one lock.
"""

from __future__ import annotations

import ast
import threading

LOCK = threading.RLock()  # reentrant: a check run inside a property may parse


def parse(text: str) -> ast.Module:
    with LOCK:
        return ast.parse(text)
