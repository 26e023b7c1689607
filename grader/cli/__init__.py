"""The `dlgrade` command line: a thin click layer over the engine, one module per command family
(check: list and check; autograde: a class run; reports: report, diff and export; integrations:
release, autograde --course and gradescope) and what they share in common.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
"""

from __future__ import annotations

import sys

import click

from grader.cli import autograde, check, integrations, reports


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlgrade")
def main():
    """Exercises and property-based autograding for classic deep-learning code."""
    _printable_output()


def _printable_output() -> None:
    """Feedback holds text such as σ²: where stdout or stderr cannot encode it (a pipe or a file on
    Windows, in cp1252), a character is shown as ? rather than ending the command with a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


main.add_command(check.list_exercises)
main.add_command(check.check)
main.add_command(autograde.autograde)
main.add_command(reports.report_command)
main.add_command(reports.diff_command)
main.add_command(reports.export_command)
main.add_command(integrations.release_command)
main.add_command(integrations.gradescope)
