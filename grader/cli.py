"""The `dlgrade` command line: a thin click layer over the engine.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click

from grader.engine import limits
from grader.engine.lazy_modules import LazyModule

# The engine is imported where a command first uses it: `--help` and `list` need none of it, and
# torch is imported only when a plan must be drawn or a failure explained.
registry = LazyModule("grader.engine.registry")
reports = LazyModule("grader.reports.text")


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


def _sandbox(require: bool) -> None:
    """Announces a confinement weaker than full on stderr; with --require-sandbox refuses it (exit 2)."""
    from grader.isolation import confine  # noqa: PLC0415

    try:
        level = confine.level()
    except confine.SandboxError as exc:
        raise click.UsageError(str(exc)) from None
    if level == confine.FULL:
        return
    if require:
        click.echo(f"Error: --require-sandbox: workers would run with sandbox {level!r}, not {confine.FULL!r} "
                   f"(see docs/confinement.md)", err=True)
        sys.exit(2)
    click.echo(f"warning: submissions are confined at level {level!r} only, not {confine.FULL!r} "
               f"(see docs/confinement.md)", err=True)


def _existing_dir(path: str, what: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise click.UsageError(f"{what} {path!r} is not a folder")
    return folder


def _start_workers_server() -> None:
    """Starts the workers' forkserver before the content is imported and the plan read or drawn, so
    that its own start-up runs meanwhile, in its own process."""
    from grader.isolation import sandbox  # noqa: PLC0415

    sandbox.start_server()


def _plan(exercises, *, include_hidden: bool, submissions: Path):
    """The plan, read from the shipped plans or the disk cache where it can be (never from inside the
    submissions)."""
    from grader.engine import plan_cache  # noqa: PLC0415
    from grader.engine.examples import make_plan  # noqa: PLC0415

    return make_plan(exercises, include_hidden=include_hidden, cache=plan_cache.default_cache(avoid=[submissions]))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlgrade")
def main():
    """Exercises and property-based autograding for classic deep-learning code."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the exercises as JSON.")
def list_exercises(as_json):
    """List the exercises, by topic, with their points."""
    exercises = registry.index()
    if as_json:
        click.echo(json.dumps(exercises, indent=1))
        return
    for topic in dict.fromkeys(ex["topic"] for ex in exercises):
        click.echo(f"{topic}:")
        for ex in exercises:
            if ex["topic"] == topic:
                points = float(sum(c["points"] for c in ex["checks"] if not c["hidden"]))
                click.echo(f"  {ex['name']:<32} {points:g} points")


def _submission_folder(path: str, scratch: Path) -> Path:
    """The folder to grade: PATH itself, or a scratch folder holding just the file PATH."""
    given = Path(path)
    if given.is_file() and given.suffix in (".py", ".ipynb"):
        scratch.chmod(0o755)  # a confined worker may run as another user: mkdtemp's 0700 would hide the file
        shutil.copy(given, scratch / given.name)
        return scratch
    if given.is_file():
        raise click.UsageError(f"--path {path!r} is neither a folder nor a .py or .ipynb file")
    folder = _existing_dir(path, "--path")
    if not any(p.suffix in (".py", ".ipynb") for p in folder.rglob("*")):
        raise click.UsageError(f"no .py or .ipynb files in {path}")
    return folder


def _echo_exercise(result) -> None:
    click.echo(reports.exercise_summary(result, color=True))


@main.command()
@click.argument("names", nargs=-1)
@click.option("--path", "path", default=".", show_default=True,
              help="Folder holding your code (.py or .ipynb), or one such file.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the JSON report here.")
