"""The `dlgrade` command line: a thin click layer over the engine, one module per command family
(check: list and check; autograde: a class run; reports: report, diff and export; integrations:
release, autograde --course and gradescope) and what they share in common.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
"""

from __future__ import annotations

import click

from grader.cli import autograde, check, integrations, reports


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlgrade")
def main():
    """Exercises and property-based autograding for classic deep-learning code."""


main.add_command(check.list_exercises)
main.add_command(check.check)
main.add_command(autograde.autograde)
main.add_command(reports.report_command)
main.add_command(reports.diff_command)
main.add_command(reports.export_command)
main.add_command(integrations.release_command)
main.add_command(integrations.gradescope)
