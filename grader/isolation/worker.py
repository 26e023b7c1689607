"""The worker: the only process in which student code runs.

It is forked from a server that has already imported numpy and the drivers (never torch, hypothesis
or a topic's grading module: student code could reach anything in the worker's memory), so a worker
costs a fork, not an interpreter start. It cuts itself off (own session, a memory ceiling, output to
/dev/null, the confinement of `confine.apply`, forbidden modules as inert placeholders), imports the
submission and then answers batches of jobs. Everything it sends back goes through `codec.encode`:
plain data only.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import os
import pkgutil
import random
import signal
import sys
import time
import traceback
import types
from pathlib import Path

import numpy as np

import autograde_tests.drivers
from grader.isolation import cells, codec, confine, drivers
from grader.isolation.confine_kernel import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl
from grader.isolation.forbidden import install_placeholders
from grader.isolation.sources import find_sources, unit_key, units

try:
    import resource
except ImportError:  # Windows: no resource limits (sandbox level "none")
    resource = None

_MEMORY_HEADROOM = 4 * 2**30


def _driver_modules() -> dict[str, types.ModuleType]:
    """The only modules drivers are resolved from, imported here so that the forkserver preloads them."""
    modules = {drivers.__name__: drivers}
    for info in pkgutil.walk_packages(autograde_tests.drivers.__path__, prefix="autograde_tests.drivers."):
        modules[info.name] = importlib.import_module(info.name)
    return modules


DRIVER_MODULES = _driver_modules()
confine.landlock_read_rules()  # the paths a worker may read, found once here in the forkserver


class ExerciseMissing(LookupError):
    pass


def _isolate(root: Path, conn, sandbox: str, scratch: str | None) -> None:
    if hasattr(os, "setsid"):  # not on Windows
        os.setsid()  # own process group, so the parent can kill everything we start
    try:  # orphans of student code reparent to us, so the parent finds them in our tree
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    data = _vm_data_bytes()
    if data and resource is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (data + _MEMORY_HEADROOM, data + _MEMORY_HEADROOM))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    confine.apply(sandbox, str(root), conn.fileno(), scratch)
    install_placeholders()
    sys.dont_write_bytecode = True


def _vm_data_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _seed_global_rngs() -> None:
    np.random.seed(0)
    random.seed(0)


def describe_exception(exc: BaseException, root: Path) -> str:
    """'NotImplementedError: ... (softmax.py, line 12)', pointing at the student's own code."""
    if isinstance(exc, drivers.ForwardFailed) and exc.__cause__ is not None:
        return f"your {exc.forward} raised " + describe_exception(exc.__cause__, root)
    if isinstance(exc, SystemExit):
        text = f"the code called sys.exit({exc.code!r})"
    elif isinstance(exc, KeyboardInterrupt):
        text = "KeyboardInterrupt"
    else:
        message = str(exc).strip().splitlines()
        text = type(exc).__name__ + (f": {message[0][:300]}" if message else "")
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _inside(f.filename, root)]
    except Exception:  # a hostile traceback must not take the worker down
        frames = []
    if isinstance(exc, SyntaxError) and exc.filename and _inside(exc.filename, root):
        text = f"SyntaxError: {exc.msg} ({_where(exc.filename, exc.lineno, root)})"
    elif frames:
        text += f" ({_where(frames[-1].filename, frames[-1].lineno, root)})"
    return text


def _where(filename: str, line, root: Path) -> str:
    """'softmax.py, line 3' or 'softmax.ipynb, cell 7, line 3'."""
    path, label = cells.split_filename(filename)
    return cells.describe(str(Path(path).resolve().relative_to(root)), label, line)


def _inside(filename: str, root: Path) -> bool:
    try:
        path = cells.split_filename(filename)[0]
        return os.path.isabs(path) and Path(path).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def _same_file(filename, path: Path) -> bool:
    try:
        return filename is not None and Path(filename).resolve() == path
    except (OSError, TypeError, ValueError):
        return False


def _run_notebook(source, root: Path, errors: dict[str, str], skip: set[str], send):
    """Runs the notebook's student cells in order, each on its own, as Jupyter does: an error in one
    cell is that cell's error (filed under unit_key) and the next cells still run. A cell that hung or
    killed the process is in `skip` (see sandbox.start_worker)."""
    module = types.ModuleType(source.module)
    module.__file__ = str(source.path)
    sys.modules[source.module] = module
    for label, text in units(source):
        key = unit_key(source.module, label)
        if key in skip:
            continue
        send({"importing": key})
        try:
            exec(compile(text, cells.cell_filename(source.path, label), "exec"), module.__dict__)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: one cell, one error
            errors[key] = describe_exception(exc, root)
    return module


