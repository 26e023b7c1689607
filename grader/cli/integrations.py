"""The commands for nbgrader (`release`, `autograde --course`) and Gradescope (`gradescope`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from grader.cli.common import CommandError, grading_inputs, grading_inputs_options, reports, select_exercises


def autograde_course(course, assignment, *, json_file, jobs, timeout, public_inputs, key_file) -> None:
    """`autograde --course C --assignment T`: grade the course's submissions, fill its gradebook."""
    from grader.engine.results import report  # noqa: PLC0415
    from grader.integrations.extras import require_nbgrader  # noqa: PLC0415

    if not course or not assignment:
        raise click.UsageError("--course and --assignment go together")
    require_nbgrader("dlgrade autograde --course")
    from grader.integrations import course_grading  # noqa: PLC0415

    from grader.integrations import grading_key  # noqa: PLC0415

    course = Path(course).resolve()
    try:
        course_grading.check_course(course, assignment)
        count = len(course_grading.submissions(course, assignment))
        inputs = grading_inputs(public_inputs, key_file, default=grading_key.course_path(course))
        with reports.class_progress(count, f"Grading {assignment}") as on_done:
            exercises, results, messages = course_grading.autograde_course(
                course, assignment, inputs=inputs, jobs=jobs, timeout=timeout, on_done=on_done)
    except course_grading.CourseError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(reports.score_table(results))
    for student, notes in messages.items():
        for note in notes:
            click.echo(f"{student}: {note}")
    data = report(results, sum(ex.max_points(include_hidden=True) for ex in exercises), inputs=inputs.label)
    for submission in data["submissions"]:
        submission["messages"] = messages.get(submission["id"], [])
    target = Path(json_file) if json_file else course / f"dlgrade-{assignment}.json"
    target.write_text(json.dumps(data, indent=1) + "\n")
    click.echo(f"Scores written to {course / 'gradebook.db'} and {target}")


@click.command("release")
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
    except release.ReleaseRefused as exc:
        raise CommandError(str(exc)) from None
    except (release.ReleaseError, NotebookError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Released {len(done.topics)} topic(s): {', '.join(done.topics)}")
    if course:
        click.echo(f"Course directory: {Path(course).resolve()} (course id {done.course_id!r})")
    if done.changed is not None:
        click.echo(f"releases/: {len(done.changed)} file(s) changed"
                   + (f" ({', '.join(done.changed)})" if done.changed else ""))


@click.command()
@click.argument("names", nargs=-1)
@click.option("--out", "out", default="autograder.zip", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the autograder zip.")
@grading_inputs_options
def gradescope(names, out, public_inputs, key_file):
    """Build a Gradescope autograder zip that grades the exercises or topics NAMES (default: all).

    The zip carries your grading key (it grades on secret inputs): keep it private, as Gradescope
    keeps autograder zips."""
    from grader.integrations import gradescope as gs  # noqa: PLC0415

    select_exercises(names)
    inputs = grading_inputs(public_inputs, key_file)
    path = gs.build_zip(Path(out), names, inputs=inputs)
    click.echo(f"Wrote {path} (grading on {inputs.label} inputs): upload it as the assignment's autograder "
               "(see docs/gradescope.md)")
