"""The standard checks the graders' content is built from."""

from __future__ import annotations

import ast

import numpy as np

from grader.engine import compare
from grader.engine.hint_values import wanted as hint_values_wanted
from grader.engine.outcomes import conform, describe
from grader.isolation.forbidden import is_forbidden
from grader.engine.spec import Check, Exercise, Failure, Hint, Kind, Outcome, Scenario, StaticCheck, Verify

# What topics build their graders from, in one import (topics never reach into the engine's other modules).
__all__ = ["Check", "Exercise", "Failure", "Hint", "Kind", "Outcome", "Scenario", "StaticCheck", "Verify", "conform",
           "describe", "failed_call", "global_rng_changed", "global_rng_untouched", "hint_if_close", "hint_values_wanted",
           "hint_if_nonfinite", "hint_if_returned", "hint_if_scaled", "matches", "no_loops", "numpy_only", "raised",
           "raises_value_error", "reference_scale", "scale_of", "unchanged_inputs"]



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


def _scale(scale, example: dict, expected: dict, output: str) -> float:
    size = scale(example, expected, output) if callable(scale) else scale
    return max(float(np.max(np.abs(size), initial=0.0)) if size is not None else 0.0, 1e-12)


def reference_scale(example: dict, expected: dict, output: str):
    """The scale the reference computed for `output`, under the name `scale_of(output)` (none: the
    output's own size, e.g. for elementwise outputs, which sum nothing)."""
    return expected.get(scale_of(output))


def scale_of(output: str) -> str:
    """The name under which a reference gives the scale of `output` (for `scale=reference_scale`)."""
    return f"scale of {output}"


# Exceptions that large magnitudes alone can raise; any other one the typical-inputs check reports already.
_MAGNITUDE_ERRORS = ("OverflowError", "FloatingPointError")


def matches(*outputs: str, points: float, name: str | None = None, scale=None, finite: bool = False,
            typical: dict[str, str] | None = None, rtol: float = compare.RTOL, atol: float = compare.ATOL,
            against: str = "torch", hints: tuple[Hint, ...] = (), hidden: bool = False) -> Check:
    """Each output equals the reference's value of the same name, element by element.

    Tolerance (compare.mismatch): |got - expected| <= rtol * |expected| + atol * scale. The scale of
    an output is the size of the numbers it is computed from: its largest |expected| element, or more
    when `scale` says so, as a number (activations: O(1) functions) or as `scale(example, expected,
    output)` (its largest absolute value is used; `reference_scale` reads it from the reference).

    `finite` makes it a stability check (inputs of large magnitude): NaN or infinite outputs fail
    first. `typical` names, per output, the typical-inputs check of the same exercise that judges it:
    when that one failed, its failure already explains an inaccuracy here, so this check judges
    only what large magnitudes reveal for that output (an overflow error, NaN or infinite values), drops
    the hints about it (an overflow hint needs outputs that were right on typical inputs), and
    scores only once a check of values passes.
    """
    if not outputs:
        raise ValueError("matches needs at least one output")
    name = name or f"{outputs[0]} matches {against}"

    def build(reduced: frozenset[str]) -> Check:
        def verify(example, outcome, expected):
            if outcome.error and (reduced != set(outputs) or outcome.error.startswith(_MAGNITUDE_ERRORS)):
                return Failure(outcome.error)
            for output in outputs:
                if output in reduced and output not in outcome.outputs:
                    continue  # a part of the wrong kind: the typical-inputs check says so already
                failure = failed_call(outcome, output)
                if failure:
                    return failure
                got = np.asarray(outcome.outputs[output], dtype=np.float64)
                if finite and not np.isfinite(got).all():
                    return Failure(f"{output} holds NaN or infinite values for inputs of large magnitude")
                if output in reduced:
                    continue
                failure = compare.mismatch(output, got, expected[output], rtol=rtol, atol=atol,
                                           floor=_scale(scale, example, expected, output), against=against)
                if failure:
                    return failure
            return None

        kept = tuple(h for h in hints if h.about not in reduced)
        return Check(name, points, verify, kept, hidden, conditional=bool(reduced), given=given if typical else None)

    def given(failed: frozenset[str]) -> Check:
        return build(frozenset(o for o, check in typical.items() if check in failed))

    if typical and not set(typical) <= set(outputs):
        raise ValueError(f"typical names outputs that {name!r} does not judge: {sorted(set(typical) - set(outputs))}")
    return build(frozenset())


