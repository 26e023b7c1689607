"""Where dlgrade keeps what it can compute again (plans, the registry's index), and how it writes there.

The folder is $DLGRADE_CACHE_DIR, or the user's cache folder (~/.cache/dlgrade on Linux); an empty
DLGRADE_CACHE_DIR turns caching off. Entries are keyed by `content_digest` (the exercise definitions
and the engine) and, for plans, `versions`; everything read back is checked, and a missing or bad
entry is computed again, so deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

import autograde_tests

_ENGINE = Path(__file__).resolve().parent


def versions() -> list[str]:
    """What a drawn plan depends on besides the content: the versions that change a draw.

    The same key must mean the same plan on every machine a student has (the shipped public plan,
    plan_cache), so it names what changes a derandomized draw, and nothing else:
    - hypothesis's exact version: the inputs it draws from a seed change between its releases.
    - numpy's major version: the strategies build numpy arrays, and inputs are compared and hashed
      as pickled (examples.example_key), which names numpy's modules (numpy.core, numpy._core).
    Not the operating system, the machine, Python, torch or scipy: the inputs are the same bytes
    under all of them, and torch's float64 references agree within 1e-12 relative (they may
    differ in the last bit between CPUs). tests/test_plan_redraw.py redraws every scenario and
    compares it with the shipped plan, and tests/test_student_platforms.py draws under every
    Python pyenv has here; docs/writing_graders.md ("What invalidates the plan") says the rest.
    """
    return [f"hypothesis=={_version('hypothesis')}", f"numpy {_version('numpy').split('.')[0]}.x"]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def content_digest() -> str:
    """A hash of the exercise definitions: every source file of the content and of the engine.

    The same on every system: paths as a/b.py in a fixed order, line ends as LF (a checkout on
    Windows may have CRLF)."""
    digest = hashlib.sha256()
    for folder in [*map(Path, autograde_tests.__path__), _ENGINE]:
        for path in sorted(folder.rglob("*.py"), key=lambda p: p.relative_to(folder).parts):
            text = path.read_bytes().replace(b"\r\n", b"\n")
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + text + b"\0")
    return digest.hexdigest()[:24]


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def cache_root(avoid=()) -> Path | None:
    """The cache folder, or None when caching is off or the folder lies inside one of `avoid` (the
    submissions being graded: a student could otherwise ship the cache their code is judged by)."""
    configured = os.environ.get("DLGRADE_CACHE_DIR")
    if configured is not None:
        if not configured.strip():
            return None
        root = Path(configured).expanduser().resolve()
    else:
        import platformdirs  # noqa: PLC0415  (only when no folder is configured)

        root = Path(platformdirs.user_cache_dir("dlgrade")).resolve()
    if any(inside(root, Path(folder).resolve()) for folder in avoid):
        return None
    return root


def private_folder(folder: Path) -> bool:
    """Makes `folder` and the folder holding it exist and readable by the user alone (0700), so that
    not even the names of what is kept there show; False when it cannot (then nothing secret is
    written there)."""
    try:
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
        for level in (folder.parent, folder):
            level.mkdir(mode=0o700, exist_ok=True)
            level.chmod(0o700)
        return True
    except OSError:
        return False


def write_atomically(path: Path, data: bytes) -> None:
    """Writes `data` to `path` through a temporary file in the same folder, renamed over it, so that
    concurrent runs never read half a file; on any OSError (read-only home, full disk) nothing is written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        pass
