"""Finding a submission's source files and reading them as Python text.

Used on both sides of the isolation boundary: the worker imports what `find_sources` lists, and the
grading process parses the very same text (`read_source`) for the static checks without running it.
"""

from __future__ import annotations

import json
import os
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

# Folders that are never part of a submission's code.
_SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git", "node_modules", "site-packages"}
MAX_SOURCE_BYTES = 5 * 2**20


@dataclass(frozen=True)
class SourceFile:
    path: Path          # absolute path of the .py or .ipynb file
    module: str         # the module name it is imported as
    search_path: Path   # the folder that goes on sys.path for it
    is_package: bool    # an __init__.py, imported as its package
    notebook: bool


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _readable(path: Path) -> bool:
    """A regular file of sane size (a link to /dev/zero or a 2 GB file is not source code)."""
    try:
        return path.is_file() and path.stat().st_size <= MAX_SOURCE_BYTES
    except OSError:
        return False


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
    files = []
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        if (Path(folder) / "pyvenv.cfg").exists():
            dirs[:] = []
            continue
        for name in names:
            path = Path(folder) / name
            if path.suffix in (".py", ".ipynb") and not name.startswith(".") and _readable(path):
                files.append(path)
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


def notebook_code(text: str) -> str:
    """The Python a notebook contributes: its nbgrader solution cells, or every code cell if unmarked.

    IPython magics and shell escapes are commented out so the text stays plain Python; the line
    count of every cell is kept, so reported line numbers point into the cell.
    """
    notebook = json.loads(text)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    marked = [c for c in cells if (c.get("metadata", {}).get("nbgrader") or {}).get("solution")]
    chosen = marked if marked else [c for c in cells if not (c.get("metadata", {}).get("nbgrader") or {}).get("grade")]
    chunks = []
    for cell in chosen:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = [("# " + ln) if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def read_source(source: SourceFile) -> str:
    """The Python text of a source file (for a notebook, its code as `notebook_code` extracts it)."""
    text = source.path.read_text(encoding="utf-8", errors="replace")
    return notebook_code(text) if source.notebook else text
