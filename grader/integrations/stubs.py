"""Generating the student stubs in exercises/ from the reference solutions in solutions/.

Each region between `### BEGIN SOLUTION` and `### END SOLUTION` becomes a `raise NotImplementedError`
naming the exercise it belongs to (the top-level function or class around it). Run
`python -m grader.integrations.stubs` after changing a solution; a test fails when exercises/ drifts.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PROJECT = Path(__file__).resolve().parents[2]


class MarkerError(ValueError):
    pass


def _owner(tree: ast.Module, line: int) -> str:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.lineno <= line <= node.end_lineno:
            return node.name
    raise MarkerError(f"solution region at line {line} is not inside a top-level function or class")


def make_stub(source: str, filename: str = "<solution>") -> str:
    """The stub text for one solution module."""
    tree = ast.parse(source, filename)
    out, inside = [], False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"{filename}:{number}: nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            name = _owner(tree, number)
            out.append(f"{indent}# YOUR CODE HERE\n")
            out.append(f'{indent}raise NotImplementedError("{name}: not implemented yet")\n')
        elif stripped == END:
            if not inside:
                raise MarkerError(f"{filename}:{number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{filename}: {BEGIN} is never closed")
    return "".join(out)


def expected_stubs(solutions: Path = PROJECT / "solutions") -> dict[str, str]:
    return {path.name: make_stub(path.read_text(), str(path)) for path in sorted(solutions.glob("*.py"))}


def write_stubs(solutions: Path = PROJECT / "solutions", exercises: Path = PROJECT / "exercises") -> list[str]:
    exercises.mkdir(exist_ok=True)
    written = []
    for name, text in expected_stubs(solutions).items():
        target = exercises / name
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(name)
    return written


if __name__ == "__main__":
    changed = write_stubs()
    print("updated: " + ", ".join(changed) if changed else "exercises/ is up to date")
    sys.exit(0)