def _differences(before, after, path: str, may_change: tuple[str, ...]):
    """The first place (a path like "bn_param['eps']" or "dws[1]") where `after` differs from `before`."""
    if path in may_change:
        return None
    if isinstance(before, np.ndarray):
        same = (isinstance(after, np.ndarray) and after.shape == before.shape and after.dtype.kind == before.dtype.kind
                and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
        return None if same else path
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return path
        for key in {**before, **after}:
            where = f"{path}[{key!r}]"
            if where in may_change:
                continue
            if key not in before or key not in after:
                return where
            found = _differences(before[key], after[key], where, may_change)
            if found:
                return found
        return None
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return path
        return next((found for i, (b, a) in enumerate(zip(before, after))
                     if (found := _differences(b, a, f"{path}[{i}]", may_change))), None)
    try:
        return None if bool(after == before) else path
    except Exception:  # something that cannot be compared with the input is not the input
        return path


def unchanged_inputs(*, points: float, may_change: tuple[str, ...] = (), hidden: bool = False,
                     name: str = "inputs are not modified",
                     advice: str = "work on a copy (x = x.copy(), or out-of-place operations like x = x - m)") -> Check:
    """Every input is the same after the call as before: arrays, and the dicts and lists holding them,
    compared element by element (keys added to a dict count as a change).

    `may_change` names what the contract lets the call change: an input ("w", "config") or an entry
    of a dict input, written as Python would ("bn_param['running_mean']"). The driver sends the
    inputs back under "after"; inputs it does not send back must be ones that may change.
    """

    def verify(example, outcome, expected):
        if outcome.error:
            return Failure(outcome.error)
        after = outcome.raw.get("after")
        if not isinstance(after, dict):
            return Failure("the inputs could not be read back after the call")
        for key, before in example.items():
            if key in may_change:
                continue
            where = _differences(before, after.get(key), key, may_change) if key in after else key
            if where:
                return Failure(f"the input {where} was modified in place", (advice,))
        return None

    return Check(name, points, verify, (), hidden, conditional=True)


def _same_state(before, after) -> bool:
    return len(before) == len(after) and all(
        np.array_equal(x, y) if isinstance(x, np.ndarray) or isinstance(y, np.ndarray) else x == y
        for x, y in zip(before, after))


def global_rng_changed(example, outcome, expected) -> bool:
    """Whether the call changed the global np.random state (the driver sends back its state before
    and after the call under "global_state", as np.random.get_state() gives it)."""
    state = outcome.raw.get("global_state")
    return not (isinstance(state, list) and len(state) == 2 and _same_state(*state))


def global_rng_untouched(*, points: float, name: str = "the global np.random state is left untouched",
                         hints: tuple[Hint, ...] = (), hidden: bool = False) -> Check:
    """The call leaves the global np.random state as it found it: randomness comes from the rng argument."""

    def verify(example, outcome, expected):
        if outcome.error:
            return Failure(outcome.error)
        if global_rng_changed(example, outcome, expected):
            return Failure("the call changed the global np.random state (np.random.get_state() differs before and "
                           "after): draw only from the rng argument, never from np.random.* functions")
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

    return Hint(text, applies, output)


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

    return Hint(text, applies, output)


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
            if is_forbidden(name):
                return Failure(f"the module imports {name} (line {inner.lineno}); submissions may use numpy and "
                               f"the standard library only, so this exercise scores 0")
    return None


def numpy_only(*, points: float) -> StaticCheck:
    return StaticCheck("numpy only (no torch, tensorflow, jax or grader imports)", points, _forbidden_import, gate=True)
