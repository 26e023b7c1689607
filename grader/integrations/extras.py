"""The optional Jupyter stack (`pip install 'dlgrade[nbgrader]'`): needed by the nbgrader commands only.

Grading itself (check, autograde DIR, Gradescope) never imports it, so a grading image stays small.
"""

from __future__ import annotations

import importlib

import click

INSTALL = "pip install 'dlgrade[nbgrader]'"


def require_nbgrader(command: str) -> None:
    """One clear line, before any work starts, when nbgrader is not installed."""
    for module in ("nbformat", "nbgrader"):
        try:
            importlib.import_module(module)
        except ImportError:
            raise click.ClickException(f"{command} needs nbgrader, an optional extra: {INSTALL}") from None
