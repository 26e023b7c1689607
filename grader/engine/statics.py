"""The grading process's read-only view of a submission's source, for the static checks and for
choosing among several definitions of one exercise.

It parses the same units the worker runs (sources.units: a .py file, or one notebook cell) and never
executes any of them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from grader.engine import parsing
from grader.isolation import cells
from grader.isolation.sources import SourceFile, find_sources, not_read, unit_key, units


@dataclass(frozen=True)
class Chosen:
    """Which of an exercise's definitions is graded, and what to tell the student about it."""

    index: int  # among the worker's candidates
    graded: str  # 'softmax.py, line 6'
    note: str  # '' when there was a single definition


class SubmissionSources:
    """Each file (each notebook cell) is read and parsed once, with parsing.parse: under the one
    process-wide lock that hypothesis runs hold too (AST construction is not thread-safe in 3.11)."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._sources = find_sources(self.root)
        self.not_read = not_read(self.root)
        self._by_path = {s.path: s for s in self._sources}
        self._units: dict[SourceFile, dict[str | None, str]] = {}
        self._trees: dict[tuple[SourceFile, str | None], ast.Module | None] = {}
        self._unit_index: dict[str, tuple[SourceFile, str | None]] | None = None

    def _units_of(self, source: SourceFile) -> dict[str | None, str]:
        if source not in self._units:
            try:
                self._units[source] = dict(units(source))
            except (OSError, ValueError):
                self._units[source] = {}
        return self._units[source]

    def _unit(self, key: str) -> tuple[SourceFile, str | None] | None:
        """The source and cell label an import error is filed under (sources.unit_key)."""
        if self._unit_index is None:  # once: a search per error would be quadratic in 20,000 broken files
            self._unit_index = {}
            for source in self._sources:
                for label in (None, *self._units_of(source)) if source.notebook else (None,):
                    self._unit_index.setdefault(unit_key(source.module, label), (source, label))
        return self._unit_index.get(key)

    def text_of(self, key: str) -> str:
        """The text of the unit an import error is filed under ('' for a whole notebook)."""
        found = self._unit(key)
        return self._units_of(found[0]).get(found[1], "") if found else ""

    def file_of(self, key: str) -> str:
        found = self._unit(key)
        return cells.describe(self.relative(found[0].path), found[1]) if found else key

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def _tree(self, source: SourceFile, label: str | None) -> ast.Module | None:
        if (source, label) not in self._trees:
            try:
                self._trees[source, label] = parsing.parse(self._units_of(source)[label])
            except (KeyError, SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[source, label] = None
        return self._trees[source, label]

    def _module_tree(self, source: SourceFile, label: str | None) -> ast.Module | None:
        """The whole module a definition lives in: for a notebook, every cell that parses."""
        if label is None:
            return self._tree(source, None)
        trees = [t for t in (self._tree(source, lb) for lb in self._units_of(source)) if t is not None]
        return ast.Module(body=[node for tree in trees for node in tree.body], type_ignores=[])

    def where(self, where: dict) -> str:
        """'softmax.ipynb, cell 7, line 3' for the worker's location of a definition."""
        if not isinstance(where.get("file"), str):
            return f"a value named so in module {where.get('module', '?')}"
        path, label = cells.split_filename(where["file"])
        try:
            relative = self.relative(Path(path).resolve())
        except (OSError, ValueError):
            return f"module {where.get('module', '?')}"
        return cells.describe(relative, label, where.get("line"))

    def locate(self, name: str, where: dict):
        """(definition node, module tree) of the graded object, or a message saying why not found.

        `where` comes from the worker: the file (or notebook cell) and first line of the object's code.
        """
        path, label = cells.split_filename(str(where.get("file")))
        try:
            source = self._by_path.get(Path(path).resolve())
        except (OSError, ValueError):
            source = None
        if source is None:
            return f"the source of {name} was not found in the submission's files, so it cannot be checked"
        tree = self._tree(source, label)
        if tree is None:
            return f"the source of {name} could not be parsed"
        line = where.get("line")
        defs = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        at_line = [n for n in defs if line in {n.lineno, *(d.lineno for d in n.decorator_list)}]
        named = [n for n in defs if n.name == name]
        node = (at_line or named or [None])[0]
        if node is None:
            return f"the definition of {name} was not found in {cells.describe(self.relative(source.path), label)}"
        return node, self._module_tree(source, label)

    def choose(self, name: str, candidates: list[dict]) -> Chosen:
        """The definition to grade among the worker's candidates (see docs/submissions.md): not a
        stub, then the shallowest file, then a .py file before a notebook, then alphabetical order."""
        def key(indexed):
            index, where = indexed
            located = self.locate(name, where)
            stubs = stub_count(located[0]) if not isinstance(located, str) else 0
            path = cells.split_filename(str(where.get("file")))[0]
            return (not where.get("callable", True), stubs > 0, stubs, len(Path(path).parts), path.endswith(".ipynb"),
                    self.where(where), index)

        ranked = sorted(enumerate(candidates), key=key)
        index, chosen = ranked[0]
        if len(candidates) == 1:
            return Chosen(index, self.where(chosen), "")
        others = []
        for other_index, other in ranked[1:]:
            kind = " (a stub)" if key((other_index, other))[1] else ""
            others.append(self.where(other) + kind)
        more = f"; and {len(others) - 3} more" if len(others) > 3 else ""
        note = f"graded {self.where(chosen)}; not graded: {'; '.join(others[:3])}{more}"
        return Chosen(index, self.where(chosen), note)


def _is_stub_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # a docstring or `...`
        return True
    return False


def _raises_not_implemented(node: ast.stmt) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


# Calls that make a placeholder in a CS231n starter (`dW = np.zeros(W.shape)`), computing nothing.
_PLACEHOLDER_CALLS = {"zeros", "zeros_like", "empty", "empty_like"}


def _is_placeholder(node: ast.expr | None) -> bool:
    """None, a constant, a name or attribute, a tuple of those, or np.zeros(...) of those."""
    if node is None or isinstance(node, (ast.Constant, ast.Name, ast.Attribute)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_placeholder(e) for e in node.elts)
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        return name in _PLACEHOLDER_CALLS and all(_is_placeholder(a) for a in node.args) \
            and all(_is_placeholder(k.value) for k in node.keywords)
    return False


def _is_starter(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A CS231n-style starter left as handed out: `pass` where the code goes, around it only
    placeholders (`loss = 0.0`, `dW = np.zeros_like(W)`, `cache = (x, w, b)`) and their return.
    A student's code, even with the `pass` left in, computes something and is not one."""
    def allowed(statement: ast.stmt) -> bool:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Return)):
            return _is_placeholder(statement.value)
        return _is_stub_statement(statement)

    return any(isinstance(s, ast.Pass) for s in node.body) and all(allowed(s) for s in node.body)


def _function_is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """It does nothing (pass, `...`, a docstring), reaches `raise NotImplementedError` at its top
    level before any return (a released stub, with or without the student's first lines above it),
    or is a CS231n starter (_is_starter)."""
    if _is_starter(node):
        return True
    for statement in node.body:
        if isinstance(statement, ast.Return):
            return False
        if _raises_not_implemented(statement):
            return True
    return all(_is_stub_statement(s) for s in node.body)


def stub_count(node: ast.AST) -> int:
    """How many of the definition's functions are stubs: 0 or 1 for a function, its stub methods for
    a class (a class whose methods are all unwritten has as many as it has methods)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return int(_function_is_stub(node))
    if isinstance(node, ast.ClassDef):
        return sum(_function_is_stub(n) for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return 0
