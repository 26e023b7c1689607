"""The `dlgrade` command line: a thin click layer over the engine.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
The engine is imported inside the commands that use it: `--help` and `list` start in a fraction of
a second, and torch is imported only when a plan must be drawn or a failure explained.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from grader.engine import limits


def _select(names):
    from grader.engine import registry  # noqa: PLC0415

    try:
        return registry.select(names)
    except registry.UnknownName as exc:
        raise click.UsageError(str(exc)) from None


def _existing_dir(path: str, what: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise click.UsageError(f"{what} {path!r} is not a folder")
    return folder


def _start_workers_server() -> None:
    """Starts the workers' forkserver before the engine and the content are imported and the plan is
    read or drawn, so that its own start-up runs meanwhile, in its own process."""
    from grader.isolation import sandbox  # noqa: PLC0415

    sandbox.start_server()


def _plan(exercises, *, include_hidden: bool, submissions: Path):
    """The plan, read from the disk cache where it can be (never from inside the submissions)."""
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
    from grader.engine import registry  # noqa: PLC0415

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


@main.command()
@click.argument("names", nargs=-1)
@click.option("--path", "path", default=".", show_default=True, help="Folder holding your code (.py or .ipynb).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the JSON report here.")
@click.option("--timeout", default=limits.EXERCISE_SECONDS, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
def check(names, path, json_file, timeout):
    """Self-check your code in PATH on the exercises or topics NAMES (default: all).

    Exits 0 only when every selected exercise gets full marks.
    """
    folder = _existing_dir(path, "--path")
    _start_workers_server()
    exercises = _select(names)
    click.echo(f"Checking {len(exercises)} exercise(s) in {folder.resolve()} ...", err=True)
    from grader.engine.grading import GradingOptions, grade_submission  # noqa: PLC0415
    from grader.reports import text as reports  # noqa: PLC0415

    plan = _plan(exercises, include_hidden=False, submissions=folder)
    result = grade_submission(folder, plan, submission_id=folder.resolve().name, options=GradingOptions(timeout=timeout))
    for exercise in result.exercises:
        click.echo(reports.exercise_summary(exercise))
    click.echo(f"\nTotal: {result.score:g}/{result.max_score:g}")
    if json_file:
        reports.write_json(Path(json_file), [result], result.max_score)
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
def autograde(submissions_dir, only, json_file, csv_file, jobs, timeout, course, assignment):
    """Grade every subfolder of SUBMISSIONS_DIR as one student's submission."""
    if course or assignment:
        from grader.integrations import course_grading  # noqa: PLC0415

        course_grading.autograde_course_command(course, assignment, json_file=json_file, jobs=jobs, timeout=timeout)
        return
    if not submissions_dir:
        raise click.UsageError("give SUBMISSIONS_DIR, or --course and --assignment")
    from grader.engine.classroom import grade_class, student_folders  # noqa: PLC0415
    from grader.engine.grading import GradingOptions  # noqa: PLC0415
    from grader.reports import text as reports  # noqa: PLC0415

    folders = student_folders(_existing_dir(submissions_dir, "SUBMISSIONS_DIR"))
    if not folders:
        raise click.UsageError(f"{submissions_dir!r} has no student folders (one subfolder per student)")
    _start_workers_server()
    exercises = _select(only)
    plan = _plan(exercises, include_hidden=True, submissions=Path(submissions_dir))
    options = GradingOptions(timeout=timeout)
    with click.progressbar(length=len(folders), label="Grading", file=sys.stderr) as bar:
        results = grade_class(folders, plan, options=options, jobs=jobs, on_done=lambda _: bar.update(1))
    click.echo(reports.score_table(results))
    max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
    if json_file:
        reports.write_json(Path(json_file), results, max_score)
    if csv_file:
        Path(csv_file).write_text(reports.csv_text(results))


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
