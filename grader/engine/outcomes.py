"""Turning a worker's reply into an Outcome: the student's return values, checked against the contract.

The expected value of each output decides what is acceptable: a Python float wants a real scalar
(Python number, numpy scalar or 0-d array), an int an integer, an ndarray an ndarray of the same
shape and dtype (any integer width where integers are expected).
"""

from __future__ import annotations

import numbers
import re
from dataclasses import replace

import numpy as np

from grader.isolation.codec import ArraySubclass, NumpyScalar, Unsupported
from grader.engine.spec import Outcome, Scenario


class NotReturned(KeyError):
    """A hint or a check read a part that did not come back: the student's code raised, returned None
    or a tuple of another length, or the part is of the wrong kind (then it is in Outcome.problems)."""


class Returned(dict):
    """The parts that came back, by name. Reading one that did not raises NotReturned, so that a hint
    or check written for complete outcomes cannot mistake unfinished work for a fault of its own."""

    def __missing__(self, key):
        raise NotReturned(key)


# How the worker describes a stub's exception, raised by the exercise or by the forward a backward runs
# first ("your batchnorm_forward raised NotImplementedError: ...").
_UNFINISHED = re.compile(r"(?:your \w+ raised )?NotImplementedError\b")


def unfinished(error: str | None) -> bool:
    """Whether a call failed because code it ran is not written yet (it raised NotImplementedError)."""
    return bool(error) and _UNFINISHED.match(error) is not None


def readable(outcome: Outcome) -> Outcome:
    """`outcome` with its outputs and raw reply read as Returned (outcome_from_reply's are already)."""
    if isinstance(outcome.outputs, Returned) and isinstance(outcome.raw, Returned):
        return outcome
    return replace(outcome, outputs=Returned(outcome.outputs), raw=Returned(outcome.raw))


def describe(value) -> str:
    """A short description of a returned value, for messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, ArraySubclass):
        return f"a {value.type_name} (an ndarray subclass)"
    if isinstance(value, NumpyScalar):
        return f"a numpy {value.value.dtype} scalar"
    if isinstance(value, Unsupported):
        return f"a {value.type_name} object"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if value is None:
        return "None"
    return f"a {type(value).__name__} ({value!r})" if isinstance(value, (int, float, str, bool)) else f"a {type(value).__name__}"


def _real_scalar(value):
    if isinstance(value, NumpyScalar):
        value = value.value
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return None


def _integer(value):
    if isinstance(value, NumpyScalar):
        value = value.value
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def conform(value, expected, what: str):
    """(value as the contract wants it, None) or (None, why it is not acceptable)."""
    if isinstance(expected, bool) or expected is None:
        return value, None
    if isinstance(expected, float):
        scalar = _real_scalar(value)
        return (scalar, None) if scalar is not None else (None, f"{what} should be a real scalar, got {describe(value)}")
    if isinstance(expected, int):
        number = _integer(value)
        return (number, None) if number is not None else (None, f"{what} should be an integer, got {describe(value)}")
    if isinstance(expected, np.ndarray):
        if not isinstance(value, np.ndarray):
            return None, f"{what} should be a numpy array of shape {expected.shape}, got {describe(value)}"
        if value.shape != expected.shape:
            return None, f"{what} has shape {value.shape}, expected {expected.shape}"
        if expected.dtype.kind in "iu":
            if value.dtype.kind not in "iu":
                return None, f"{what} should hold integers, got dtype {value.dtype}"
        elif value.dtype != expected.dtype:
            return None, f"{what} has dtype {value.dtype}, expected {expected.dtype}"
        return value, None
    return value, None


def _parts(result, returns, exercise: str):
    if isinstance(returns, str):
        return {returns: result}, None
    if not isinstance(result, (tuple, list)) or len(result) != len(returns):
        wanted = "(" + ", ".join(returns) + ")"
        return None, f"{exercise} should return a tuple {wanted}, got {describe(result)}"
    return dict(zip(returns, result)), None


def outcome_from_reply(reply: dict, scenario: Scenario, expected: dict, exercise: str) -> Outcome:
    return readable(_outcome(reply, scenario, expected, exercise))


def _outcome(reply: dict, scenario: Scenario, expected: dict, exercise: str) -> Outcome:
    if "grader_error" in reply:
        return Outcome({}, {}, grader_error=str(reply["grader_error"]))
    if "error" in reply or not isinstance(reply.get("reply"), dict):
        return Outcome({}, {}, str(reply.get("error", "the worker gave no reply")))
    raw = reply["reply"]
    if scenario.returns is None:
        return Outcome({}, raw)
    parts, error = _parts(raw.get("result"), scenario.returns, exercise)
    if error:
        return Outcome({}, raw, error)
    outputs, problems = {}, {}
    for name, value in parts.items():
        conformed, problem = conform(value, expected.get(name), name)
        if problem:
            problems[name] = problem
        else:
            outputs[name] = conformed
    return Outcome(outputs, raw, None, problems)
