"""`dlgrade autograde --course DIR --assignment TOPIC`: grade an nbgrader course with the isolated engine.

Each student's `submitted/<student>/<topic>/*.ipynb` is checked against the released notebook (cells
deleted, duplicated, test cells edited: a message for that student) and reduced to its solution
cells, found by nbgrader metadata; those are graded like any submission, in an isolated worker, with
the hidden checks. Scores go into the course's gradebook as the auto scores of the grade cells named
after the exercises (so `nbgrader export` and the formgrader show them) and into a JSON report. A
broken notebook costs only its student.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import click

from grader.engine import registry
from grader.reports import text as reports
from grader.engine.classroom import grade_class
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions
from grader.engine.results import report
from grader.integrations.autograded import write_autograded
from grader.integrations.extras import require_nbgrader


def _nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    found = meta.get("nbgrader") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_cells(path: Path) -> list[dict]:
    """The cells of a notebook file; ValueError with a readable reason when it is not one."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a text file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}): "
                         "was it edited outside Jupyter?") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    return cells


def notebook_problems(cells: list[dict], reference: list[dict] | None) -> list[str]:
    """What is wrong with a submitted notebook's structure, compared with the released one."""
    problems = []
    ids = [_nbgrader_meta(c).get("grade_id") for c in cells if _nbgrader_meta(c).get("grade_id")]
    for grade_id in dict.fromkeys(i for i in ids if ids.count(i) > 1):
        problems.append(f"cell {grade_id!r} appears {ids.count(grade_id)} times (a copied cell?); "
                        "every copy of a solution cell runs, in order")
    if reference is None:
        return problems
    for ref in reference:
        meta = _nbgrader_meta(ref)
        if not meta.get("grade_id"):
            continue
        matching = [c for c in cells if _nbgrader_meta(c).get("grade_id") == meta["grade_id"]]
        if not matching:
            problems.append(f"cell {meta['grade_id']!r} was deleted")
        elif meta.get("grade") and not meta.get("solution") and ref.get("cell_type") == "code" \
                and any(_source(c).strip() != _source(ref).strip() for c in matching):
            problems.append(f"the test cell {meta['grade_id']!r} was edited (ignored: only solution cells are graded)")
    return problems


def solution_cells(cells: list[dict], reference: list[dict] | None) -> tuple[list[dict], list[str]]:
    """The solution cells (by nbgrader metadata); if the metadata is gone, the code cells that are not
    the released read-only cells."""
    chosen = [c for c in cells if c.get("cell_type") == "code" and _nbgrader_meta(c).get("solution")]
    if chosen or not any(c.get("cell_type") == "code" for c in cells):
        return chosen, []
    locked = {_source(c).strip() for c in reference or [] if _nbgrader_meta(c).get("locked")}
    chosen = [c for c in cells if c.get("cell_type") == "code" and _source(c).strip() not in locked
              and "grade_cell(" not in _source(c)]
    return chosen, ["the notebook's cells lost their nbgrader metadata: graded every code cell except the tests"]


def gradable_notebook(cells: list[dict]) -> str:
    """A notebook of just these cells, as solution cells: what the engine imports."""
    code = [{"cell_type": "code", "metadata": {"nbgrader": {"solution": True}}, "source": _source(c),
             "outputs": [], "execution_count": None} for c in cells]
    return json.dumps({"cells": code, "metadata": {}, "nbformat": 4, "nbformat_minor": 4})


def prepare_student(folder: Path, notebooks: list[Path], references: dict[str, list[dict]], out: Path) -> list[str]:
    """Writes the gradable part of each notebook into `out`; returns the messages for the student."""
    messages = []
    out.mkdir(parents=True)
    for path in notebooks:
        try:
            cells = read_cells(path)
        except (OSError, ValueError) as exc:
            messages.append(f"{exc}; nothing in it was graded")
            continue
        reference = references.get(path.stem)
        if reference is None and references:
            expected = ", ".join(f"{name}.ipynb" for name in sorted(references))
            messages.append(f"{path.name} is not a notebook of this assignment ({expected}): no cells compared")
        messages += [f"{path.name}: {p}" for p in notebook_problems(cells, reference)]
        chosen, notes = solution_cells(cells, reference)
        messages += [f"{path.name}: {n}" for n in notes]
        (out / path.name).write_text(gradable_notebook(chosen))
    if not notebooks:
        messages.append(f"no notebook in {folder}")
    return messages


def released_notebooks(course: Path, topic: str) -> dict[str, list[dict]]:
    """The released (else source) notebooks of the assignment: what a submission is compared with."""
    for kind in ("release", "source"):
        found = {}
        for path in sorted((course / kind / topic).glob("*.ipynb")):
            with contextlib.suppress(OSError, ValueError):
                found[path.stem] = read_cells(path)
        if found:
            return found
    return {}


