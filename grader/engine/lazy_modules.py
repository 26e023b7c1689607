"""Modules the grading process imports on first use, not at start-up: torch and scipy.stats.

Importing torch takes over a second; `dlgrade --help`, `list`, a self-check whose plan is cached and
the workers never need it. Topic modules import these names instead of the real modules, and the
first attribute looked up imports the real module. (In a worker, where torch is forbidden, a lookup
fails like `import torch` would.)
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class LazyModule(ModuleType):
    """Stands for the module `name` and imports it when an attribute is first looked up."""

    def __init__(self, name: str):
        super().__init__(name)

    def __getattr__(self, attribute: str):
        module = importlib.import_module(self.__name__)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


class LazyFunctions(LazyModule):
    """A module of functions (torch.nn.functional): `F.name` is, before the module is imported, a
    function that imports it when called, so content may pass `F.mse_loss` around at import time."""

    def __getattr__(self, attribute: str):
        if self.__name__ in sys.modules:
            return getattr(sys.modules[self.__name__], attribute)

        def deferred(*args, **kwargs):
            return getattr(importlib.import_module(self.__name__), attribute)(*args, **kwargs)

        deferred.__name__ = deferred.__qualname__ = attribute
        return deferred


torch = LazyModule("torch")
F = LazyFunctions("torch.nn.functional")
stats = LazyModule("scipy.stats")
