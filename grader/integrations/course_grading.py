"""`dlgrade autograde --course DIR --assignment TOPIC`: grade an nbgrader course with the isolated engine.

Each student's `submitted/<student>/<topic>/*.ipynb` is checked against the released notebook (cells
deleted, duplicated, test cells edited: a message for that student) and graded like any submission
(its code cells minus the test cells, see grader.isolation.cells), in an isolated worker, with the
hidden checks. Scores go into the course's gradebook as the auto scores of the grade cells named
after the exercises (so `nbgrader export` and the formgrader show them), with each submission's time
from its timestamp.txt as stock nbgrader records it (due dates, late penalties), and into a JSON
report. A broken notebook costs only its student.
"""

from __future__ import annotations

import contextlib
import datetime
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from grader.engine import registry
from grader.engine.classroom import grade_class, junk
from grader.engine.examples import grading_plan
from grader.engine.inputs import Inputs
from grader.engine.grading import GradingOptions
from grader.integrations.autograded import write_autograded
from grader.integrations.release import nbgrader_environment
from grader.isolation.cells import cell_source, nbgrader_meta, read_cells
from grader.isolation.sources import unreadable


class CourseError(ValueError):
    """The course folder or the assignment cannot be graded (one line for the user)."""


def notebook_problems(cells: list[dict], reference: list[dict] | None) -> list[str]:
    """What is wrong with a submitted notebook's structure, compared with the released one."""
    problems = []
    ids = [nbgrader_meta(c).get("grade_id") for c in cells if nbgrader_meta(c).get("grade_id")]
    for grade_id in dict.fromkeys(i for i in ids if ids.count(i) > 1):
        problems.append(f"cell {grade_id!r} appears {ids.count(grade_id)} times (a copied cell?); "
                        "every copy of a solution cell runs, in order")
    if reference is None:
        return problems
    for ref in reference:
        meta = nbgrader_meta(ref)
        if not meta.get("grade_id"):
            continue
        matching = [c for c in cells if nbgrader_meta(c).get("grade_id") == meta["grade_id"]]
        if not matching:
            problems.append(f"cell {meta['grade_id']!r} was deleted")
        elif meta.get("grade") and not meta.get("solution") and ref.get("cell_type") == "code" \
                and any(cell_source(c).strip() != cell_source(ref).strip() for c in matching):
            problems.append(f"the test cell {meta['grade_id']!r} was edited (ignored: test cells are never graded)")
    return problems


def prepare_student(folder: Path, notebooks: list[Path], references: dict[str, list[dict]], out: Path) -> list[str]:
    """Copies each readable notebook into `out`; returns the messages for the student."""
    messages = []
    out.mkdir(parents=True)
    for path in notebooks:
        try:
            cells = read_cells(path)
        except (OSError, ValueError):
            messages.append(unreadable(path, path.name) or f"{path.name} could not be read")
            # Graded all the same: the engine names it for each exercise not found, as `check` does.
            shutil.copyfile(path, out / path.name)
            continue
        reference = references.get(path.stem)
        if reference is None and references:
            expected = ", ".join(f"{name}.ipynb" for name in sorted(references))
            messages.append(f"{path.name} is not a notebook of this assignment ({expected}): no cells compared")
        messages += [f"{path.name}: {p}" for p in notebook_problems(cells, reference)]
        shutil.copyfile(path, out / path.name)
    if not notebooks:
        messages.append(f"no notebook in {folder}")
    return messages


def submission_time(folder: Path) -> tuple[datetime.datetime | None, str | None]:
    """(time, message) from the folder's timestamp.txt, read as stock `nbgrader autograde` reads it
    (CourseDirectory.get_existing_timestamp): stripped, empty meaning none, parsed by nbgrader's own
    parse_utc into naive UTC, the form its gradebook keeps. Where nbgrader would stop the whole run on
    a time it cannot read, the student gets a message and no time."""
    from nbgrader.utils import parse_utc  # noqa: PLC0415

    path = folder / "timestamp.txt"
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"timestamp.txt could not be read ({exc}): no submission time recorded"
    if not text:
        return None, "timestamp.txt is empty: no submission time recorded"
    try:
        return parse_utc(text), None
    except (ValueError, OverflowError):
        return None, f"timestamp.txt holds {text[:60]!r}, not a time: no submission time recorded"


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


