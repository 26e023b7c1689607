"""Which cells of a notebook are the student's code: one rule for every way a notebook is graded.

The rule: every code cell, in notebook order, except the test cells. A test cell is a cell nbgrader
marks as graded but not a solution (the released, locked test cells) or one that calls `grade_cell(`
(a test cell whose metadata was lost). Helper cells, imports and cells the student added all count,
as they do when the notebook runs top to bottom. `dlgrade check`, `autograde`, `autograde --course`
and Gradescope read notebooks through this module; the test cell inside Jupyter grades what the kernel
ran, which is the same code when the notebook was run top to bottom.

Each cell is run on its own (see worker), so an error in one cell costs only what that cell defines,
and feedback names the cell: its position in the notebook ("cell 7") or, for the kernel's code, its
execution count ("cell In[7]").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TEST_CELL_CALL = "grade_cell("
# Where a reduced notebook (the kernel's code) keeps each cell's own name.
LABEL_KEY = "dlgrade_cell"


@dataclass(frozen=True)
class Cell:
    label: str  # "7": its position among the notebook's cells; "In[7]": a kernel's execution count
    source: str  # plain Python: IPython magics and shell escapes commented out, line count kept


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    found = meta.get("nbgrader") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(str(s) for s in source) if isinstance(source, list) else str(source)


def is_test_cell(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") and not meta.get("solution")) or TEST_CELL_CALL in cell_source(cell)


def _label(cell: dict, position: int) -> str:
    meta = cell.get("metadata")
    label = meta.get(LABEL_KEY) if isinstance(meta, dict) else None
    return str(label) if isinstance(label, (str, int)) else str(position)


def parse_cells(text: str, name: str = "the notebook") -> list[dict]:
    """The cells of a notebook's JSON text; ValueError with a readable reason when it is not one."""
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}): "
                         "was it edited outside Jupyter?") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError(f"{name} is not a Jupyter notebook (no list of cells)")
    return cells


def read_cells(path: Path, name: str | None = None) -> list[dict]:
    """The cells of a notebook file, whatever the size of its outputs; errors name it `name` (by
    default the file's name)."""
    name = name or Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not a text file") from None
    return parse_cells(text, name)


def plain_python(source: str) -> str:
    return "\n".join(("# " + ln) if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()) + "\n"


def student_cells(cells: list[dict]) -> list[Cell]:
    """The student's code cells, in order (the rule above), each with its label."""
    return [Cell(_label(cell, position), plain_python(cell_source(cell)))
            for position, cell in enumerate(cells, start=1)
            if cell.get("cell_type") == "code" and not is_test_cell(cell)]


def labelled_notebook(cells: list[Cell]) -> str:
    """A notebook of these cells that keeps their labels: the kernel's code, graded like a file."""
    code = [{"cell_type": "code", "metadata": {LABEL_KEY: c.label}, "source": c.source, "outputs": [],
             "execution_count": None} for c in cells]
    return json.dumps({"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 4})


# A cell's code is compiled under "<notebook path>#<label>", so tracebacks and code objects say
# which cell they come from, and both sides of the isolation boundary can map it back.
_SEPARATOR = "#"


def cell_filename(path: Path, label: str) -> str:
    return f"{path}{_SEPARATOR}{label}"


def split_filename(filename: str) -> tuple[str, str | None]:
    """(file path, cell label or None) of a code object's filename."""
    path, sep, label = str(filename).rpartition(_SEPARATOR)
    if sep and path.endswith(".ipynb") and label:
        return path, label
    return str(filename), None


def describe(relative: str, label: str | None, line: int | None = None) -> str:
    """'softmax.py, line 3' or 'softmax.ipynb, cell 7, line 3'."""
    parts = [relative] + ([f"cell {label}"] if label else []) + ([f"line {line}"] if line else [])
    return ", ".join(parts)
