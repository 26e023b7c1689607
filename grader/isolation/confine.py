"""Confining a worker before it imports a submission (threat model: docs/confinement.md).

Levels, strongest first:
- "namespaces+landlock": own mount, network, PID and IPC namespaces, a root filesystem holding only
  the Python installation (without torch and the grader), numpy, the system libraries and the
  submission, all read-only, plus a private size-bounded tmpfs scratch; Landlock on top (filesystem,
  TCP, signals). Root drops to `nobody`.
- "namespaces": the same without Landlock (kernels before 5.13).
- "landlock": Landlock alone (containers that refuse namespaces): reads limited to those paths, writes
  to a scratch folder the grading process makes, no TCP, no signal out of the sandbox.
- "none": rlimits only (macOS, Windows, Linux without either: a student's laptop).
All levels: resource limits (where the `resource` module exists: not on Windows), no new privileges
(Linux), a scrubbed environment, scratch as cwd and TMPDIR.

The grading process detects the strongest level once (`level()`); DLGRADE_SANDBOX forces a weaker one.
Nothing here imports a module that only some systems have at module level: the self-check imports
this on every system, and what a system lacks is skipped, as at level "none".
"""

from __future__ import annotations

import functools
import importlib.util
import os
import signal
import site
import stat
import sys
import sysconfig
import tempfile
from pathlib import Path

from grader.isolation import confine_kernel as kernel
from grader.isolation import confine_landlock as landlock
from grader.isolation import confine_namespaces as namespaces
from grader.isolation.forbidden import FORBIDDEN_MODULES

try:
    import resource
except ImportError:  # Windows
    resource = None

LEVELS = ("none", "landlock", "namespaces", "namespaces+landlock")  # weakest first
FULL = LEVELS[-1]
ENV_VAR = "DLGRADE_SANDBOX"
SCRATCH_BYTES = 64 * 2**20
_PROCESSES = 64
_OPEN_FILES = 256
# Packages that carry torch or the like under another name: hidden with the forbidden ones.
_COMPANIONS = ("functorch", "torchgen", "torchvision", "torchaudio", "triton", "nvidia", "tensorboard", "flax",
               "optax", "tf_keras")
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache", "/etc/ld.so.conf",
           "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
_DEVICES = ("/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class SandboxError(ValueError):
    """A bad DLGRADE_SANDBOX value."""


# Detection (grading process) ------------------------------------------------------------------------


def _privileged() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _probe_namespaces() -> bool:
    """Whether this machine lets a worker build its namespaces: tried in a throwaway child."""
    privileged = _privileged()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            namespaces.unshare_all(privileged)
            inner = os.fork()
            if inner == 0:
                try:
                    kernel.mount(None, "/", None, kernel.MS_REC | kernel.MS_PRIVATE)
                    kernel.mount("tmpfs", namespaces.STAGING, "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, "size=64k")
                    os.mkdir(f"{namespaces.STAGING}/old")
                    kernel.pivot_root(namespaces.STAGING, f"{namespaces.STAGING}/old")
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(inner, 0)
            code = 0 if os.waitstatus_to_exitcode(status) == 0 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


@functools.cache
def available() -> str:
    """The strongest level this machine allows."""
    if sys.platform != "linux":
        return "none"
    try:
        has_landlock = landlock.abi() >= 1
    except OSError:
        has_landlock = False
    try:
        has_namespaces = _probe_namespaces()
    except OSError:
        has_namespaces = False
    return ("namespaces+landlock" if has_landlock else "namespaces") if has_namespaces else (
        "landlock" if has_landlock else "none")


def level() -> str:
    """The level workers get: the strongest available, or a weaker one DLGRADE_SANDBOX asks for."""
    strongest = available()
    requested = os.environ.get(ENV_VAR, "").strip()
    if not requested:
        return strongest
    if requested not in LEVELS:
        raise SandboxError(f"{ENV_VAR}={requested!r} is not a sandbox level (one of: {', '.join(LEVELS)})")
    if requested == "landlock" and strongest == "namespaces":
        return "none"
    return min(requested, strongest, key=LEVELS.index)


def needs_scratch_folder(level_name: str) -> bool:
    """Without a mount namespace, the scratch space is a folder the grading process makes and removes."""
    return not level_name.startswith("namespaces")


# What a worker may read (computed once, in the forkserver) -------------------------------------------


def _site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    dirs = {paths["purelib"], paths["platlib"], *site.getsitepackages(), os.path.join(paths["stdlib"], "site-packages")}
    dirs |= {p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))}
    return sorted(os.path.realpath(d) for d in dirs if os.path.isdir(d))