@click.option("--timeout", default=limits.EXERCISE_SECONDS, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
@click.option("--require-sandbox", is_flag=True, help="Refuse to grade unless workers are fully confined.")
def check(names, path, json_file, timeout, require_sandbox):
    """Self-check your code in PATH on the exercises or topics NAMES (default: all).

    A name that is both a topic and an exercise (softmax) means the topic; TOPIC:EXERCISE
    (softmax:softmax) names the exercise alone. Exits 0 only when every selected exercise gets
    full marks.
    """
    _start_workers_server()
    exercises = _select(names)
    _sandbox(require_sandbox)
    with tempfile.TemporaryDirectory(prefix="dlgrade-check-") as scratch:
        folder = _submission_folder(path, Path(scratch))
        shown = Path(path).resolve()
        _check_outputs(("--json", json_file))
        click.echo(f"Checking {len(exercises)} exercise(s) in {shown} ...", err=True)
        from grader.engine.grading import GradingOptions, grade_submission  # noqa: PLC0415

        plan = _plan(exercises, include_hidden=False, submissions=Path(path))
        printed = set()

        def show(exercise) -> None:  # each exercise's line as soon as it is graded
            printed.add(exercise.name)
            _echo_exercise(exercise)

        result = grade_submission(folder, plan, submission_id=shown.name, options=GradingOptions(timeout=timeout),
                                  on_exercise=show)
    for exercise in result.exercises:
        if exercise.name not in printed:  # the submission could not be loaded at all
            _echo_exercise(exercise)
    click.echo("\nSummary:")
    click.echo(reports.topic_summary(list(result.exercises)))
    click.echo(f"Total: {result.score:g}/{result.max_score:g}")
    if json_file and not _write("JSON report", reports.write_json(Path(json_file), [result], result.max_score)):
        sys.exit(1)
    sys.exit(0 if all(e.full_marks for e in result.exercises) else 1)


@main.command()
@click.argument("submissions_dir", required=False)
@click.option("--only", "only", multiple=True, help="Grade only this exercise or topic (repeatable).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Write the JSON report here.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="Write one row per student here.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Students graded at once.")
@click.option("--timeout", default=limits.EXERCISE_SECONDS, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
@click.option("--course", type=click.Path(file_okay=False), help="An nbgrader course folder.")
@click.option("--assignment", help="With --course: the assignment (topic) to grade.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Write the class report (HTML) here.")
@click.option("--summary-json", "summary_file", type=click.Path(dir_okay=False),
              help="Write the class report's content as JSON here.")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
              help="Write one feedback page (HTML) per student into this folder.")
@click.option("--require-sandbox", is_flag=True, help="Refuse to grade unless workers are fully confined.")
@click.option("--scheduler", metavar="local[:N]|tcp://HOST:PORT",
              help="Grade on Dask instead of --jobs threads: a local cluster of N worker processes, or the "
                   "running scheduler at HOST:PORT. Needs pip install 'dlgrade[dask]'.")
@click.option("--resume", is_flag=True,
              help="Keep the journaled results of students whose submission, exercises and grader are "
                   "unchanged; grade only the others.")
@click.option("--journal", "journal_file", type=click.Path(dir_okay=False),
              help="The journal of finished students (default: beside --json, else --csv, as NAME.journal.jsonl).")
def autograde(submissions_dir, only, json_file, csv_file, jobs, timeout, course, assignment, html_file, summary_file,
              feedback_dir, require_sandbox, scheduler, resume, journal_file):
    """Grade every subfolder of SUBMISSIONS_DIR as one student's submission.

    Each finished student is appended to a journal, so a crash, Ctrl-C or SIGTERM loses nothing
    finished: run the same command with --resume to grade the others.
    """
    if (html_file or summary_file or feedback_dir) and (course or assignment):
        raise click.UsageError("--html, --summary-json and --feedback work on SUBMISSIONS_DIR; for a course, run "
                               "`dlgrade report` on its --json report")
    if (scheduler or resume or journal_file) and (course or assignment):
        raise click.UsageError("--scheduler, --resume and --journal grade SUBMISSIONS_DIR, not --course")
    _sandbox(require_sandbox)
    if course or assignment:
        if submissions_dir:
            raise click.UsageError("give either SUBMISSIONS_DIR or --course/--assignment, not both")
        _autograde_course(course, assignment, json_file=json_file, jobs=jobs, timeout=timeout)
        return
    if not submissions_dir:
        raise click.UsageError("give SUBMISSIONS_DIR, or --course and --assignment")
    from grader.engine.classroom import stray_files, student_folders  # noqa: PLC0415
    from grader.engine.results import report as results_report  # noqa: PLC0415

    root = _existing_dir(submissions_dir, "SUBMISSIONS_DIR")
    folders = student_folders(root)
    if not folders:
        raise click.UsageError(f"{submissions_dir!r} has no student folders (one subfolder per student)")
    stray = stray_files(Path(submissions_dir))
    if stray:
        shown = ", ".join(stray[:5]) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
        click.echo(f"warning: {len(stray)} file(s) outside the student folders are not graded: {shown}", err=True)
    _start_workers_server()
    exercises = _select(only)
    journal_file = journal_file or _journal_beside(json_file or csv_file)
    if resume and not journal_file:
        raise click.UsageError("--resume needs the journal of the earlier run: give --json, --csv or --journal")
    _check_outputs(("--json", json_file), ("--csv", csv_file), ("--journal", journal_file), ("--html", html_file),
                   ("--summary-json", summary_file))
    if scheduler:
        _check_scheduler(scheduler)
    with tempfile.TemporaryDirectory(prefix="dlgrade-journal-") as scratch:
        journal_path = Path(journal_file) if journal_file else Path(scratch) / "journal.jsonl"
        run = _grade_class(root, folders, exercises, journal_path, jobs=jobs, timeout=timeout, scheduler=scheduler,
                           resume=resume)
        complete = _write_class_reports(run, exercises, json_file, csv_file)
        if html_file or summary_file or feedback_dir:
            from grader.distributed.student import submission_from_dict  # noqa: PLC0415

            # The class report needs the whole class at once (statistics, similarity).
            results = [submission_from_dict(r) for r in run.results()]
            max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
            info = {"dlgrade_version": _version(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "options": {"only": ", ".join(only) or "all", "jobs": jobs, "timeout": timeout},
                    "submissions_dir": str(Path(submissions_dir).resolve())}
            _class_files(results_report(results, max_score), html_file, summary_file, feedback_dir, run=info)
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
    from grader.engine.grading import GradingOptions  # noqa: PLC0415

    key = GradingKey(tuple(ex.name for ex in exercises), timeout, grader_version())
    journal = Journal(journal_path, key, resume=resume)
    run = ClassRun(folders, journal)
    if resume:
        run.reuse()
    with journal, stop_on_signals() as stop, \
            reports.class_progress(len(folders), "Grading", done=run.resumed) as on_done:
        grade = grading(exercises, GradingOptions(timeout=timeout), submissions=root, jobs=jobs,
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


def _write_class_reports(run, exercises, json_file, csv_file) -> bool:
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
        complete &= _write("JSON report", reports.write_report(Path(json_file),
                                                               reports.json_report_writer(run.results, max_score)))
    if csv_file:
        names = [ex.name for ex in exercises]
        complete &= _write("CSV", reports.write_report(Path(csv_file), reports.csv_writer(names, submissions)))
    return complete


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("dlgrade")
    except PackageNotFoundError:
        return "unknown"


def _class_files(report: dict, html_file, summary_file, feedback_dir, *, submissions_dir=None, run=None) -> None:
    from grader.reports import class_report  # noqa: PLC0415 (matplotlib and copydetect load slowly)

    if html_file or summary_file:
        class_report.write_class_files(report, html_file=html_file and Path(html_file),
                                       summary_file=summary_file and Path(summary_file),
                                       submissions_dir=submissions_dir, run=run)
        for path in (html_file, summary_file):
            if path:
                click.echo(f"Class report: {Path(path).resolve()}")
    if feedback_dir:
        pages = class_report.write_feedback(report, Path(feedback_dir))
        click.echo(f"Feedback: {len(pages)} page(s) in {Path(feedback_dir).resolve()}")


def _load_report(path: str) -> dict:
    from grader.reports.class_report import ReportError, load  # noqa: PLC0415

    try:
        return load(Path(path))
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None


@main.command("report")
@click.argument("report_file", metavar="REPORT.json")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Write the class report (HTML) here.")
@click.option("--summary-json", "summary_file", type=click.Path(dir_okay=False),
              help="Write the class report's content as JSON here.")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False),
              help="Write one feedback page (HTML) per student into this folder.")
@click.option("--submissions", "submissions_dir", type=click.Path(file_okay=False),
              help="The graded folder (one subfolder per student), for code similarity; default: the folders "
                   "recorded in the report.")
def report_command(report_file, html_file, summary_file, feedback_dir, submissions_dir):
    """The class report of a JSON report written by `autograde --json`."""
    if not (html_file or summary_file or feedback_dir):
        raise click.UsageError("give --html FILE, --summary-json FILE or --feedback DIR")
    report = _load_report(report_file)
    _class_files(report, html_file, summary_file, feedback_dir,
                 submissions_dir=submissions_dir and _existing_dir(submissions_dir, "--submissions"))


@main.command("diff")
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


@main.command("export")
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


def _autograde_course(course, assignment, *, json_file, jobs, timeout) -> None:
    """`autograde --course C --assignment T`: grade the course's submissions, fill its gradebook."""
    from grader.engine.results import report  # noqa: PLC0415
    from grader.integrations.extras import require_nbgrader  # noqa: PLC0415

    if not course or not assignment:
        raise click.UsageError("--course and --assignment go together")
    require_nbgrader("dlgrade autograde --course")
    from grader.integrations import course_grading  # noqa: PLC0415

    course = Path(course).resolve()
    try:
        course_grading.check_course(course, assignment)
        count = len(course_grading.submissions(course, assignment))
        with reports.class_progress(count, f"Grading {assignment}") as on_done:
            exercises, results, messages = course_grading.autograde_course(
                course, assignment, jobs=jobs, timeout=timeout, on_done=on_done)
    except course_grading.CourseError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(reports.score_table(results))
    for student, notes in messages.items():
        for note in notes:
            click.echo(f"{student}: {note}")
    data = report(results, sum(ex.max_points(include_hidden=True) for ex in exercises))
    for submission in data["submissions"]:
        submission["messages"] = messages.get(submission["id"], [])
    target = Path(json_file) if json_file else course / f"dlgrade-{assignment}.json"
    target.write_text(json.dumps(data, indent=1) + "\n")
    click.echo(f"Scores written to {course / 'gradebook.db'} and {target}")


@main.command("release")
@click.argument("topics", nargs=-1)
@click.option("--course", type=click.Path(file_okay=False),
              help="Keep the nbgrader course directory here (default: build it in a temporary folder).")
@click.option("--solutions", type=click.Path(file_okay=False),
              help="The reference solutions (default: solutions/ of the dlgrade checkout).")
@click.option("--course-id", help="The course id of a new course's nbgrader_config.py (default: the folder's name).")
@click.option("--force", is_flag=True, help="Overwrite source/ notebooks edited in the course since the last release.")
def release_command(topics, course, solutions, course_id, force):
    """Build the nbgrader course (config, source/ and release/ of TOPICS, default all) and refresh releases/."""
    from grader.integrations.extras import require_nbgrader  # noqa: PLC0415

    require_nbgrader("dlgrade release")
    from grader.integrations import release  # noqa: PLC0415
    from grader.integrations.notebooks import NotebookError  # noqa: PLC0415

    click.echo("Building the nbgrader course ...", err=True)
    try:
        done = release.release(Path(course) if course else None, topics,
                               solutions=Path(solutions) if solutions else None, course_id=course_id, force=force)
    except (release.ReleaseError, NotebookError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Released {len(done.topics)} topic(s): {', '.join(done.topics)}")
    if course:
        click.echo(f"Course directory: {Path(course).resolve()} (course id {done.course_id!r})")
    if done.changed is not None:
        click.echo(f"releases/: {len(done.changed)} file(s) changed"
                   + (f" ({', '.join(done.changed)})" if done.changed else ""))


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
