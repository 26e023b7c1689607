"""The `dlgrade` command line: a thin click layer over the engine.

Errors in the command line or in the files given end with one clear line and a non-zero exit.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import click

from grader.engine import registry
from grader.reports import text as reports
from grader.engine.classroom import grade_class, student_folders
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions


def _select(names):
    try:
        return registry.select(names)
    except registry.UnknownName as exc:
        raise click.UsageError(str(exc)) from None


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
@click.option("--timeout", default=GradingOptions.timeout, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds allowed per exercise.")
def check(names, path, json_file, timeout):
    """Self-check your code in PATH on the exercises or topics NAMES (default: all).

    A name that is both a topic and an exercise (softmax) means the topic; TOPIC:EXERCISE
    (softmax:softmax) names the exercise alone. Exits 0 only when every selected exercise gets
    full marks.
    """
    exercises = _select(names)
    with tempfile.TemporaryDirectory(prefix="dlgrade-check-") as scratch:
        folder = _submission_folder(path, Path(scratch))
        shown = Path(path).resolve()
        click.echo(f"Checking {len(exercises)} exercise(s) in {shown} ...", err=True)
        from grader.engine.grading import grade_submission  # noqa: PLC0415

        plan = make_plan(exercises, include_hidden=False)
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
    if json_file:
        reports.write_json(Path(json_file), [result], result.max_score)
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
def autograde(submissions_dir, only, json_file, csv_file, jobs, timeout, course, assignment):
    """Grade every subfolder of SUBMISSIONS_DIR as one student's submission."""
    if course or assignment:
        if submissions_dir:
            raise click.UsageError("give either SUBMISSIONS_DIR or --course/--assignment, not both")
        from grader.integrations import course_grading  # noqa: PLC0415

        course_grading.autograde_course_command(course, assignment, json_file=json_file, jobs=jobs, timeout=timeout)
        return
    if not submissions_dir:
        raise click.UsageError("give SUBMISSIONS_DIR, or --course and --assignment")
    folders = student_folders(_existing_dir(submissions_dir, "SUBMISSIONS_DIR"))
    if not folders:
        raise click.UsageError(f"{submissions_dir!r} has no student folders (one subfolder per student)")
    exercises = _select(only)
    plan = make_plan(exercises, include_hidden=True)
    options = GradingOptions(timeout=timeout)
    with reports.class_progress(len(folders), "Grading") as on_done:
        results = grade_class(folders, plan, options=options, jobs=jobs, on_done=on_done)
    click.echo(reports.score_table(results))
    max_score = sum(ex.max_points(include_hidden=True) for ex in exercises)
    if json_file:
        reports.write_json(Path(json_file), results, max_score)
    if csv_file:
        Path(csv_file).write_text(reports.csv_text(results))


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
