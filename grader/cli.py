"""The `dlgrade` command line: a thin click layer over the engine.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from grader.engine import registry
from grader.reports import text as reports
from grader.engine.classroom import student_folders
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions


def _select(names):
    try:
        return registry.select(names)
    except registry.UnknownName as exc:
        raise click.UsageError(str(exc)) from None


class CommandError(click.ClickException):
    """One line ("Error: ...") and exit 2, for what the command line asks that cannot be done."""

    exit_code = 2


def _check_outputs(*named: tuple[str, str | None]) -> None:
    """Before any grading: every output path given can be written (a class is not graded for nothing)."""
    for option, path in named:
        if path and (why := reports.unwritable(Path(path))):
            raise CommandError(f"{option} {path}: {why}")


def _write(what: str, written: reports.Written) -> bool:
    """Says where a report went when it could not go where asked; True if it went where asked."""
    if written.failure:
        click.echo(f"Error: could not write the {what} ({written.failure}); it is in {written.path} instead",
                   err=True)
    return written.failure is None


def _existing_dir(path: str, what: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise click.UsageError(f"{what} {path!r} is not a folder")
    return folder


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlgrade")
def main():
    """Exercises and property-based autograding for classic deep-learning code."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the exercises as JSON.")
def list_exercises(as_json):
    """List the exercises, by topic, with their points."""
    exercises = registry.all_exercises()
    if as_json:
        click.echo(json.dumps([{"name": ex.name, "topic": ex.topic, "kind": ex.kind,
                                "max_score": ex.max_points(include_hidden=True),
                                "checks": [{"name": c.name, "points": c.points, "hidden": c.hidden}
                                           for _, c in ex.checks(include_hidden=True)]}
                               for ex in exercises], indent=1))
        return
    for topic in registry.topics():
        click.echo(f"{topic}:")
        for ex in exercises:
            if ex.topic == topic:
                click.echo(f"  {ex.name:<32} {ex.max_points(include_hidden=False):g} points")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--path", "path", default=".", show_default=True, help="Folder holding your code (.py or .ipynb).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the JSON report here.")
