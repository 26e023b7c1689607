"""Finding a submission's source files and reading them as Python text.

Used on both sides of the isolation boundary: the worker runs what `find_sources` lists, unit by unit
(a .py file, or one notebook cell), and the grading process parses the very same units (`units`) for
the static checks without running them. docs/submissions.md describes the rules for students.
"""

from __future__ import annotations

import os
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from grader.isolation.cells import student_cells, read_cells

# Folders that are never part of a submission's code (hidden folders neither): caches, version
# control, installed packages, and what archivers add (macOS zips carry a __MACOSX copy of every file).
SKIPPED_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", "node_modules", "site-packages", "__MACOSX"})
MAX_SOURCE_BYTES = 5 * 2**20
# A notebook is read by its code cells, so its outputs (plots) may be large; this only bounds the JSON.
MAX_NOTEBOOK_BYTES = 256 * 2**20


@dataclass(frozen=True)
class SourceFile:
    path: Path          # absolute path of the .py or .ipynb file
    module: str         # the module name it is imported as
    search_path: Path   # the folder that goes on sys.path for it
    is_package: bool    # an __init__.py, imported as its package
    notebook: bool


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def skipped_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(".")


def size_limit(path: Path) -> int:
    return MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_SOURCE_BYTES


def _size(path: Path) -> int | None:
    """The size of a regular file (a link to /dev/zero is not source code), else None."""
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def links_inside(path: Path, root: Path) -> bool:
    """Whether `path` is a file of the submission: not a link to something outside `root` (a student's
    softmax.py -> /etc/passwd or -> the instructor's solutions is never read by the grader)."""
    try:
        return not path.is_symlink() or path.resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _source_names(root: Path):
    """Every path below `root` named like a .py file or a notebook, outside skipped folders."""
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs[:] = sorted(d for d in dirs if not skipped_dir(d))
        if (Path(folder) / "pyvenv.cfg").exists():
            dirs[:] = []
            continue
        for name in names:
            if name.endswith((".py", ".ipynb")) and not name.startswith("."):
                yield Path(folder) / name


def _candidates(root: Path):
    """(path, size) of every .py file and notebook below `root` (links to outside it excluded)."""
    for path in _source_names(root):
        size = _size(path) if links_inside(path, root) else None
        if size is not None:
            yield path, size


def _module_name(path: Path, root: Path) -> tuple[str, Path, bool]:
    """Dotted name and sys.path folder: folders with an __init__.py are packages, others are not."""
    parts, folder = [], path.parent
    while folder != root and (folder / "__init__.py").exists() and _is_identifier(folder.name):
        parts.insert(0, folder.name)
        folder = folder.parent
    is_package = path.name == "__init__.py"
    if not is_package:
        parts.append(path.stem)
    if not parts:  # an __init__.py directly in the submission folder
        parts = [path.parent.name]
    name = ".".join(parts)
    if not all(_is_identifier(p) for p in parts):
        name = "_submission_" + re.sub(r"\W", "_", str(path.relative_to(root)))
    return name, folder, is_package


def find_sources(root: Path) -> list[SourceFile]:
    """Every .py file and notebook below `root`, packages before their modules, in a stable order."""
    root = root.resolve()
    files = [path for path, size in _candidates(root) if size <= size_limit(path)]
    sources, seen = [], set()
    for path in sorted(files, key=lambda p: (len(p.relative_to(root).parts), str(p))):
        name, folder, is_package = _module_name(path, root)
        if path.suffix == ".ipynb":
            name, is_package = "_notebook_" + re.sub(r"\W", "_", str(path.relative_to(root))[:-6]), False
        if name in seen:  # two loose files with one name in different folders: keep both apart
            name = "_submission_" + re.sub(r"\W", "_", str(path.relative_to(root)))
        seen.add(name)
        sources.append(SourceFile(path, name, folder, is_package, path.suffix == ".ipynb"))
    return sources


def not_read(root: Path) -> list[str]:
    """Each source file the grader does not read, and why: 'big.py (6.1 MiB, more than the 5 MiB
    limit ...)' or 'softmax.py (a link to a file outside the submission)'."""
    root = Path(root).resolve()
    found = []
    for path in _source_names(root):
        if not links_inside(path, root):
            found.append(f"{path.relative_to(root)} (a link to a file outside the submission)")
        elif (size := _size(path)) is not None and size > size_limit(path):
            found.append(f"{path.relative_to(root)} ({size / 2**20:.1f} MiB, more than the "
                         f"{size_limit(path) / 2**20:g} MiB limit for a source file)")
    return found


def units(source: SourceFile) -> list[tuple[str | None, str]]:
    """(cell label, Python text) of each unit run on its own: a .py file is one unit (label None), a
    notebook one unit per student cell (see cells). OSError or ValueError when unreadable."""
    if source.notebook:
        return [(cell.label, cell.source) for cell in student_cells(read_cells(source.path))]
    return [(None, source.path.read_text(encoding="utf-8-sig", errors="replace"))]  # -sig: Notepad's BOM


def unit_key(module: str, label: str | None) -> str:
    """How an import error is filed: by module, or by module and cell."""
    return module if label is None else f"{module}#{label}"
