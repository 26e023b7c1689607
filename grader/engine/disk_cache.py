"""Where dlgrade keeps what it can compute again (plans, the registry's index), and how it writes there.

The folder is $DLGRADE_CACHE_DIR, or the user's cache folder (~/.cache/dlgrade on Linux); an empty
DLGRADE_CACHE_DIR turns caching off. Entries are keyed by `content_digest` (the exercise definitions
and the engine) and, for plans, `versions`; everything read back is checked, and a missing or bad
entry is computed again, so deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import autograde_tests

PINNED = ("hypothesis", "numpy", "torch", "scipy")
_ENGINE = Path(__file__).resolve().parent


def versions() -> list[str]:
    """What a drawn plan depends on besides the content: Python, the platform, the pinned packages.

    The same key must mean the same plan on another machine too (the shipped plans, plan_cache), so
    it names everything that can change a derandomized draw or a reference, and nothing else:
    - Python by implementation and full version (CPython 3.11.7), not sys.version: its build date
      and compiler differ between every distribution's build of one version, and draw the same
      (hypothesis is pure Python; random's generator is specified for a given seed).
    - The operating system and machine (linux x86_64): numpy's and torch's compiled kernels (SIMD
      paths, libm) and numpy's default integer have differed between them.
    - The pinned packages' exact versions, local labels (+cpu) included: a build variant of torch
      may compute its float64 references with other kernels.
    """
    found = [f"{platform.python_implementation()} {platform.python_version()}", f"{sys.platform} {platform.machine()}"]
    for name in PINNED:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return found


def content_digest() -> str:
    """A hash of the exercise definitions: every source file of the content and of the engine."""
    digest = hashlib.sha256()
    for folder in [*map(Path, autograde_tests.__path__), _ENGINE]:
        for path in sorted(folder.rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
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
