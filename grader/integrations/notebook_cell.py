"""The test cells of the nbgrader notebooks: grade the function defined in the kernel.

`grade_cell(name, globals())` collects the code the kernel runs now (the latest run of each cell
that defined a function, class or other value still in the namespace, plus the namespace's imports:
the code a top-to-bottom run of the notebook grades, when the notebook was run in order), grades it
with the isolated engine like any submission, prints the feedback to stdout and returns the score as
a plain float: as the cell's last expression it becomes the cell's output, which `nbgrader
autograde` records as partial credit. nbgrader gives 0 to a cell that writes to stderr, so the
grading runs with warnings off and file descriptors 1 and 2 sent to /dev/null (the worker processes
it starts inherit that).

This module is imported by every test cell before anything is graded: it imports nothing heavy.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import linecache
import os
import sys
import tempfile
import types
import warnings
from pathlib import Path

from grader.isolation.forbidden import is_forbidden

# Names IPython puts in the namespace; never the student's code.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def _code_objects(value):
    if isinstance(value, types.FunctionType):
        yield value.__code__
    elif isinstance(value, type):
        for member in vars(value).values():
            member = getattr(member, "__func__", member)  # staticmethod / classmethod
            for inner in (member, getattr(member, "fget", None), getattr(member, "fset", None)):
                if isinstance(inner, types.FunctionType):
                    yield inner.__code__


def _shell():
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return None
    return get_ipython()


def _bound_names(source: str) -> set[str]:
    """Names a cell assigns at its top level (`EPS = 1e-8`, `W, b = ...`); empty if it does not parse."""
    from grader.isolation.cells import plain_python  # noqa: PLC0415

    try:
        tree = ast.parse(plain_python(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    targets = [t for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
               for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a function's code (nested functions included) may read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def kernel_cells(namespace: dict) -> list[tuple[str, str]]:
    """(label, source) of the cells the kernel's namespace comes from, in execution order: the latest
    run of every cell that defined one of its functions or classes, or assigned another value they
    use (a constant, a helper's table; not a training run whose results nothing graded reads). The
    label is the cell's execution count, "In[7]".

    Only the latest run of each such cell counts, so an earlier broken version of a function that the
    student has since fixed and re-run is not graded.
    """
    from grader.isolation.cells import TEST_CELL_CALL  # noqa: PLC0415

    shell = _shell()
    numbers = getattr(getattr(shell, "compile", None), "_filename_map", {})  # IPython: cell file -> In[n]
    raw_inputs = list(getattr(getattr(shell, "history_manager", None), "input_hist_raw", []))
    found: dict[str, tuple[int, str]] = {}
    values, used = set(), set()
    for name, value in list(namespace.items()):
        if getattr(value, "__module__", None) != namespace.get("__name__", "__main__"):
            if not (name.startswith("__") or name in _KERNEL_NAMES or isinstance(value, types.ModuleType)
                    or callable(value)):
                values.add(name)
            continue
        for code in _code_objects(value):
            used |= _global_names(code)
            filename = code.co_filename
            if filename in found:
                continue
            number = numbers.get(filename)
            if isinstance(number, int) and 0 < number < len(raw_inputs):
                found[filename] = (number, raw_inputs[number])
            elif linecache.getlines(filename) and not os.path.exists(filename):
                found[filename] = (sys.maxsize, "".join(linecache.getlines(filename)))
    wanted = values & used
    for number in range(len(raw_inputs) - 1, 0, -1):  # the latest cell that assigned each other name
        if not wanted:
            break
        bound = _bound_names(raw_inputs[number]) & wanted
        if bound and TEST_CELL_CALL not in raw_inputs[number]:
            found.setdefault(f"In[{number}]", (number, raw_inputs[number]))
            wanted -= bound
    ordered = sorted(dict.fromkeys(found.values()), key=lambda item: item[0])
    return [(f"In[{number}]" if number != sys.maxsize else "?", source) for number, source in ordered
            if TEST_CELL_CALL not in source]


def namespace_imports(namespace: dict) -> str:
    """`import` lines recreating the namespace's modules and imported functions (`np`, `from math import
    sqrt`), each allowed to fail: a cell that only imports is not found by `kernel_cells`."""
    lines = []
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _KERNEL_NAMES:
            continue
        if isinstance(value, types.ModuleType):
            statement = f"import {value.__name__} as {name}"
            module_name = value.__name__
        else:
            module_name, attr = getattr(value, "__module__", None), getattr(value, "__name__", None)
            if not (isinstance(module_name, str) and isinstance(attr, str) and module_name != "__main__"
                    and getattr(sys.modules.get(module_name), attr, None) is value):
                continue
            statement = f"from {module_name} import {attr} as {name}"
        if name.isidentifier() and not is_forbidden(module_name):
            lines.append(f"try:\n    {statement}\nexcept ImportError:\n    pass")
    return "\n".join(lines)


def write_kernel_submission(folder: Path, namespace: dict) -> Path:
    """The kernel's code as a notebook whose cells keep their names (In[7]), graded like any notebook."""
    from grader.isolation.cells import Cell, labelled_notebook  # noqa: PLC0415

    cells = [Cell("imports", namespace_imports(namespace))]
    cells += [Cell(label, source) for label, source in kernel_cells(namespace)]
    path = Path(folder) / "notebook.ipynb"
    path.write_text(labelled_notebook(cells))
    return path


@functools.lru_cache(maxsize=8)
def _plan(name: str, include_hidden: bool, notebook_folder: Path):
    """The exercise's plan, read from the shipped plans or the disk cache where it can be: never
    from inside the notebook's folder, which holds the student's files (nbgrader autograde runs the
    notebook there)."""
    from grader.engine import plan_availability, plan_cache, registry  # noqa: PLC0415
    from grader.engine.examples import make_plan  # noqa: PLC0415

    exercises, cache = [registry.exercise(name)], plan_cache.default_cache(avoid=[notebook_folder])
    plan_availability.require_plan(exercises, include_hidden=include_hidden, cache=cache)  # one line, not a traceback
    return make_plan(exercises, include_hidden=include_hidden, cache=cache)


@contextlib.contextmanager
def silenced():
    """Nothing reaches stdout or stderr, at the Python level or the file-descriptor level."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [devnull]:
            os.close(fd)


def grade_in_kernel(name: str, namespace: dict, *, include_hidden: bool = False, timeout: float | None = None):
    """The ExerciseResult of exercise `name` on the code of the kernel whose globals are `namespace`."""
    from grader.engine.grading import GradingOptions, grade_submission  # noqa: PLC0415

    options = GradingOptions() if timeout is None else GradingOptions(timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="dlgrade-cell-") as scratch:
        # The confined worker runs as another user: the submission must be readable by others (a
        # temporary directory itself is private to its owner).
        folder = Path(scratch) / "kernel"
        folder.mkdir(mode=0o755)
        folder.chmod(0o755)
        write_kernel_submission(folder, namespace).chmod(0o644)
        result = grade_submission(folder, _plan(name, include_hidden, Path.cwd()), submission_id="kernel",
                                  options=options)
    return result.exercises[0]


def grade_cell(name: str, namespace: dict, *, include_hidden: bool = False) -> float:
    """Grade exercise `name` in the kernel, print its feedback, return its score (a plain float)."""
    try:
        with silenced():
            result = grade_in_kernel(name, namespace, include_hidden=include_hidden)
            from grader.reports import text as reports  # noqa: PLC0415

            summary = reports.exercise_summary(result)
    except Exception as exc:  # noqa: BLE001  (a cell must end with a score, never with a traceback)
        print(f"{name}: could not be graded ({type(exc).__name__}: {exc})")
        return 0.0
    print(summary)
    from grader.engine import registry  # noqa: PLC0415

    return cell_score(result, registry.exercise(name).max_points(include_hidden=True))


def cell_score(result, points: float) -> float:
    """The score in the cell's `points`. Without the hidden checks (a student's own run, nbgrader's
    Validate) the visible score is scaled to the full points, so passing everything visible passes."""
    score = min(max(result.score, 0.0), result.max_score)
    if 0 < result.max_score < points:
        print(f"(hidden checks worth {points - result.max_score:g} points run when your notebook is graded; "
              f"until then the visible checks count for all {points:g})")
        score = round(score * points / result.max_score, 6)
    return float(min(score, points))