@click.option("--timeout", default=GradingOptions.timeout, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
def check(names, path, json_file, timeout):
    """Self-check your code in PATH on the exercises or topics NAMES (default: all).

    Exits 0 only when every selected exercise gets full marks.
    """
    exercises = _select(names)
    folder = _existing_dir(path, "--path")
    _check_outputs(("--json", json_file))
    click.echo(f"Checking {len(exercises)} exercise(s) in {folder.resolve()} ...", err=True)
    from grader.engine.grading import grade_submission  # noqa: PLC0415

    plan = make_plan(exercises, include_hidden=False)
    result = grade_submission(folder, plan, submission_id=folder.resolve().name, options=GradingOptions(timeout=timeout))
    for exercise in result.exercises:
        click.echo(reports.exercise_summary(exercise))
    click.echo(f"\nTotal: {result.score:g}/{result.max_score:g}")
    if json_file and not _write("JSON report", reports.write_json(Path(json_file), [result], result.max_score)):
        sys.exit(1)
    sys.exit(0 if all(e.full_marks for e in result.exercises) else 1)


@main.command()
@click.argument("submissions_dir", required=False)
@click.option("--only", "only", multiple=True, help="Grade only this exercise or topic (repeatable).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Write the JSON report here.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Write one row per student here.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Students graded at once.")
@click.option("--timeout", default=GradingOptions.timeout, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
@click.option("--course", type=click.Path(file_okay=False), help="An nbgrader course folder.")
@click.option("--assignment", help="With --course: the assignment (topic) to grade.")
@click.option("--scheduler", metavar="local[:N]|tcp://HOST:PORT",
              help="Grade on Dask instead of --jobs threads: a local cluster of N worker processes, or the "
                   "running scheduler at HOST:PORT. Needs pip install 'dlgrade[dask]'.")
@click.option("--resume", is_flag=True,
              help="Keep the journaled results of students whose submission, exercises and grader are "
                   "unchanged; grade only the others.")
@click.option("--journal", "journal_file", type=click.Path(dir_okay=False),
              help="The journal of finished students (default: beside --json, else --csv, as NAME.journal.jsonl).")
def autograde(submissions_dir, only, json_file, csv_file, jobs, timeout, course, assignment, scheduler, resume,
              journal_file):
    """Grade every subfolder of SUBMISSIONS_DIR as one student's submission.

    Each finished student is appended to a journal, so a crash, Ctrl-C or SIGTERM loses nothing
    finished: run the same command with --resume to grade the others.
    """
    if course or assignment:
        if scheduler or resume or journal_file:
            raise click.UsageError("--scheduler, --resume and --journal grade SUBMISSIONS_DIR, not --course")
        from grader.integrations import course_grading  # noqa: PLC0415

        course_grading.autograde_course_command(course, assignment, json_file=json_file, jobs=jobs, timeout=timeout)
        return
    if not submissions_dir:
        raise click.UsageError("give SUBMISSIONS_DIR, or --course and --assignment")
    root = _existing_dir(submissions_dir, "SUBMISSIONS_DIR")
    folders = student_folders(root)
    if not folders:
        raise click.UsageError(f"{submissions_dir!r} has no student folders (one subfolder per student)")
    exercises = _select(only)
    journal_file = journal_file or _journal_beside(json_file or csv_file)
    if resume and not journal_file:
        raise click.UsageError("--resume needs the journal of the earlier run: give --json, --csv or --journal")
    _check_outputs(("--json", json_file), ("--csv", csv_file), ("--journal", journal_file))
    if scheduler:
        _check_scheduler(scheduler)
    with tempfile.TemporaryDirectory(prefix="dlgrade-journal-") as scratch:
        journal_path = Path(journal_file) if journal_file else Path(scratch) / "journal.jsonl"
        run = _grade_class(root, folders, exercises, journal_path, jobs=jobs, timeout=timeout, scheduler=scheduler,
                           resume=resume)
        complete = _write_class_reports(run, exercises, json_file, csv_file)
    sys.exit(0 if complete else 1)


def _journal_beside(report: str | None) -> str | None:
    return str(Path(report).with_suffix(".journal.jsonl")) if report else None


def _check_scheduler(scheduler: str) -> None:
    from grader.distributed import schedulers  # noqa: PLC0415

    try:
        schedulers.parse_scheduler(scheduler)
        schedulers.check_dask_installed()
    except schedulers.SchedulerError as exc:
        raise CommandError(str(exc)) from None


def _grade_class(root, folders, exercises, journal_path: Path, *, jobs, timeout, scheduler, resume):
    """Grades the class into the journal; exits (128 + signal) if stopped by Ctrl-C or SIGTERM."""
    from grader.distributed.class_run import ClassRun, grading, stop_on_signals  # noqa: PLC0415
    from grader.distributed.journal import GradingKey, Journal, grader_version  # noqa: PLC0415
    from grader.distributed.schedulers import SchedulerError  # noqa: PLC0415

    key = GradingKey(tuple(ex.name for ex in exercises), timeout, grader_version())
    journal = Journal(journal_path, key, resume=resume)
    run = ClassRun(folders, journal)
    with journal, stop_on_signals() as stop, \
            click.progressbar(length=len(folders), label="Grading", file=sys.stderr) as bar:
        grade = grading(exercises, GradingOptions(timeout=timeout), submissions=root, jobs=jobs,
                        scheduler=scheduler, stop=stop)
        try:
            run.run(grade, resume=resume, on_resumed=bar.update, on_done=lambda graded: bar.update(1))
        except KeyboardInterrupt:
            _stopped(run, journal_path, 128 + (stop.requested or 2), at_once=True)
        except SchedulerError as exc:
            raise CommandError(f"{exc} (finished students are in the journal {journal_path})") from None
    if resume:
        click.echo(f"{run.resumed} student(s) taken from the journal {journal_path}, "
                   f"{run.finished - run.resumed} graded now", err=True)
    if not run.complete:
        _stopped(run, journal_path, stop.exit_code, at_once=False)
    return run


def _stopped(run, journal_path: Path, code: int, *, at_once: bool):
    click.echo(f"\nStopped: {run.finished} of {len(run.folders)} student(s) graded and journaled in {journal_path}; "
               "run the same command with --resume to grade the others.", err=True)
    if at_once:  # skip waiting for the grading threads: their workers are already killed
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _write_class_reports(run, exercises, json_file, csv_file) -> bool:
    """The score table, JSON and CSV, streamed from the journal; False if a report had to go elsewhere."""
    from grader.distributed.student import submission_from_dict  # noqa: PLC0415

    def submissions():
        return map(submission_from_dict, run.results())

    for line in reports.score_table_lines(submissions(), max(len(f.name) for f in run.folders)):
        click.echo(line)
    complete = True
    if json_file:
        max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
        complete &= _write("JSON report", reports.write_report(Path(json_file),
                                                               reports.json_report_writer(run.results, max_score)))
    if csv_file:
        names = [ex.name for ex in exercises]
        complete &= _write("CSV", reports.write_report(Path(csv_file), reports.csv_writer(names, submissions)))
    return complete


@main.command("release")
@click.option("--course", type=click.Path(file_okay=False),
              help="Keep the nbgrader course directory here (default: build it in a temporary folder).")
def release_command(course):
    """Build the nbgrader course (config, source/ and release/ of every topic) and refresh releases/."""
    from grader.integrations import release  # noqa: PLC0415
    from grader.integrations.notebooks import NotebookError  # noqa: PLC0415

    click.echo("Building the nbgrader course ...", err=True)
    try:
        topics, changed = release.release(Path(course) if course else None)
    except (release.ReleaseError, NotebookError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Released {len(topics)} topic(s): {', '.join(topics)}")
    if course:
        click.echo(f"Course directory: {Path(course).resolve()}")
    click.echo(f"releases/: {len(changed)} file(s) changed" + (f" ({', '.join(changed)})" if changed else ""))


@main.command()
@click.argument("names", nargs=-1)
@click.option("--out", "out", default="autograder.zip", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the autograder zip.")
def gradescope(names, out):
    """Build a Gradescope autograder zip that grades the exercises or topics NAMES (default: all)."""
    from grader.integrations import gradescope as gs  # noqa: PLC0415

    _select(names)
    path = gs.build_zip(Path(out), names)
    click.echo(f"Wrote {path}: upload it as the assignment's autograder (see docs/gradescope.md)")


if __name__ == "__main__":
    main()
