"""The modules submissions may not use, and the inert placeholders the worker imports in their place.

Real CS231n folders hold helper files that import torch without the graded code ever using it. An
import that failed would take down the whole import chain (every exercise of a module importing the
helper would score 0), so inside the worker `import torch` succeeds and gives a placeholder: only code
that actually uses it fails, with a clear message. The static `numpy only` gate still zeroes the exercise
whose own module imports one of them (grader.engine.checks.numpy_only).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

FORBIDDEN_MODULES = ("torch", "tensorflow", "jax", "jaxlib", "keras", "grader", "autograde_tests")


def is_forbidden(module_name: str) -> bool:
    return module_name.split(".")[0] in FORBIDDEN_MODULES


class NotAvailable(ImportError):
    """Raised when a submission uses a placeholder (calls it, iterates it, does arithmetic with it...)."""


def _unavailable(name: str) -> NotAvailable:
    top = name.split(".")[0]
    return NotAvailable(f"{top} is not available to submissions (numpy only): {name} was used")


class Unavailable:
    """Stands for any attribute of a placeholder module: attributes chain, every use raises."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # introspection (inspect, copy, pickle...) sees a plain object
        return Unavailable(f"{self._name}.{attr}")

    def __repr__(self) -> str:
        return f"<unavailable {self._name}>"

    def _fail(self, *args, **kwargs):
        raise _unavailable(self._name)

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = __setattr__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = __rmatmul__ = _fail
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __array__ = __float__ = __int__ = __index__ = __instancecheck__ = __subclasscheck__ = _fail
    __hash__ = object.__hash__
    __eq__ = object.__eq__


class PlaceholderModule(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Unavailable(f"{self.__name__}.{attr}")


class PlaceholderFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """First on sys.meta_path in the worker: forbidden modules (and their submodules) import as placeholders."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if not is_forbidden(name):
            return None
        return importlib.machinery.ModuleSpec(name, cls(), is_package=True)

    def create_module(self, spec):
        module = PlaceholderModule(spec.name)
        module.__path__ = []  # a package, so that `import torch.nn.functional` finds placeholders too
        return module

    def exec_module(self, module):
        pass


def install_placeholders() -> None:
    """Drops the forbidden modules already imported (the worker keeps its own references) and makes
    every later import of one a placeholder."""
    for name in [m for m in sys.modules if is_forbidden(m)]:
        del sys.modules[name]
    sys.meta_path.insert(0, PlaceholderFinder)
