"""The grading process's read-only view of a submission's source, for the static checks.

It parses the same text the worker imports (sources.read_source) and never executes any of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from grader.engine import parsing
from grader.isolation.sources import SourceFile, find_sources, read_source


class SubmissionSources:
    """Each file is read and parsed once (parsing.parse: under the process-wide AST lock), and its
    definitions listed once, however many exercises it holds."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._sources = find_sources(self.root)
        self._by_module = {s.module: s for s in self._sources}
        self._by_path = {s.path: s for s in self._sources}
        self._texts: dict[SourceFile, str] = {}
        self._trees: dict[SourceFile, ast.Module | None] = {}
        self._definitions: dict[SourceFile, list[ast.AST]] = {}

    def file_of(self, module: str) -> str:
        source = self._by_module.get(module)
        return str(source.path.relative_to(self.root)) if source else module

    def _text(self, source: SourceFile) -> str:
        if source not in self._texts:
            try:
                self._texts[source] = read_source(source)
            except (OSError, ValueError):
                self._texts[source] = ""
        return self._texts[source]

    def text_of(self, module: str) -> str:
        source = self._by_module.get(module)
        return self._text(source) if source else ""

    def _tree(self, source: SourceFile) -> ast.Module | None:
        if source not in self._trees:
            try:
                self._trees[source] = parsing.parse(self._text(source))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[source] = None
        return self._trees[source]

    def _defined(self, source: SourceFile, tree: ast.Module) -> list[ast.AST]:
        if source not in self._definitions:
            self._definitions[source] = [node for node in ast.walk(tree)
                                         if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        return self._definitions[source]

    def locate(self, name: str, where: dict):
        """(definition node, module tree) of the graded object, or a message saying why not found.

        `where` comes from the worker: the file and first line of the object's code.
        """
        try:
            path = Path(str(where.get("file"))).resolve()
        except (OSError, ValueError):
            path = None
        source = self._by_path.get(path)
        if source is None:
            return f"the source of {name} was not found in the submission's files, so it cannot be checked"
        tree = self._tree(source)
        if tree is None:
            return f"the source of {name} could not be parsed"
        line = where.get("line")
        defs = self._defined(source, tree)
        at_line = [n for n in defs if line in {n.lineno, *(d.lineno for d in n.decorator_list)}]
        named = [n for n in defs if n.name == name]
        node = (at_line or named or [None])[0]
        if node is None:
            return f"the definition of {name} was not found in {source.path.relative_to(self.root)}"
        return node, tree
