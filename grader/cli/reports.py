"""`dlgrade report`, `diff` and `export`: what is made of the JSON report of a class run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.common import existing_dir


_CLASS_REPORT_OPTIONS = (
    click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Write the class report (HTML) here."),
    click.option("--summary-json", "summary_file", type=click.Path(dir_okay=False),
                 help="Write the class report's content as JSON here."),
    click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
                 help="Write one feedback page (HTML) per student into this folder."),
)


def class_report_options(command):
    """--html, --summary-json and --feedback (in that order), for `autograde` and `report`."""
    for option in reversed(_CLASS_REPORT_OPTIONS):  # decorators apply bottom-up
        command = option(command)
    return command


def _class_report():
    """grader.reports.class_report, or one line naming the extra it needs (a student's install lacks it)."""
    try:
        from grader.reports import class_report  # noqa: PLC0415 (matplotlib and copydetect load slowly)
    except ImportError as exc:
        raise click.ClickException(f"the class report needs {exc.name}, in the instructor's extra: "
                                   "pip install 'dlgrade[instructor]'") from None
    return class_report


def class_files(report: dict, html_file, summary_file, feedback_dir, *, submissions_dir=None, run=None) -> None:
    """The class report (HTML, its content as JSON) and the students' feedback pages asked for."""
    class_report = _class_report()

    if html_file or summary_file:
        class_report.write_class_files(report, html_file=html_file and Path(html_file),
                                       summary_file=summary_file and Path(summary_file),
                                       submissions_dir=submissions_dir, run=run)
        for what, path in (("Class report", html_file), ("Class summary (JSON)", summary_file)):
            if path:
                click.echo(f"{what}: {Path(path).resolve()}")
    if feedback_dir:
        pages = class_report.write_feedback(report, Path(feedback_dir))
        click.echo(f"Feedback: {len(pages)} page(s) in {Path(feedback_dir).resolve()}")


def _load_report(path: str) -> dict:
    class_report = _class_report()
    try:
        return class_report.load(Path(path))
    except class_report.ReportError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("report")
@click.argument("report_file", metavar="REPORT.json")
@class_report_options
@click.option("--submissions", "submissions_dir", type=click.Path(file_okay=False),
              help="The graded folder (one subfolder per student), for code similarity; default: the folders "
                   "recorded in the report.")
def report_command(report_file, html_file, summary_file, feedback_dir, submissions_dir):
    """The class report of a JSON report written by `autograde --json`."""
    if not (html_file or summary_file or feedback_dir):
        raise click.UsageError("give --html FILE, --summary-json FILE or --feedback DIR")
    report = _load_report(report_file)
    class_files(report, html_file, summary_file, feedback_dir,
                submissions_dir=submissions_dir and existing_dir(submissions_dir, "--submissions"))


@click.command("diff")
@click.argument("old_file", metavar="OLD.json")
@click.argument("new_file", metavar="NEW.json")
def diff_command(old_file, new_file):
    """What changed between two JSON reports (after a regrade): who, by how much, which checks flipped.

    Exits 0 when nothing changed, 1 when something did (like diff).
    """
    from grader.reports import diff  # noqa: PLC0415

    changes = diff.compare(_load_report(old_file), _load_report(new_file))
    click.echo(diff.diff_text(changes))
    sys.exit(0 if changes.nothing_changed else 1)


@click.command("export")
@click.argument("report_file", metavar="REPORT.json")
@click.option("--roster", "roster_file", required=True, type=click.Path(dir_okay=False),
              help="CSV with Student, ID, SIS User ID, SIS Login ID, Section (Canvas's gradebook export works) "
                   "and optionally folder.")
@click.option("--canvas", "canvas_file", required=True, type=click.Path(dir_okay=False),
              help="Write the Canvas gradebook CSV here.")
@click.option("--column", "columns", multiple=True, metavar="TOPIC=HEADER",
              help="Canvas column header for a topic, e.g. 'softmax=Softmax (1234)' (repeatable; default: the topic).")
def export_command(report_file, roster_file, canvas_file, columns):
    """A Canvas gradebook CSV (one column per topic) from a JSON report and a roster."""
    from grader.reports import canvas  # noqa: PLC0415

    headers = {}
    for column in columns:
        topic, sep, header = column.partition("=")
        if not sep or not topic.strip() or not header.strip():
            raise click.UsageError(f"--column {column!r} should be TOPIC=HEADER")
        headers[topic.strip()] = header.strip()
    report = _load_report(report_file)
    try:
        roster = canvas.read_roster(Path(roster_file))
    except canvas.RosterError as exc:
        raise click.UsageError(str(exc)) from None
    result = canvas.export(report, roster, headers=headers)
    Path(canvas_file).write_text(result.text, encoding="utf-8")
    click.echo(f"Canvas gradebook: {Path(canvas_file).resolve()} ({len(roster) - len(result.no_submission)} "
               f"of {len(roster)} roster students graded)")
    if result.no_submission:
        click.echo(f"No submission for: {', '.join(result.no_submission)}", err=True)
    if result.not_in_roster:
        click.echo(f"Graded but not in the roster: {', '.join(result.not_in_roster)}", err=True)
