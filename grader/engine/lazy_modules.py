"""Modules the grading process imports on first use, not at start-up: torch and scipy.stats.

Importing torch takes over a second; `dlgrade --help`, `list`, a self-check whose plan is cached and
the workers never need it. Topic modules import these names instead of the real modules, and the
first attribute looked up inside a function imports the real module. At a module's top level (while
the content is imported) an attribute is taken to be a function passed along for later, such as
`_elementwise_reference(F.mse_loss)` or `torch.tanh`: it imports the module when it is called.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def _deferred_function(module_name: str, attribute: str):
    def deferred(*args, **kwargs):
        return getattr(importlib.import_module(module_name), attribute)(*args, **kwargs)

    deferred.__name__ = deferred.__qualname__ = attribute
    return deferred


class LazyModule(ModuleType):
    """Stands for the module `name` and imports it when an attribute is first looked up."""

    def __init__(self, name: str):
        super().__init__(name)

    def __getattr__(self, attribute: str):
        if self.__name__ not in sys.modules and sys._getframe(1).f_code.co_name == "<module>":
            return _deferred_function(self.__name__, attribute)
        return getattr(importlib.import_module(self.__name__), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


torch = LazyModule("torch")
F = LazyModule("torch.nn.functional")
stats = LazyModule("scipy.stats")
