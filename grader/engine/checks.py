"""The standard checks the graders' content is built from."""

from __future__ import annotations

import ast

import numpy as np

from grader.engine import compare
from grader.engine.spec import Check, Failure, Hint, Outcome, StaticCheck, Verify
from grader.isolation.forbidden import FORBIDDEN_MODULES as FORBIDDEN_IMPORTS


def failed_call(outcome: Outcome, *outputs: str) -> Failure | None:
    """The failure every value check shares: an exception, or a returned part of the wrong kind."""
    if outcome.error:
        return Failure(outcome.error)
    for name in outputs:
        if name in outcome.problems:
            return Failure(outcome.problems[name])
        if name not in outcome.outputs:
            return Failure(f"{name} was not returned")
    return None


def _floor(expected: dict, floor: str | None) -> float:
    """The error scale's floor: the largest |value| of the reference's entry `floor`, if named."""
    return max(float(np.max(np.abs(expected[floor]), initial=0.0)), 1e-12) if floor else 1e-12


def matches(output: str, *, points: float, name: str | None = None, against: str = "torch",
            rtol: float = compare.RTOL, atol: float = compare.ATOL, hints: tuple[Hint, ...] = (),
            hidden: bool = False, floor: str | None = None) -> Check:
    """`output` equals the reference's value of the same name, element by element. `floor` names a
    reference value holding the size of the terms the output sums: an output that cancels to nearly 0
    carries rounding noise of that size in any order of summation, which is no mistake."""

    def verify(example, outcome, expected):
        return failed_call(outcome, output) or compare.mismatch(
            output, outcome.outputs[output], expected[output], rtol=rtol, atol=atol, against=against,
            floor=_floor(expected, floor))

    return Check(name or f"{output} matches {against}", points, verify, hints, hidden)


def unchanged_inputs(*, points: float, inputs: tuple[str, ...] | None = None, hidden: bool = False,
                     name: str = "inputs are not modified") -> Check:
    """The arrays passed in are the same after the call (nothing modified in place)."""

    def verify(example, outcome, expected):
        if outcome.error:
            return Failure(outcome.error)
        after = outcome.raw.get("after")
        if not isinstance(after, dict):
            return Failure("the inputs could not be read back after the call")
        for key in inputs or tuple(example):
            before = example[key]
            if isinstance(before, np.ndarray):
                now = after.get(key)
                if not isinstance(now, np.ndarray) or now.shape != before.shape or not np.array_equal(now, before, equal_nan=True):
                    return Failure(f"the input {key} was modified in place",
                                   ("work on a copy (x = x.copy(), or out-of-place operations like x = x - m)",))
        return None

    return Check(name, points, verify, (), hidden, conditional=True)


def finite_outputs(*outputs: str, points: float, name: str, hints: tuple[Hint, ...] = (), hidden: bool = False,
                   rtol: float = compare.RTOL, atol: float = compare.ATOL, floors: dict[str, str] | None = None) -> Check:
    """Every named output is finite and matches the reference (used for large-magnitude inputs);
    `floors` maps outputs to the reference values that floor their error scale (see `matches`)."""

    def verify(example, outcome, expected):
        failure = failed_call(outcome, *outputs)
        if failure:
            return failure
        for output in outputs:
            got = np.asarray(outcome.outputs[output], dtype=np.float64)
            if not np.isfinite(got).all():
                return Failure(f"{output} holds NaN or infinite values for inputs of large magnitude")
            failure = compare.mismatch(output, got, expected[output], rtol=rtol, atol=atol,
                                       floor=_floor(expected, (floors or {}).get(output)))
            if failure:
                return failure
        return None

    return Check(name, points, verify, hints, hidden)


def raised(outcome: Outcome) -> list[str] | None:
    """Class names of the exception a call_expecting_error driver caught (None: nothing raised)."""
    names = outcome.raw.get("raised")
    return [str(n) for n in names] if isinstance(names, list) else None


def raises_value_error(context) -> Verify:
    """A verify for drivers.call_expecting_error: the call must raise ValueError (or a subclass).
    `context(example)` says which input it was, e.g. "for a 3-D shape"."""

    def verify(example, outcome, expected):
        if outcome.error:
            return Failure(outcome.error)
        names = raised(outcome)
        if names is None:
            return Failure(f"no exception was raised {context(example)}; expected ValueError")
        if "ValueError" not in names:
            return Failure(f"raised {names[0]}: {outcome.raw.get('message')} ({context(example)}); expected ValueError")
        return None

    return verify


# Hints ------------------------------------------------------------------------------------------


def hint_if_close(text: str, output: str, model) -> Hint:
    """The hint applies when the student's output equals `model(example, expected)`: the mistake's value."""

    def applies(example, outcome, expected):
        got = outcome.outputs.get(output)
        # A check may judge several outputs: a hint about one that is right must stay quiet.
        return (got is not None and not compare.close(got, expected[output])
                and compare.close(got, model(example, expected)))

    return Hint(text, applies)


def hint_if_scaled(text: str, output: str, factor) -> Hint:
    """The hint applies when the output is the right one times `factor(example)` (e.g. N times too large)."""
    return hint_if_close(text, output, lambda example, expected: np.asarray(expected[output]) * factor(example))


def hint_if_returned(text: str, position: int, model) -> Hint:
    """Applies when part `position` of the raw return equals `model(example, expected)`, even when its
    shape breaks the contract (a flattened dx, a db summed over the wrong axis...)."""

    def applies(example, outcome, expected):
        result = outcome.raw.get("result")
        part = result[position] if isinstance(result, (tuple, list)) and len(result) > position else None
        return isinstance(part, np.ndarray) and compare.close(part, model(example, expected))

    return Hint(text, applies)


def hint_if_nonfinite(text: str, output: str) -> Hint:
    def applies(example, outcome, expected):
        got = outcome.outputs.get(output)
        return got is not None and not np.isfinite(np.asarray(got, dtype=np.float64)).all()

    return Hint(text, applies)


# Static checks -----------------------------------------------------------------------------------

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _no_loops(node: ast.AST, module: ast.Module) -> Failure | None:
    for inner in ast.walk(node):
        if isinstance(inner, _LOOPS):
            kind = {ast.For: "for loop", ast.AsyncFor: "for loop", ast.While: "while loop"}.get(type(inner), "comprehension")
            return Failure(f"found a {kind} at line {inner.lineno}; this function must be vectorized (numpy operations only)")
    return None


def no_loops(*, points: float) -> StaticCheck:
    return StaticCheck("no Python loops (vectorized)", points, _no_loops)


def _forbidden_import(node: ast.AST, module: ast.Module) -> Failure | None:
    for inner in ast.walk(module):
        names = []
        if isinstance(inner, ast.Import):
            names = [alias.name for alias in inner.names]
        elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
            names = [inner.module]
        elif isinstance(inner, ast.Call) and inner.args and isinstance(inner.args[0], ast.Constant):
            func = inner.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in ("__import__", "import_module") and isinstance(inner.args[0].value, str):
                names = [inner.args[0].value]
        for name in names:
            if name.split(".")[0] in FORBIDDEN_IMPORTS:
                return Failure(f"the module imports {name} (line {inner.lineno}); submissions may use numpy and "
                               f"the standard library only, so this exercise scores 0")
    return None


def numpy_only(*, points: float) -> StaticCheck:
    return StaticCheck("numpy only (no torch, tensorflow, jax or grader imports)", points, _forbidden_import, gate=True)
