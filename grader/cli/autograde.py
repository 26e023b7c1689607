"""`dlgrade autograde`: a class run, journaled student by student, and its reports."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click

from grader.cli.common import (CommandError, check_outputs, check_sandbox, existing_dir, grading_inputs,
                               grading_inputs_options, reports, select_exercises, start_workers_server,
                               written_where_asked)
from grader.cli.integrations import autograde_course
from grader.cli.reports import class_files, class_report_options
from grader.engine import limits


@click.command()
@click.argument("submissions_dir", required=False)
@click.option("--only", "only", multiple=True, help="Grade only this exercise or topic (repeatable).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Write the JSON report here.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Write one row per student here.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Students graded at once.")
@click.option("--timeout", default=limits.EXERCISE_SECONDS, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
@click.option("--course", type=click.Path(file_okay=False), help="An nbgrader course folder.")
@click.option("--assignment", help="With --course: the assignment (topic) to grade.")
@class_report_options
@click.option("--require-sandbox", is_flag=True, help="Refuse to grade unless workers are fully confined.")
@click.option("--scheduler", metavar="local[:N]|tcp://HOST:PORT",
              help="Grade on Dask instead of --jobs threads: a local cluster of N worker processes, or the "
                   "running scheduler at HOST:PORT. Needs pip install 'dlgrade[dask]'.")
@click.option("--resume", is_flag=True,
              help="Keep the journaled results of students whose submission, exercises and grader are "
                   "unchanged; grade only the others.")
@click.option("--journal", "journal_file", type=click.Path(dir_okay=False),
              help="The journal of finished students (default: beside --json, else --csv, as NAME.journal.jsonl).")
@grading_inputs_options
def autograde(submissions_dir, only, json_file, csv_file, jobs, timeout, course, assignment, html_file, summary_file,
              feedback_dir, require_sandbox, scheduler, resume, journal_file, public_inputs, key_file):
    """Grade every subfolder of SUBMISSIONS_DIR as one student's submission.

    Grades on secret inputs drawn from your grading key (see --key-file), never on the inputs of the
    students' self-check, which a submission could hard-code.

    Each finished student is appended to a journal, so a crash, Ctrl-C or SIGTERM loses nothing
    finished: run the same command with --resume to grade the others.
    """
    if (html_file or summary_file or feedback_dir) and (course or assignment):
        raise click.UsageError("--html, --summary-json and --feedback work on SUBMISSIONS_DIR; for a course, run "
                               "`dlgrade report` on its --json report")
    if (scheduler or resume or journal_file) and (course or assignment):
        raise click.UsageError("--scheduler, --resume and --journal grade SUBMISSIONS_DIR, not --course")
    if course or assignment:
        if submissions_dir:
            raise click.UsageError("give either SUBMISSIONS_DIR or --course/--assignment, not both")
        check_sandbox(require_sandbox)
        autograde_course(course, assignment, json_file=json_file, jobs=jobs, timeout=timeout,
                         public_inputs=public_inputs, key_file=key_file)
        return
    if not submissions_dir:
        raise click.UsageError("give SUBMISSIONS_DIR, or --course and --assignment")
    exercises = select_exercises(only)  # a wrong name is an error before any warning
    check_sandbox(require_sandbox)
    from grader.engine.classroom import stray_files, student_folders  # noqa: PLC0415
    from grader.engine.results import report as results_report  # noqa: PLC0415

    root = existing_dir(submissions_dir, "SUBMISSIONS_DIR")
    inputs = grading_inputs(public_inputs, key_file)
    folders = student_folders(root)
    if not folders:
        raise click.UsageError(f"{submissions_dir!r} has no student folders (one subfolder per student)")
    stray = stray_files(Path(submissions_dir))
    if stray:
        shown = ", ".join(stray[:5]) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
        click.echo(f"warning: {len(stray)} file(s) outside the student folders are not graded: {shown}", err=True)
    _warn_of_archives(folders)
    if jobs == 1 or scheduler:  # --jobs N grades in N processes, each with its own workers' server
        start_workers_server()
    journal_file = journal_file or _journal_beside(json_file or csv_file)
    if resume and not journal_file:
        raise click.UsageError("--resume needs the journal of the earlier run: give --json, --csv or --journal")
    check_outputs(("--json", json_file), ("--csv", csv_file), ("--journal", journal_file), ("--html", html_file),
                  ("--summary-json", summary_file))
    if scheduler:
        _check_scheduler(scheduler)
    with tempfile.TemporaryDirectory(prefix="dlgrade-journal-") as scratch:
        journal_path = Path(journal_file) if journal_file else Path(scratch) / "journal.jsonl"
        run = _grade_class(root, folders, exercises, journal_path, jobs=jobs, timeout=timeout, scheduler=scheduler,
                           resume=resume, inputs=inputs)
        complete = _write_class_reports(run, exercises, json_file, csv_file, inputs.label)
        if html_file or summary_file or feedback_dir:
            from grader.distributed.journal import installed_version  # noqa: PLC0415
            from grader.distributed.student import submission_from_dict  # noqa: PLC0415

            # The class report needs the whole class at once (statistics, similarity).
            results = [submission_from_dict(r) for r in run.results()]
            max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
            info = {"dlgrade_version": installed_version(),
                    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "options": {"only": ", ".join(only) or "all", "jobs": jobs, "timeout": timeout},
                    "submissions_dir": str(Path(submissions_dir).resolve())}
            class_files(results_report(results, max_score, inputs=inputs.label), html_file, summary_file, feedback_dir,
                        run=info)
    sys.exit(0 if complete else 1)


def _warn_of_archives(folders: list[Path]) -> None:
    """Archives in the students' folders are not unpacked (sources.archives_with_code): said once,
    here, as well as on each exercise they leave unfound."""
    from grader.isolation.sources import archives_with_code  # noqa: PLC0415

    found = [f"{folder.name}/{path.relative_to(folder.resolve())}" for folder in folders
             for path in archives_with_code(folder)]
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        click.echo(f"warning: {len(found)} archive(s) in student folders are not unpacked, so nothing in them is "
                   f"graded: {shown}; unpack them into their folders to grade them", err=True)


def _journal_beside(report: str | None) -> str | None:
    return str(Path(report).with_suffix(".journal.jsonl")) if report else None


def _check_scheduler(scheduler: str) -> None:
    from grader.distributed import schedulers  # noqa: PLC0415

    try:
        schedulers.parse_scheduler(scheduler)
        schedulers.check_dask_installed()
    except schedulers.SchedulerError as exc:
        raise CommandError(str(exc)) from None


def _grade_class(root, folders, exercises, journal_path: Path, *, jobs, timeout, scheduler, resume, inputs):
    """Grades the class into the journal; exits (128 + signal) if stopped by Ctrl-C or SIGTERM."""
    from grader.distributed.class_run import ClassRun, grading, stop_on_signals  # noqa: PLC0415
    from grader.distributed.journal import GradingKey, Journal, grader_version  # noqa: PLC0415
    from grader.distributed.schedulers import SchedulerError  # noqa: PLC0415
    from grader.engine.grading import GradingOptions  # noqa: PLC0415

    key = GradingKey(tuple(ex.name for ex in exercises), timeout, grader_version(), inputs.label)
    journal = Journal(journal_path, key, resume=resume)
    run = ClassRun(folders, journal)
    if resume:
        run.reuse()
    with journal, stop_on_signals() as stop, \
            reports.class_progress(len(folders), "Grading", done=run.resumed) as on_done:
        grade = grading(exercises, GradingOptions(timeout=timeout), inputs=inputs, submissions=root, jobs=jobs,
                        scheduler=scheduler, stop=stop)
        try:
            run.grade(grade, on_done=lambda graded: on_done(graded.to_result(), graded.seconds))
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


def _write_class_reports(run, exercises, json_file, csv_file, inputs: str) -> bool:
    """The score table, JSON and CSV, streamed from the journal; False if a report had to go elsewhere."""
    from grader.distributed.student import submission_from_dict  # noqa: PLC0415

    def submissions():
        return map(submission_from_dict, run.results())

    for line in reports.score_table_lines(submissions(), max(len(f.name) for f in run.folders)):
        click.echo(line)
    for line in reports.graded_file_notes(submissions()):
        click.echo(line)
    complete = True
    if json_file:
        max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
        complete &= written_where_asked("JSON report", reports.write_report(
            Path(json_file), reports.json_report_writer(run.results, max_score, inputs=inputs)))
    if csv_file:
        names = [ex.name for ex in exercises]
        complete &= written_where_asked("CSV", reports.write_report(Path(csv_file),
                                                                    reports.csv_writer(names, submissions)))
    return complete
