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
import resource
import sys
import time
import traceback
import types
from pathlib import Path

import numpy as np

import autograde_tests.drivers
from grader.isolation import codec, confine, drivers
from grader.isolation.confine_kernel import PR_SET_CHILD_SUBREAPER, prctl
from grader.isolation.forbidden import FORBIDDEN_MODULES, install_placeholders  # noqa: F401  (re-exported)
from grader.isolation.sources import find_sources, read_source

_MEMORY_HEADROOM = 4 * 2**30


def _driver_modules() -> dict[str, types.ModuleType]:
    """The only modules drivers are resolved from, imported here so that the forkserver preloads them."""
    modules = {drivers.__name__: drivers}
    for info in pkgutil.walk_packages(autograde_tests.drivers.__path__, prefix="autograde_tests.drivers."):
        modules[info.name] = importlib.import_module(info.name)
    return modules


DRIVER_MODULES = _driver_modules()


class ExerciseMissing(LookupError):
    pass


def _isolate(root: Path, conn, sandbox: str, scratch: str | None) -> None:
    os.setsid()  # own process group, so the parent can kill everything we start
    try:  # orphans of student code reparent to us, so the parent finds them in our tree
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    data = _vm_data_bytes()
    if data:
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
    if frames:
        text += f" ({Path(frames[-1].filename).resolve().relative_to(root)}, line {frames[-1].lineno})"
    return text


def _inside(filename: str, root: Path) -> bool:
    try:
        return os.path.isabs(filename) and Path(filename).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def _same_file(filename, path: Path) -> bool:
    try:
        return filename is not None and Path(filename).resolve() == path
    except (OSError, TypeError, ValueError):
        return False


def _import(source, root: Path):
    if str(source.search_path) not in sys.path:
        sys.path.insert(0, str(source.search_path))
    if source.notebook:
        module = types.ModuleType(source.module)
        module.__file__ = str(source.path)
        sys.modules[source.module] = module
        exec(compile(read_source(source), str(source.path), "exec"), module.__dict__)
        return module
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
            modules.append(_import(source, root))
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: one file, one error
            sys.modules.pop(source.module, None)
            errors[source.module] = describe_exception(exc, root)
    return modules, errors


def _definitions(modules, names) -> tuple[dict[str, object], dict[str, dict]]:
    """Each exercise's object, found by name across modules; a re-export is the same definition."""
    found, where = {}, {}
    for name in names:
        candidates = []
        for module in modules:
            obj = module.__dict__.get(name)
            if obj is not None and not any(obj is c for c, _ in candidates):
                candidates.append((obj, module))
        if not candidates:
            continue
        # Prefer the object defined where it is found: a copy imported elsewhere is the same one.
        candidates.sort(key=lambda c: (getattr(c[0], "__module__", None) != c[1].__name__, c[1].__name__))
        obj = candidates[0][0]
        found[name] = obj
        where[name] = _location(obj, candidates)
    return found, where


def _location(obj, candidates) -> dict:
    info = {"kind": "class" if inspect.isclass(obj) else "function" if callable(obj) else "other",
            "definitions": len(candidates), "module": candidates[0][1].__name__}
    code = getattr(obj, "__code__", None)
    if inspect.isclass(obj):
        try:
            info["file"], info["line"] = inspect.getsourcefile(obj), inspect.getsourcelines(obj)[1]
        except (TypeError, OSError):
            pass
    elif code is not None:
        info["file"], info["line"] = code.co_filename, code.co_firstlineno
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
    started = time.perf_counter()
    try:
        driver = _resolve(job["driver"])
        return {"reply": driver(student, job["exercise"], job["example"], job["call"]),
                "seconds": time.perf_counter() - started}
    except BaseException as exc:
        return {"error": describe_exception(exc, root), "seconds": time.perf_counter() - started}


def main(conn, root: str, skip: list[str], exercise_names: list[str], sandbox: str, scratch: str | None) -> None:
    """Entry point of the worker process (see sandbox.Worker)."""
    root_path = Path(root).resolve()

    def send(message) -> None:
        conn.send_bytes(codec.encode(message))

    try:
        _isolate(root_path, conn, sandbox, scratch)
    except OSError as exc:  # never grade with less confinement than the run announced
        send({"confinement": f"the {sandbox} sandbox could not be set up: {exc}"})
        return
    modules, errors = _load(root_path, set(skip), send)
    definitions, where = _definitions(modules, exercise_names)

    def student(name: str):
        if name not in definitions:
            raise ExerciseMissing(f"{name} is not defined in the submission")
        return definitions[name]

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
