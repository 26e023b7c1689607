"""A fingerprint of what a submission returned on a scenario's planned inputs.

The inputs are derandomized, so every student of a class is run on the same ones: two submissions whose
fingerprints are equal returned bit-for-bit the same values on all of them. For a failed check this is
what the class report's behavioural similarity compares (identical wrong outputs); it never affects a grade.
"""

from __future__ import annotations

import hashlib

import numpy as np

from grader.engine.spec import Outcome


def _feed(digest, value) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"array {value.dtype.str} {value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (tuple, list)):
        digest.update(f"{type(value).__name__} {len(value)}".encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(repr(value).encode())


def output_fingerprint(outcomes: list[Outcome]) -> str:
    """sha256 of every output on every planned input; "" when a call raised or returned a malformed value
    (the same exception from two unfinished stubs is no evidence of anything)."""
    if not outcomes or any(o.error or o.problems or not o.outputs for o in outcomes):
        return ""
    digest = hashlib.sha256()
    for outcome in outcomes:
        for name in sorted(outcome.outputs):
            digest.update(name.encode())
            _feed(digest, outcome.outputs[name])
    return digest.hexdigest()[:16]
