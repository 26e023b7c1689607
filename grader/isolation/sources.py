"""Finding a submission's source files and reading them as Python text.

Used on both sides of the isolation boundary: the worker runs what `find_sources` lists, unit by unit
(a .py file, or one notebook cell), and the grading process parses the very same units (`units`) for
the static checks without running them. docs/submissions.md describes the rules for students.
"""

from __future__ import annotations

import codecs
import io
import keyword
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from grader.isolation.cells import student_cells, read_cells

# Folders that are never part of a submission's code (hidden folders neither): caches, version
# control, installed packages, and what archivers add (macOS zips carry a __MACOSX copy of every file).
SKIPPED_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", "node_modules", "site-packages", "__MACOSX"})
MAX_SOURCE_BYTES = 5 * 2**20
# A notebook is read by its code cells, so its outputs (plots) may be large; this only bounds the JSON.
MAX_NOTEBOOK_BYTES = 256 * 2**20
NOTHING_GRADED = "nothing in it was graded"
# Archives a student may hand in instead of a folder. They are never unpacked (a zip can hold paths
# outside the folder, links and bombs); one that holds code is named, so that the student's 0 says why.
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".7z", ".rar")
# How much of one submission's sources is read to tell whether they can be read at all (the same
# survey in the worker and in the grading process): beyond it, files are run without that check.
EXAMINED_BYTES = 64 * 2**20
# A zip larger than this is named without its listing being read (which could take the memory of
# a million entries).
MAX_LISTED_ZIP_BYTES = 64 * 2**20
# The head of a .py file that says whether it is text: git's rule (a NUL byte in the first 8000 bytes).
_TEXT_HEAD = 8000


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


def file_size(path: Path) -> int | None:
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


def _submitted_files(root: Path):
    """Every file below `root` a student handed in: not hidden, outside skipped folders and virtual
    environments, in a stable order."""
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs[:] = sorted(d for d in dirs if not skipped_dir(d))
        if (Path(folder) / "pyvenv.cfg").exists():
            dirs[:] = []
            continue
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(folder) / name


def source_paths(root: Path):
    """Every path below `root` named like a .py file or a notebook, outside skipped folders."""
    return (path for path in _submitted_files(root) if path.name.endswith((".py", ".ipynb")))


def _survey(root: Path):
    """(path, why it is not read or None) of every .py file and notebook below `root` (a link to what
    is not a regular file, such as /dev/zero, left out). The worker and the grading process make the
    same survey: what one does not read, the other names (not_read). Content is examined up to
    EXAMINED_BYTES in all."""
    examined = 0
    for path in source_paths(root):
        relative = str(path.relative_to(root))
        if not links_inside(path, root):
            yield path, f"{relative} (a link to a file outside the submission)"
        elif (size := file_size(path)) is None:
            continue
        elif size > size_limit(path):
            yield path, (f"{relative} ({size / 2**20:.1f} MiB, more than the "
                         f"{size_limit(path) / 2**20:g} MiB limit for a source file)")
        elif examined + size <= EXAMINED_BYTES:
            examined += size
            yield path, unreadable(path, relative)
        else:
            yield path, None


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
    files = [path for path, why_not in _survey(root) if why_not is None]
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


def unreadable(path: Path, name: str) -> str | None:
    """Why nothing of the source file at `path` can be graded, or None: a notebook that is not valid
    JSON or not a notebook, a .py file that is binary or not UTF-8 text. One message, named `name`, on
    every path that grades files (check, autograde, --course, Gradescope)."""
    if path.suffix == ".ipynb":
        try:
            read_cells(path, name)
        except OSError as exc:
            return f"{name} could not be read ({exc.strerror or exc}); {NOTHING_GRADED}"
        except ValueError as exc:
            return f"{exc}; {NOTHING_GRADED}"
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{name} could not be read ({exc.strerror or exc}); {NOTHING_GRADED}"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"{name} is saved as UTF-16, which Python cannot run: save it as UTF-8; {NOTHING_GRADED}"
    if b"\0" in data[:_TEXT_HEAD]:
        return f"{name} is a binary file, not Python source (a .pyc or another file renamed?); {NOTHING_GRADED}"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown encoding declared, or first lines that are not UTF-8
        encoding, declared = "utf-8", exc
    else:
        declared = None
    try:
        data.decode(encoding)
        if declared:
            return f"{name} cannot be read as Python source ({declared.msg}); {NOTHING_GRADED}"
    except UnicodeDecodeError as exc:
        return (f"{name} is not {encoding.upper().removesuffix('-SIG')} text (byte 0x{data[exc.start]:02x} at offset {exc.start}), "
                f"which Python needs: save it as UTF-8; {NOTHING_GRADED}")
    return None


def _archive_with_code(path: Path) -> bool:
    """A .zip whose listing names a .py file or a notebook; any other archive (its listing would
    have to be decompressed), and a zip too large to list."""
    import zipfile  # noqa: PLC0415  (not in the workers, which import this module too)

    if path.suffix.lower() != ".zip" or (file_size(path) or 0) > MAX_LISTED_ZIP_BYTES:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.endswith((".py", ".ipynb")) and "__MACOSX" not in n for n in archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def archives_with_code(root: Path) -> list[Path]:
    """The archives below `root` that hold code (_archive_with_code): never unpacked, always named."""
    root = Path(root).resolve()
    return [path for path in _submitted_files(root) if path.name.lower().endswith(ARCHIVE_SUFFIXES)
            and links_inside(path, root) and _archive_with_code(path)]


def not_read(root: Path) -> list[str]:
    """Each file of the submission the grader does not read, and why: 'big.py (6.1 MiB, more than
    the 5 MiB limit ...)', 'softmax.py (a link to a file outside the submission)', 'softmax.ipynb is
    not valid JSON ...; nothing in it was graded' (unreadable), or an archive that holds code."""
    root = Path(root).resolve()
    found = [why_not for _, why_not in _survey(root) if why_not]
    for path in archives_with_code(root):
        kind = path.name.rpartition(".")[2].lower()
        found.append(f"{path.relative_to(root)} is a {kind} archive: archives are not unpacked, so "
                     f"{NOTHING_GRADED} (unpack it into the submission folder)")
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
