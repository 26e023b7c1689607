"""Building a topic's nbgrader source notebook from solutions/<topic>.py and the registry.

The notebook has an introduction, then per exercise: a read-only markdown cell with the contract
(signature, docstring with shapes and math, what is graded), a solution cell holding the reference
code between nbgrader's markers, and a locked, autograded test cell (grade_id = the exercise name,
points = the exercise's points) that grades the function defined in the kernel. Everything derives
from the registry, so a new topic gets its notebook without touching this module.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from grader.engine.spec import Exercise

SCHEMA_VERSION = 3
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class NotebookError(ValueError):
    pass


@dataclass(frozen=True)
class CodeChunk:
    """A contiguous piece of the solution module: an exercise's definition and what follows it."""

    exercise: str | None  # None for the module's preamble (imports, constants, helpers)
    node: ast.AST | None
    text: str


def split_solution(source: str, exercise_names: list[str], filename: str = "<solution>") -> list[CodeChunk]:
    """The module without its docstring, cut before each exercise's top-level definition."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    body = tree.body
    start = 1
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        start, body = body[0].end_lineno + 1, body[1:]
    cuts = [(min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]), n) for n in body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in exercise_names]
    missing = set(exercise_names) - {n.name for _, n in cuts}
    if missing:
        raise NotebookError(f"{filename}: no top-level definition of {', '.join(sorted(missing))}")
    bounds = [(None, None, start)] + [(n.name, n, line) for line, n in cuts] + [(None, None, len(lines) + 1)]
    chunks = []
    for (name, node, begin), (_, _, end) in zip(bounds, bounds[1:]):
        text = "".join(lines[begin - 1:end - 1]).strip("\n")
        if name is not None or text.strip():
            chunks.append(CodeChunk(name, node, text + "\n"))
    return chunks


def import_lines(preamble: str) -> str:
    """The import statements of a module preamble, as written."""
    if not preamble.strip():
        return ""
    lines = preamble.splitlines(keepends=True)
    found = ["".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.parse(preamble).body
             if (isinstance(n, ast.Import) or isinstance(n, ast.ImportFrom) and n.module != "__future__")
             and n.col_offset == 0]
    return "".join(found) + "\n\n" if found else ""


def module_docstring(source: str) -> str:
    return ast.get_docstring(ast.parse(source)) or ""


def signature(node: ast.AST, source: str) -> str:
    """`name(args)` as written in the solution (`class Name(init args)` for a class)."""
    def args_text(function) -> str:
        lines = source.splitlines(keepends=True)
        header = "".join(lines[function.lineno - 1:function.body[0].lineno - 1])
        found = re.search(rf"def\s+{function.name}\s*\((.*)\)\s*(->[^:]*)?:", header, re.S)
        return " ".join((found.group(1) if found else ast.unparse(function.args)).split()).rstrip(",")

    if isinstance(node, ast.ClassDef):
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        args = args_text(init).removeprefix("self, ").removeprefix("self") if init else ""
        return f"class {node.name}({args})"
    return f"{node.name}({args_text(node)})"


def _points(x: float) -> str:
    return f"{x:g}"


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def contract_markdown(exercise: Exercise, node: ast.AST, source: str, *, heading: str = "##",
                      graded_on: str = "The test cell below grades it on these properties:") -> str:
    """An exercise's signature, points, docstring and graded properties (notebooks and docs/contract.md)."""
    visible = exercise.max_points(include_hidden=False)
    total = exercise.max_points(include_hidden=True)
    lines = [f"{heading} `{signature(node, source)}` ({_points(total)} points)", ""]
    doc = ast.get_docstring(node)
    if doc:
        lines += ["```text", doc, "```", ""]
    lines.append(graded_on)
    lines.append("")
    for _, check in exercise.checks(include_hidden=False):
        lines.append(f"- {check.name} ({_points(check.points)})")
    if total > visible:
        lines.append(f"- hidden checks, run when your notebook is graded ({_points(total - visible)})")
    return "\n".join(lines)


def test_cell_source(exercise: Exercise) -> str:
    """The locked test cell: grades the kernel's function and ends with its score, a plain float."""
    lines = ["from grader.integrations.notebook_cell import grade_cell", ""]
    if exercise.max_points(include_hidden=True) > exercise.max_points(include_hidden=False):
        lines += ["include_hidden = False", "### BEGIN HIDDEN TESTS", "include_hidden = True",
                  "### END HIDDEN TESTS",
                  f"grade_cell({exercise.name!r}, globals(), include_hidden=include_hidden)"]
    else:
        lines.append(f"grade_cell({exercise.name!r}, globals())")
    return "\n".join(lines)


def introduction(topic: str, docstring: str, exercises: list[Exercise]) -> str:
    total = sum(ex.max_points(include_hidden=True) for ex in exercises)
    return "\n".join([
        f"# Topic `{topic}`", "", docstring, "",
        f"This notebook has {len(exercises)} exercises worth {_points(total)} points. For each one, fill in "
        "the code cell where it says `# YOUR CODE HERE` (replace the `raise NotImplementedError()` line), "
        "run the cell, then run the test cell below it: it grades your function, prints what is wrong and "
        "ends with your score for that exercise. Use numpy and the standard library only.",
        "",
        "Do not edit or delete the test cells, and keep each function in its own cell. You can also check "
        f"the whole notebook from a terminal with `dlgrade check {topic} --path .` in its folder, or with "
        "nbgrader's *Validate* button.",
        "",
        "**What is graded:** every code cell of this notebook, from top to bottom, except the test cells. "
        "You may add cells (a helper function, a constant): they count, as long as they come before the "
        "cell that uses them. Each cell runs on its own, so an error in one cell costs only the exercises "
        "that cell defines. A test cell grades what your kernel has run, which is the same code when you "
        "run the notebook in order (*Kernel > Restart & Run All*).",
    ])


def build_notebook(topic: str, source: str, exercises: list[Exercise], filename: str = "<solution>"):
    """The nbgrader source notebook (an nbformat NotebookNode) of one topic."""
    from nbformat import v4  # noqa: PLC0415  (the optional [nbgrader] extra)

    by_name = {ex.name: ex for ex in exercises}
    chunks = split_solution(source, list(by_name), filename)
    cells = [v4.new_markdown_cell(introduction(topic, module_docstring(source), exercises), id="introduction",
                                  metadata=_nbgrader("introduction", locked=True))]
    preamble = "".join(c.text + "\n\n" for c in chunks if c.exercise is None)
    imports = import_lines(preamble)
    for chunk in (c for c in chunks if c.exercise is not None):
        exercise = by_name[chunk.exercise]
        name = exercise.name
        # The first solution cell holds the module's preamble; every other one repeats its imports, so
        # that a cell still runs (and grades) when another one is deleted or run out of order.
        code = preamble + chunk.text
        preamble = imports
        cells += [
            v4.new_markdown_cell(contract_markdown(exercise, chunk.node, source), id=f"{name}-contract",
                                 metadata=_nbgrader(f"{name}_contract", locked=True)),
            v4.new_code_cell(code.rstrip("\n"), id=f"{name}-solution", metadata=_nbgrader(f"{name}_solution", solution=True)),
            v4.new_code_cell(test_cell_source(exercise), id=f"{name}-test",
                             metadata=_nbgrader(name, grade=True, locked=True,
                                                points=exercise.max_points(include_hidden=True))),
        ]
    notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    notebook.nbformat_minor = 5
    return notebook


def notebook_text(notebook) -> str:
    import nbformat  # noqa: PLC0415

    return nbformat.writes(notebook) + "\n"