def _import(source, root: Path, errors: dict[str, str], skip: set[str], send):
    if str(source.search_path) not in sys.path:
        sys.path.insert(0, str(source.search_path))
    if source.notebook:
        return _run_notebook(source, root, errors, skip, send)
    if "." in source.module or source.is_package:
        return importlib.import_module(source.module)
    spec = importlib.util.spec_from_file_location(source.module, source.path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[source.module] = module
    spec.loader.exec_module(module)
    return module


def _load(root: Path, skip: set[str], send) -> tuple[list[types.ModuleType], dict[str, str]]:
    modules, errors = [], {}
    for source in find_sources(root):
        if source.module in skip:
            continue
        existing = sys.modules.get(source.module)
        if existing is not None:
            if _same_file(getattr(existing, "__file__", None), source.path):
                modules.append(existing)  # already imported by another module of the submission
                continue
            # A student file named like a standard module (random.py...): load it under its own name.
            source = dataclasses.replace(source, module="_submission_" + source.module.replace(".", "_"))
        send({"importing": source.module})
        _seed_global_rngs()
        try:
            modules.append(_import(source, root, errors, skip, send))
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: one file, one error
            sys.modules.pop(source.module, None)
            errors[source.module] = describe_exception(exc, root)
    return modules, errors


def _definitions(modules, names) -> tuple[dict[str, list], dict[str, list[dict]]]:
    """Every distinct object of each exercise's name across modules (a re-export is the same object),
    and where each is defined. The grading process chooses among them (statics.choose): a stub in an
    old copy must not shadow the student's implementation."""
    found, where = {}, {}
    for name in names:
        candidates = []
        for module in modules:
            obj = module.__dict__.get(name)
            # A package's submodule of the exercise's name (cs231n.classifiers.softmax) is not a definition.
            if obj is not None and not isinstance(obj, types.ModuleType) and not any(obj is c for c, _ in candidates):
                candidates.append((obj, module))
        if not candidates:
            continue
        # The object defined where it is found first: a copy imported elsewhere is the same one.
        candidates.sort(key=lambda c: (getattr(c[0], "__module__", None) != c[1].__name__, c[1].__name__))
        found[name] = [obj for obj, _ in candidates]
        where[name] = [_location(obj, module) for obj, module in candidates]
    return found, where


def _code_of(obj):
    """A code object defined in obj's own source: its own, or for a class its first method's."""
    if not inspect.isclass(obj):
        return getattr(obj, "__code__", None)
    for member in vars(obj).values():
        code = getattr(getattr(member, "__func__", member), "__code__", None)
        if code is not None:
            return code
    return None


def _location(obj, module) -> dict:
    info = {"module": module.__name__, "callable": callable(obj)}
    code = _code_of(obj)
    if code is not None:
        info["file"] = code.co_filename
        # A class is found by name in that file or cell; a function by its first line.
        info["line"] = None if inspect.isclass(obj) else code.co_firstlineno
    elif inspect.isclass(obj):
        try:
            info["file"], info["line"] = inspect.getsourcefile(obj), inspect.getsourcelines(obj)[1]
        except (TypeError, OSError):
            pass
    return info


def _resolve(ref: str):
    module_name, _, qualname = ref.partition(":")
    if module_name not in DRIVER_MODULES:
        raise LookupError(f"{module_name} is not a driver module (grader.isolation.drivers or autograde_tests.drivers.*)")
    obj = DRIVER_MODULES[module_name]
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _run_job(job: dict, student, root: Path) -> dict:
    _seed_global_rngs()
    try:
        driver = _resolve(job["driver"])
    except Exception as exc:  # the grader's own content: never reported as the student's error
        return {"grader_error": f"the driver {job['driver']} could not be found: {type(exc).__name__}: {exc}"}
    started = time.perf_counter()
    chosen = job.get("chosen") or {}  # name -> index of the definition the grading process chose
    try:
        return {"reply": driver(lambda name: student(name, chosen.get(name, 0)), job["exercise"], job["example"],
                                job["call"]),
                "seconds": time.perf_counter() - started}
    except BaseException as exc:
        return {"error": describe_exception(exc, root), "seconds": time.perf_counter() - started}


def main(conn, root: str, skip: list[str], exercise_names: list[str], sandbox: str, scratch: str | None) -> None:
    """Entry point of the worker process (see sandbox.Worker)."""
    root_path = Path(root).resolve()

    def send(message) -> None:
        conn.send_bytes(codec.encode(message))

    # A worker dies with the forkserver it was forked from (which leaves when the grading process
    # does, even one killed by SIGKILL, such as a lost Dask worker): nothing is left behind.
    if sys.platform == "linux":
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        _isolate(root_path, conn, sandbox, scratch)
    except Exception as exc:  # never grade with less confinement than the run announced
        send({"confinement": f"the {sandbox} sandbox could not be set up: {exc}"})
        return
    modules, errors = _load(root_path, set(skip), send)
    definitions, where = _definitions(modules, exercise_names)

    def student(name: str, index: int = 0):
        if name not in definitions:
            raise ExerciseMissing(f"{name} is not defined in the submission")
        candidates = definitions[name]
        return candidates[index] if isinstance(index, int) and 0 <= index < len(candidates) else candidates[0]

    send({"loaded": {"errors": errors, "exercises": where}})
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        if request is None:
            break
        send({"results": [_run_job(job, student, root_path) for job in request]})
    conn.close()