def _hidden_by_name(directory: str) -> list[str]:
    names = FORBIDDEN_MODULES + _COMPANIONS
    found = []
    for entry in os.scandir(directory):
        top = entry.name.split(".")[0].split("-")[0]
        if top in names or entry.name.startswith("__editable__"):
            found.append(entry.path)
    return found


@functools.cache
def readable_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, hidden): trees the worker may read, and paths inside them it may not (torch, the grader)."""
    paths = sysconfig.get_paths()
    python = {paths["stdlib"], paths["platstdlib"], sysconfig.get_config_var("DESTSHARED") or paths["platstdlib"],
              *_site_dirs()}
    numpy_spec = importlib.util.find_spec("numpy")
    if numpy_spec and numpy_spec.submodule_search_locations:
        python.add(os.path.dirname(list(numpy_spec.submodule_search_locations)[0]))
    python_dirs = sorted({os.path.realpath(p) for p in python if p and os.path.isdir(p)})
    # One bind per tree: site-packages and lib-dynload usually sit inside the standard library's folder.
    read = [p for p in _SYSTEM if os.path.lexists(p)] + [
        p for p in python_dirs if not any(p.startswith(q.rstrip("/") + "/") for q in python_dirs)]
    hidden = set()
    for directory in _site_dirs():
        hidden.update(_hidden_by_name(directory))
    grader_root = Path(__file__).resolve().parents[2]  # the repository or site-packages holding grader/
    for own in ("grader", "autograde_tests"):
        hidden.add(str(grader_root / own))
    if (grader_root / "pyproject.toml").exists():
        hidden.add(str(grader_root))
    home = os.path.realpath(os.path.expanduser("~"))
    if home != "/":
        hidden.add(home)
    inside = [h for h in sorted(hidden) if any(h == r or h.startswith(r.rstrip("/") + "/") for r in read)]
    # A read tree inside a hidden one (the venv inside the repository) stays readable: keep only the
    # hidden paths that do not contain a read tree.
    inside = [h for h in inside if not any(r.startswith(h.rstrip("/") + "/") for r in read)]
    return tuple(read), tuple(inside)


def _landlock_read_rules(read, hidden) -> list[str]:
    """Landlock grants whole trees: a tree holding a hidden path is split into its other entries."""
    rules = []

    def visit(path: str, inside: list[str]) -> None:
        if not inside:
            rules.append(path)
        elif path not in inside and os.path.isdir(path) and not os.path.islink(path):
            for entry in os.scandir(path):
                visit(entry.path, [h for h in inside if h == entry.path or h.startswith(entry.path + "/")])

    for root in read:
        visit(root, [h for h in hidden if h == root or h.startswith(root.rstrip("/") + "/")])
    return rules


@functools.cache
def landlock_read_rules() -> tuple[str, ...]:
    if sys.platform != "linux":  # no Landlock: nothing to find (and no time spent on it in every spawned worker)
        return ()
    return tuple(_landlock_read_rules(*readable_paths()))


# Applying a level (worker) ---------------------------------------------------------------------------


def _readable_by_others(paths) -> bool:
    """Whether `nobody` can read all of `paths` where they are (each folder above them searchable)."""
    try:
        for path in map(Path, paths):
            if path.stat().st_mode & stat.S_IROTH == 0 or not all(p.stat().st_mode & stat.S_IXOTH for p in path.parents):
                return False
    except OSError:
        return False
    return True


def _tree_readable_by_others(folder: str) -> bool:
    """Whether `nobody` can read every folder and file of the submission (a private one is copied)."""
    try:
        for root, dirs, files in os.walk(folder):
            if os.stat(root).st_mode & (stat.S_IROTH | stat.S_IXOTH) != stat.S_IROTH | stat.S_IXOTH:
                return False
            if any(os.stat(os.path.join(root, f)).st_mode & stat.S_IROTH == 0 for f in files
                   if not os.path.islink(os.path.join(root, f))):
                return False
    except OSError:
        return False
    return True


def _limits(processes: bool = True) -> None:
    if resource is None:
        return
    limits = [(resource.RLIMIT_NOFILE, _OPEN_FILES), (resource.RLIMIT_FSIZE, SCRATCH_BYTES), (resource.RLIMIT_CORE, 0)]
    for limit, value in limits + ([(resource.RLIMIT_NPROC, _PROCESSES)] if processes else []):
        soft, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too large file is an OSError, not a dead worker


def _environment(scratch: str) -> None:
    # Windows cannot start a process or load some system libraries without SYSTEMROOT.
    kept = {name: os.environ[name] for name in ("SYSTEMROOT",) if os.name == "nt" and name in os.environ}
    os.environ.clear()
    os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch,
                       "LANG": "C.UTF-8", **kept})
    tempfile.tempdir = scratch
    os.chdir(scratch)


def _close_other_fds(keep: int) -> None:
    if os.name == "nt":  # `keep` is a handle there, not a file descriptor, and nothing else is inherited
        return
    os.closerange(3, keep)
    os.closerange(keep + 1, _OPEN_FILES * 4)


def apply(level_name: str, submission: str, keep_fd: int, scratch: str | None) -> None:
    """Confines this worker (and everything it starts). With namespaces, returns in a new child that
    is PID 1 of its namespace while this process waits for it (see confine_namespaces)."""
    read, hidden = readable_paths() if level_name != "none" else ((), ())  # computed once in the forkserver
    read_rules = landlock_read_rules()
    kernel.wipe_initial_environment()
    privileged = _privileged()
    if level_name.startswith("namespaces"):
        namespaces.unshare_all(privileged)
        namespaces.become_pid_one(keep_fd)
        owner = (namespaces.NOBODY, namespaces.NOBODY) if privileged else (os.geteuid(), os.getegid())
        scratch = "/tmp"
        namespaces.build_root(list(read), list(hidden), submission, scratch=scratch, scratch_bytes=SCRATCH_BYTES,
                              owner=owner, copy_submission=privileged and not _tree_readable_by_others(submission))
        namespaces.drop_privileges(privileged)
        _limits()
    elif level_name == "landlock" and privileged and _readable_by_others((submission,) + read):
        os.chown(scratch, namespaces.NOBODY, namespaces.NOBODY)
        namespaces.drop_privileges(True)
        _limits()
    elif level_name == "landlock" and privileged:  # root keeps uid 0 (without any capability) to read what nobody cannot
        kernel.drop_bounding_set()
        kernel.clear_capabilities()
        _limits(processes=False)
    else:  # not root: the process count is the user's, shared with everything else they run
        _limits(processes=False)
    if sys.platform == "linux":
        kernel.prctl(kernel.PR_SET_NO_NEW_PRIVS, 1)
    if level_name == FULL:
        landlock.restrict(read=[Path("/")], write=[Path(scratch)], read_write_files=[Path("/dev/null")])
    elif level_name == "landlock":
        landlock.restrict(read=[Path(p) for p in read_rules + (submission,) + _DEVICES],
                          write=[Path(scratch)], read_write_files=[Path("/dev/null")])
    _close_other_fds(keep_fd)
    _environment(scratch)