_CREATE_GRADEBOOK = "import sys\nfrom nbgrader.api import Gradebook\nGradebook(sys.argv[1]).close()"


@contextlib.contextmanager
def _gradebook(course: Path):
    from nbgrader.api import Gradebook  # noqa: PLC0415

    url = f"sqlite:///{course / 'gradebook.db'}"
    if not (course / "gradebook.db").exists():
        # nbgrader runs the `alembic` command by name when it creates a gradebook: create it in a child
        # process whose PATH has it, rather than change this process's environment.
        done = subprocess.run([sys.executable, "-c", _CREATE_GRADEBOOK, url], capture_output=True, text=True,
                              env=nbgrader_environment())
        if done.returncode != 0:
            raise CourseError(f"could not create {course / 'gradebook.db'}: {done.stderr.strip().splitlines()[-1:]}")
    with Gradebook(url) as gradebook:
        yield gradebook


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


def record_scores(course: Path, topic: str, exercises, results, *, submissions=(), messages=None,
                  times=None) -> None:
    """Writes every exercise score as the auto score of its grade cell, creating what is missing, each
    submission's time (`times`, by student, as submission_time reads them; nbgrader computes lateness
    from it), and the autograded notebooks of `submissions` ((student, folder) pairs, as results)."""
    from nbgrader.api import Grade, MissingEntry  # noqa: PLC0415

    with _gradebook(course) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush warnings about nbgrader's own objects
        where = _grade_cells(gradebook, topic, exercises)
        for result in results:
            gradebook.update_or_create_student(result.id)
            submitted_at = (times or {}).get(result.id)
            # As nbgrader autograde: a time when there is one, else the submission's earlier one kept.
            gradebook.update_or_create_submission(topic, result.id,
                                                  **({"timestamp": submitted_at} if submitted_at else {}))
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


def check_course(course: Path, topic: str) -> None:
    """CourseError unless `course` is a course folder with submissions of the topic `topic`."""
    if not course.is_dir():
        raise CourseError(f"--course {str(course)!r} is not a folder")
    if topic not in registry.topics():
        raise CourseError(f"--assignment {topic!r} is not a topic (topics: {', '.join(registry.topics())})")
    submissions(course, topic)


def submissions(course: Path, topic: str) -> list[tuple[str, Path]]:
    submitted = course / "submitted"
    if not submitted.is_dir():
        raise CourseError(f"{course} has no submitted/ folder (is it an nbgrader course directory?)")
    found = sorted((p.name, p / topic) for p in submitted.iterdir()
                   if p.is_dir() and not junk(p.name) and (p / topic).is_dir())
    if not found:
        raise CourseError(f"no submissions of {topic!r} in {submitted} (expected submitted/<student>/{topic}/)")
    return found


def autograde_course(course: Path, topic: str, *, inputs: Inputs, jobs: int = 1,
                     timeout: float = GradingOptions.timeout, on_done=lambda result, seconds: None):
    """Grades every submission of `topic` on `inputs`; returns (exercises, results, messages by student)."""
    exercises = registry.select([topic])
    found = submissions(course, topic)
    references = released_notebooks(course, topic)
    messages, times = {}, {}
    with tempfile.TemporaryDirectory(prefix="dlgrade-course-") as scratch:
        folders = []
        for student, folder in found:
            out = Path(scratch) / student
            messages[student] = prepare_student(folder, sorted(folder.glob("*.ipynb")), references, out)
            times[student], problem = submission_time(folder)
            messages[student] += [problem] if problem else []
            folders.append(out)
        # Never a plan from among the students' files (submitted/, and autograded/ where they are copied).
        plan = grading_plan(exercises, inputs=inputs, avoid=[course / "submitted", course / "autograded"])
        results = grade_class(folders, plan, options=GradingOptions(timeout=timeout), jobs=jobs, on_done=on_done)
    record_scores(course, topic, exercises, results, submissions=found, messages=messages, times=times)
    return exercises, results, messages