@contextlib.contextmanager
def _gradebook(course: Path):
    from nbgrader.api import Gradebook  # noqa: PLC0415

    # nbgrader runs the `alembic` command (beside our Python) when it creates a gradebook.
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), saved])
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            yield gradebook
    finally:
        os.environ["PATH"] = saved


def _grade_cells(gradebook, topic: str, exercises) -> dict[str, str]:
    """The notebook holding each exercise's grade cell; creates the assignment and cells when missing."""
    from nbgrader.api import MissingEntry  # noqa: PLC0415

    try:
        assignment = gradebook.find_assignment(topic)
    except MissingEntry:
        assignment = gradebook.add_assignment(topic)
    where = {cell.name: nb.name for nb in assignment.notebooks for cell in nb.grade_cells}
    for exercise in exercises:
        if exercise.name not in where:
            gradebook.update_or_create_notebook(topic, topic)
            gradebook.update_or_create_grade_cell(exercise.name, topic, topic, cell_type="code",
                                                  max_score=exercise.max_points(include_hidden=True))
            where[exercise.name] = topic
    return where


def record_scores(course: Path, topic: str, exercises, results, *, submissions=(), messages=None) -> None:
    """Writes every exercise score as the auto score of its grade cell, creating what is missing, and
    the autograded notebooks of `submissions` ((student, folder) pairs, as results)."""
    from nbgrader.api import Grade, MissingEntry  # noqa: PLC0415

    with _gradebook(course) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush warnings about nbgrader's own objects
        where = _grade_cells(gradebook, topic, exercises)
        for result in results:
            gradebook.update_or_create_student(result.id)
            gradebook.update_or_create_submission(topic, result.id)
            for exercise in result.exercises:
                notebook = where[exercise.name]
                try:
                    grade = gradebook.find_grade(exercise.name, notebook, topic, result.id)
                except MissingEntry:  # a grade cell added after this submission was first recorded
                    cell = gradebook.find_grade_cell(exercise.name, notebook, topic)
                    grade = Grade(cell_id=cell.id, notebook=gradebook.find_submission_notebook(notebook, topic, result.id))
                    gradebook.db.add(grade)
                grade.auto_score = exercise.score
            gradebook.db.commit()
        write_autograded(course, topic, gradebook, submissions, results, messages or {})


def _submissions(course: Path, topic: str) -> list[tuple[str, Path]]:
    submitted = course / "submitted"
    if not submitted.is_dir():
        raise click.UsageError(f"{course} has no submitted/ folder (is it an nbgrader course directory?)")
    found = sorted((p.name, p / topic) for p in submitted.iterdir()
                   if p.is_dir() and not p.name.startswith(".") and (p / topic).is_dir())
    if not found:
        raise click.UsageError(f"no submissions of {topic!r} in {submitted} (expected submitted/<student>/{topic}/)")
    return found


def autograde_course(course: Path, topic: str, *, jobs: int = 1, timeout: float = GradingOptions.timeout,
                     on_done=lambda result, seconds: None):
    """Grades every submission of `topic`; returns (exercises, results, messages by student)."""
    exercises = registry.select([topic])
    submissions = _submissions(course, topic)
    references = released_notebooks(course, topic)
    messages = {}
    with tempfile.TemporaryDirectory(prefix="dlgrade-course-") as scratch:
        folders = []
        for student, folder in submissions:
            out = Path(scratch) / student
            messages[student] = prepare_student(folder, sorted(folder.glob("*.ipynb")), references, out)
            folders.append(out)
        plan = make_plan(exercises, include_hidden=True)
        results = grade_class(folders, plan, options=GradingOptions(timeout=timeout), jobs=jobs, on_done=on_done)
    record_scores(course, topic, exercises, results, submissions=submissions, messages=messages)
    return exercises, results, messages


def autograde_course_command(course, assignment, *, json_file=None, jobs=1, timeout=GradingOptions.timeout) -> None:
    if not course or not assignment:
        raise click.UsageError("--course and --assignment go together")
    require_nbgrader("dlgrade autograde --course")
    course = Path(course).resolve()
    if not course.is_dir():
        raise click.UsageError(f"--course {str(course)!r} is not a folder")
    if assignment not in registry.topics():
        raise click.UsageError(f"--assignment {assignment!r} is not a topic (topics: {', '.join(registry.topics())})")
    count = len(_submissions(course, assignment))
    with reports.class_progress(count, f"Grading {assignment}") as on_done:
        exercises, results, messages = autograde_course(course, assignment, jobs=jobs, timeout=timeout,
                                                        on_done=on_done)
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
