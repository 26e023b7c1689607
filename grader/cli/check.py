"""`dlgrade list` and `dlgrade check`: what there is to do, and a student's self-check."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import click

from grader.cli.common import (CommandError, check_outputs, check_sandbox, existing_dir, registry, reports,
                               select_exercises, start_workers_server, written_where_asked)
from grader.engine import limits


@click.command("list")
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
    from grader.isolation.sources import ARCHIVE_SUFFIXES, archives_with_code  # noqa: PLC0415

    if given.is_file() and given.name.lower().endswith(ARCHIVE_SUFFIXES):
        raise click.UsageError(f"--path {path!r} is an archive, which is not unpacked: unpack it and give its folder")
    if given.is_file():
        raise click.UsageError(f"--path {path!r} is neither a folder nor a .py or .ipynb file")
    folder = existing_dir(path, "--path")
    if not any(p.suffix in (".py", ".ipynb") for p in folder.rglob("*")):
        archives = [str(a.relative_to(folder.resolve())) for a in archives_with_code(folder)]
        unpack = f" ({', '.join(archives)}: archives are not unpacked; unpack them first)" if archives else ""
        raise click.UsageError(f"no .py or .ipynb files in {path}{unpack}")
    return folder


def _plan(exercises, *, include_hidden: bool, submissions: Path):
    """The plan, read from the shipped plans or the disk cache where it can be (never from inside the
    submissions)."""
    from grader.engine import plan_availability, plan_cache  # noqa: PLC0415
    from grader.engine.examples import make_plan  # noqa: PLC0415

    cache = plan_cache.default_cache(avoid=[submissions])
    try:
        plan_availability.require_plan(exercises, include_hidden=include_hidden, cache=cache)
    except plan_availability.PlanUnavailable as exc:
        raise CommandError(str(exc)) from None
    return make_plan(exercises, include_hidden=include_hidden, cache=cache)


def _options(timeout: float):
    """Shrinking computes the reference of every new input, with torch: a student's install has none,
    so a failure shows the first failing input of the plan instead (the verdict is the same)."""
    from grader.engine.grading import GradingOptions  # noqa: PLC0415
    from grader.engine.plan_availability import can_draw  # noqa: PLC0415
    from grader.engine.shrinking import ShrinkBudget  # noqa: PLC0415

    if can_draw():
        return GradingOptions(timeout=timeout)
    return GradingOptions(timeout=timeout, shrink=ShrinkBudget(calls=0))


def _echo_exercise(result) -> None:
    click.echo(reports.exercise_summary(result, color=True))


@click.command()
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
    start_workers_server()
    exercises = select_exercises(names)
    check_sandbox(require_sandbox)
    with tempfile.TemporaryDirectory(prefix="dlgrade-check-") as scratch:
        folder = _submission_folder(path, Path(scratch))
        shown = Path(path).resolve()
        check_outputs(("--json", json_file))
        click.echo(f"Checking {len(exercises)} exercise(s) in {shown} ...", err=True)
        from grader.engine.grading import grade_submission  # noqa: PLC0415

        plan = _plan(exercises, include_hidden=False, submissions=Path(path))
        printed = set()

        def show(exercise) -> None:  # each exercise's line as soon as it is graded
            printed.add(exercise.name)
            _echo_exercise(exercise)

        result = grade_submission(folder, plan, submission_id=shown.name, options=_options(timeout), on_exercise=show)
    for exercise in result.exercises:
        if exercise.name not in printed:  # the submission could not be loaded at all
            _echo_exercise(exercise)
    click.echo("\nSummary:")
    click.echo(reports.topic_summary(list(result.exercises)))
    click.echo(f"Total: {result.score:g}/{result.max_score:g}")
    if json_file and not written_where_asked("JSON report",
                                             reports.write_json(Path(json_file), [result], result.max_score)):
        sys.exit(1)
    sys.exit(0 if all(e.full_marks for e in result.exercises) else 1)
