"""Whether a reference computed now must give the values that only hints read.

While shrinking, a reference is computed for every input hypothesis tries, and only the checks'
verify reads it; the hints are judged on the one input the feedback shows, whose reference is then
computed in full. A reference whose hint values cost time (the recurrent topics' models with a
known mistake, autograde_tests/_autograd.py) leaves them out when `wanted()` is False. A context
variable: each grading thread has its own.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

_WANTED: ContextVar[bool] = ContextVar("dlgrade_hint_values_wanted", default=True)


def wanted() -> bool:
    return _WANTED.get()


@contextlib.contextmanager
def left_out():
    """References computed inside leave out what only hints read (when they can)."""
    token = _WANTED.set(False)
    try:
        yield
    finally:
        _WANTED.reset(token)
