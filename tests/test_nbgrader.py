"""dlgrade's assignments are real nbgrader assignments: built by `dlgrade release`, graded end to end by
the real nbgrader in a real kernel, and gradable through the isolated engine (`dlgrade autograde
--course`). The structural tests cover every topic; the end-to-end runs use the `softmax` topic."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.engine import registry
from grader.cli import main
from grader.integrations.release import RELEASES, SOLUTIONS, build_course, nbgrader_environment, source_notebook, release_topics
from grader.integrations.stubs import BEGIN, END, make_stub

TOPICS = release_topics()
TOPIC = "softmax"
FULL = registry.select([TOPIC])
FULL_MARKS = sum(ex.max_points(include_hidden=True) for ex in FULL)
# A realistic mistake: the data gradient of the vectorized loss is not averaged over the batch.
CORRECT_DW = "dW = X.T.dot(dscores) / num_train + 2 * reg * W"
MISTAKEN_DW = "dW = X.T.dot(dscores) + 2 * reg * W"
CHEAT = {  # every comparison "passes" in the process that runs this, and every function is wrong
    "softmax": '''import numpy as np
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.isfinite = lambda x, *args, **kwargs: np.ones(np.shape(x), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None

def softmax(x):
    x[...] = np.nan
    return x''',
    "softmax_loss_naive": "def softmax_loss_naive(W, X, y, reg):\n    W[...] = np.nan\n    return float('nan'), W",
    "softmax_loss_vectorized": "def softmax_loss_vectorized(W, X, y, reg):\n    W[...] = np.nan\n    return float('nan'), W",
    "softmax_loss": "def softmax_loss(x, y):\n    x[...] = np.nan\n    return float('nan'), x",
}


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"], cwd=course,
                          capture_output=True, text=True, env=nbgrader_environment(), timeout=1800)


def _solution_lines(topic: str) -> set[str]:
    """The code lines of the topic's solution regions that the stub does not have."""
    source = (SOLUTIONS / f"{topic}.py").read_text()
    stub_lines = {line.strip() for line in make_stub(source).splitlines()}
    inside, found = False, set()
    for line in source.splitlines():
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif inside and line.strip() and not line.strip().startswith("#") and line.strip() not in stub_lines:
            found.add(line.strip())
    return found


# Structure, every topic ----------------------------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS)
def test_source_notebook_has_contract_solution_and_graded_test_cell_per_exercise(topic):
    cells = nbformat.reads(source_notebook(topic), as_version=4).cells
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in cells}
    for exercise in registry.select([topic]):
        solution, test = by_id[f"{exercise.name}_solution"], by_id[exercise.name]
        assert solution.metadata.nbgrader["solution"] and BEGIN in solution.source and END in solution.source
        assert f"def {exercise.name}(" in solution.source or f"class {exercise.name}" in solution.source
        assert test.metadata.nbgrader["grade"] and test.metadata.nbgrader["locked"]
        assert test.metadata.nbgrader["points"] == exercise.max_points(include_hidden=True)
        assert f"grade_cell({exercise.name!r}, globals()" in test.source
        if any(c.hidden for _, c in exercise.checks(include_hidden=True)):
            assert "### BEGIN HIDDEN TESTS" in test.source
        assert by_id[f"{exercise.name}_contract"].cell_type == "markdown"


@pytest.mark.parametrize("topic", TOPICS)
def test_release_holds_no_solution(topic):
    released = sorted((RELEASES / topic).glob("*")) if (RELEASES / topic).is_dir() else []
    assert [p.name for p in released] == [f"{topic}.ipynb"], "releases/ is stale: run `dlgrade release`"
    cells = nbformat.read(released[0], as_version=4).cells
    lines = {line.strip() for cell in cells for line in cell.source.splitlines()}
    assert not any(BEGIN in line or END in line for line in lines)
    leaked = _solution_lines(topic) & lines
    assert not leaked, f"solution code in releases/{topic}: {sorted(leaked)[:5]}"


def test_releases_hold_only_notebooks():
    assert all(p.suffix == ".ipynb" for p in RELEASES.rglob("*") if p.is_file())


def test_committed_releases_match_a_fresh_build(tmp_path):
    build_course(tmp_path)

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    built, committed = files(tmp_path / "release"), files(RELEASES)
    assert sorted(built) == sorted(committed), "releases/ is stale: run `dlgrade release`"
    stale = [name for name in built if built[name] != committed[name]]
    assert not stale, f"releases/ is stale ({stale}): run `dlgrade release`"


# End to end with the real nbgrader (softmax) --------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    build_course(root, [TOPIC])
    return root


def _submit(course: Path, student: str, notebook) -> Path:
    folder = course / "submitted" / student / TOPIC
    folder.mkdir(parents=True)
    path = folder / f"{TOPIC}.ipynb"
    nbformat.write(notebook, path)
    return path


def _solution_notebook(course: Path):
    return nbformat.read(course / "source" / TOPIC / f"{TOPIC}.ipynb", as_version=4)


def _release_notebook(course: Path):
    return nbformat.read(course / "release" / TOPIC / f"{TOPIC}.ipynb", as_version=4)


def _mistaken_notebook(course: Path):
    notebook = _solution_notebook(course)
    cell = next(c for c in notebook.cells if c.get("id") == "softmax_loss_vectorized-solution")
    assert CORRECT_DW in cell.source
    cell.source = cell.source.replace(CORRECT_DW, MISTAKEN_DW)
    return notebook


def _broken_cell_notebook(course: Path):
    """A syntax error in the cell of softmax_loss: stock nbgrader gives the other exercises full marks."""
    notebook = _solution_notebook(course)
    cell = next(c for c in notebook.cells if c.get("id") == "softmax_loss-solution")
    cell.source = cell.source.replace("def softmax_loss(x, y):", "def softmax_loss(x, y)")
    return notebook


def _helper_cell_notebook(course: Path):
    """softmax written with a helper and a constant from a cell the student added above it."""
    notebook = _solution_notebook(course)
    cell = next(c for c in notebook.cells if c.get("id") == "softmax-solution")
    helper = nbformat.v4.new_code_cell("AXIS = 1\n\ndef _shift(x):\n    return x - x.max(axis=AXIS, keepdims=True)")
    notebook.cells.insert(notebook.cells.index(cell), helper)
    cell.source = "import numpy as np\n\ndef softmax(x):\n    e = np.exp(_shift(x))\n    return e / e.sum(axis=AXIS, keepdims=True)"
    return notebook


def _cheating_notebook(course: Path):
    notebook = _release_notebook(course)
    for name, code in CHEAT.items():
        next(c for c in notebook.cells if c.get("id") == f"{name}-solution").source = code
    return notebook


def _gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {sub.student.id: {g.name: g.score for nb in sub.notebooks for g in nb.grades}
                for sub in gradebook.assignment_submissions(TOPIC)}


def _dlgrade_autograde(course: Path, report: Path) -> dict:
    outcome = CliRunner().invoke(main, ["autograde", "--course", str(course), "--assignment", TOPIC,
                                        "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output + repr(outcome.exception)
    return {s["id"]: s for s in json.loads(report.read_text())["submissions"]}


def test_nbgrader_autograde_and_dlgrade_autograde_agree(course, tmp_path):
    _submit(course, "alice", _solution_notebook(course))
    _submit(course, "bob", _release_notebook(course))
    _submit(course, "carol", _mistaken_notebook(course))
    _submit(course, "mallory", _cheating_notebook(course))
    _submit(course, "dave", _broken_cell_notebook(course))
    _submit(course, "erin", _helper_cell_notebook(course))

    done = _nbgrader(course, "autograde", TOPIC)
    assert done.returncode == 0, done.stderr[-3000:]
    for student in ("alice", "bob", "carol", "mallory", "dave", "erin"):
        notebook = nbformat.read(course / "autograded" / student / TOPIC / f"{TOPIC}.ipynb", as_version=4)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert not [o for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"], student
                float(cell.outputs[-1]["data"]["text/plain"])  # ends with the score, a plain float

    by_nbgrader = _gradebook_scores(course)
    full = {ex.name: ex.max_points(include_hidden=True) for ex in FULL}
    assert by_nbgrader["alice"] == full
    assert by_nbgrader["bob"] == {name: 0.0 for name in full}
    carol = by_nbgrader["carol"]
    assert 0 < carol["softmax_loss_vectorized"] < full["softmax_loss_vectorized"]
    assert {n: s for n, s in carol.items() if n != "softmax_loss_vectorized"} == \
        {n: s for n, s in full.items() if n != "softmax_loss_vectorized"}
    assert by_nbgrader["dave"] == {**full, "softmax_loss": 0.0}
    assert by_nbgrader["erin"] == full

    by_dlgrade = _dlgrade_autograde(course, tmp_path / "report.json")
    for student in ("alice", "bob", "carol", "dave", "erin"):
        assert {e["name"]: e["score"] for e in by_dlgrade[student]["exercises"]} == by_nbgrader[student], student
    dave = next(e for e in by_dlgrade["dave"]["exercises"] if e["name"] == "softmax_loss")
    assert "SyntaxError" in dave["message"] and "softmax.ipynb, cell " in dave["message"], dave
    assert by_dlgrade["mallory"]["score"] == 0.0  # the hardened path: patches stay in the worker
    assert _gradebook_scores(course)["mallory"] == {name: 0.0 for name in full}

    done = _nbgrader(course, "export", f"--to={tmp_path / 'grades.csv'}")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "grades.csv").open()) if r["assignment"] == TOPIC}
    assert {s: float(rows[s]["score"]) for s in rows} == {
        "alice": FULL_MARKS, "bob": 0.0, "carol": sum(carol.values()), "mallory": 0.0,
        "dave": FULL_MARKS - full["softmax_loss"], "erin": FULL_MARKS}
    assert all(float(r["max_score"]) == FULL_MARKS for r in rows.values())


def test_students_can_validate_their_notebook(course, tmp_path):
    path = tmp_path / "mine" / f"{TOPIC}.ipynb"
    path.parent.mkdir()
    nbformat.write(_mistaken_notebook(course), path)
    done = _nbgrader(course, "validate", str(path))
    assert "VALIDATION FAILED ON 1 CELL" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    assert "grade_cell('softmax_loss_vectorized'" in done.stdout

    (tmp_path / "done").mkdir()
    nbformat.write(_solution_notebook(course), tmp_path / "done" / f"{TOPIC}.ipynb")
    checked = CliRunner().invoke(main, ["check", TOPIC, "--path", str(tmp_path / "done")])
    assert checked.exit_code == 0, checked.output


def test_malformed_notebooks_get_a_message_and_never_stop_the_run(course, tmp_path):
    fresh = tmp_path / "course"
    shutil.copytree(course, fresh, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "gradebook.db"))
    (fresh / "submitted" / "broken" / TOPIC).mkdir(parents=True)
    (fresh / "submitted" / "broken" / TOPIC / f"{TOPIC}.ipynb").write_text('{"cells": [')
    deleted = _solution_notebook(course)
    deleted.cells = [c for c in deleted.cells if c.get("id") != "softmax-solution"]
    _submit(fresh, "deleted", deleted)
    duplicated = _solution_notebook(course)
    copy = next(c for c in duplicated.cells if c.get("id") == "softmax_loss-solution")
    duplicated.cells.append(nbformat.from_dict({**copy, "id": "copied"}))
    _submit(fresh, "duplicated", duplicated)
    edited = _solution_notebook(course)
    next(c for c in edited.cells if c.get("id") == "softmax-test").source = "4.5"
    _submit(fresh, "edited", edited)

    report = _dlgrade_autograde(fresh, tmp_path / "report.json")
    scores = {s: {e["name"]: e["score"] for e in report[s]["exercises"]} for s in report}
    full = {ex.name: ex.max_points(include_hidden=True) for ex in FULL}
    assert scores["broken"] == {name: 0.0 for name in full}
    assert "not valid JSON" in " ".join(report["broken"]["messages"])
    assert scores["deleted"] == {**full, "softmax": 0.0}
    assert "'softmax_solution' was deleted" in " ".join(report["deleted"]["messages"])
    assert scores["duplicated"] == full and "appears 2 times" in " ".join(report["duplicated"]["messages"])
    assert scores["edited"] == full and "test cell 'softmax' was edited" in " ".join(report["edited"]["messages"])
    assert _gradebook_scores(fresh) == scores  # students and assignment created in a fresh gradebook


def test_autograde_course_rejects_bad_input_with_one_line(course, tmp_path):
    for args, expected in [(["--course", str(tmp_path / "nowhere"), "--assignment", TOPIC], "is not a folder"),
                           (["--course", str(course), "--assignment", "nonsense"], "is not a topic"),
                           (["--course", str(tmp_path), "--assignment", TOPIC], "no submitted/ folder")]:
        outcome = CliRunner().invoke(main, ["autograde", *args])
        assert outcome.exit_code != 0 and expected in outcome.output, outcome.output


# Hidden checks (no topic has one yet) ---------------------------------------------------------------


def _exercise_with_a_hidden_check():
    from hypothesis import strategies as st

    from grader.engine.spec import Check, Exercise, Scenario

    checks = (Check("visible", 1.0, lambda *a: None), Check("secret", 2.0, lambda *a: None, hidden=True))
    return Exercise("double", "doubling", (Scenario("s", st.just({}), lambda e: {}, checks, returns=None),))


def test_hidden_checks_live_in_nbgraders_hidden_tests_region():
    from nbgrader.preprocessors import ClearHiddenTests

    from grader.integrations.notebooks import build_notebook

    source = '"""Doubling."""\nimport numpy as np\n\n\ndef double(x):\n    """2 x."""\n    ' \
             f'{BEGIN}\n    return 2 * x\n    {END}\n'
    notebook = build_notebook("doubling", source, [_exercise_with_a_hidden_check()])
    test = next(c for c in notebook.cells if c.get("id") == "double-test")
    assert test.metadata.nbgrader["points"] == 3.0
    assert "include_hidden = True" in test.source  # the instructor's and the autograder's version
    released, _ = ClearHiddenTests().preprocess(notebook, {})
    test = next(c for c in released.cells if c.get("id") == "double-test")
    assert "include_hidden = True" not in test.source
    assert test.source.splitlines()[-1] == "grade_cell('double', globals(), include_hidden=include_hidden)"


def test_without_hidden_checks_the_visible_score_counts_for_all_points():
    from grader.integrations.notebook_cell import cell_score
    from grader.engine.results import CheckResult, ExerciseResult

    def result(passed):
        return ExerciseResult("double", "doubling", "graded", (CheckResult("visible", passed, float(passed), 1.0, False),))

    assert cell_score(result(True), 3.0) == 3.0 and cell_score(result(False), 3.0) == 0.0
    assert cell_score(result(True), 1.0) == 1.0


def _run_in_kernel(cells: list[str]):
    """The notebook of these code cells, run top to bottom in a real kernel (errors allowed)."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True).execute()
    return notebook


def test_test_cell_grades_the_latest_run_of_each_cell_in_a_real_kernel():
    cells = ["import numpy as np\n\ndef softmax(x):\n    return x\n\nraise RuntimeError('a typo, fixed below')",
             "def _shift(x):\n    return x - x.max(axis=1, keepdims=True)",
             "def softmax(x):\n    e = np.exp(_shift(x))\n    return e / e.sum(axis=1, keepdims=True)",
             "import warnings\nwarnings.warn('students warn too')",
             "from grader.integrations.notebook_cell import grade_cell\n\ngrade_cell('softmax', globals())"]
    notebook = _run_in_kernel(cells)
    test = notebook.cells[-1]
    assert [o.output_type for o in test.outputs] == ["stream", "execute_result"], test.outputs
    assert test.outputs[0].name == "stdout" and "[PASS] softmax" in test.outputs[0].text
    assert float(test.outputs[1].data["text/plain"]) == registry.exercise("softmax").max_points(include_hidden=True)


def test_test_cell_grades_values_from_other_cells_and_names_the_kernels_cells():
    cells = ["import numpy as np\nAXIS = 1",
             "def softmax(x):\n    e = np.exp(x - x.max(axis=AXIS, keepdims=True))\n    return e / e.sum(axis=AXIS, keepdims=True)",
             "from grader.integrations.notebook_cell import grade_cell\n\ngrade_cell('softmax', globals())",
             "def softmax(x):\n    raise ValueError('boom')",
             "grade_cell('softmax', globals())"]
    notebook = _run_in_kernel(cells)
    passed, failed = notebook.cells[2], notebook.cells[4]
    assert "[PASS] softmax" in passed.outputs[0].text, passed.outputs
    assert "ValueError: boom (notebook.ipynb, cell In[4], line 2)" in failed.outputs[0].text, failed.outputs[0].text


# The hardened path's autograded notebooks (nbgrader generate_feedback, the formgrader) -----------------


def test_generate_feedback_shows_the_hardened_results(course, tmp_path):
    """After `dlgrade autograde --course`, nbgrader's own generate_feedback works and shows the hardened
    scores and feedback, never what an earlier stock run left in autograded/."""
    fresh = tmp_path / "course"
    shutil.copytree(course, fresh, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", "gradebook.db"))
    _nbgrader(fresh, "generate_assignment", TOPIC, "--force")  # a gradebook that knows the assignment's cells
    _submit(fresh, "carol", _mistaken_notebook(course))
    _submit(fresh, "mallory", _cheating_notebook(course))
    stale = fresh / "autograded" / "mallory" / TOPIC
    stale.mkdir(parents=True)
    stock = _cheating_notebook(course)  # as a stock run in mallory's kernel would have left it: all passed
    for cell in stock.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[PASS] stale stock output\n")]
    nbformat.write(stock, stale / f"{TOPIC}.ipynb")

    report = _dlgrade_autograde(fresh, tmp_path / "report.json")
    done = _nbgrader(fresh, "generate_feedback", TOPIC, "--force")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    carol = (fresh / "feedback" / "carol" / TOPIC / f"{TOPIC}.html").read_text()
    mallory = (fresh / "feedback" / "mallory" / TOPIC / f"{TOPIC}.html").read_text()
    assert "N times too large" in carol  # the hardened feedback of the failed check
    assert 0 < report["carol"]["score"] < FULL_MARKS
    assert f"Score: {report['carol']['score']:.1f} / {FULL_MARKS:.1f}" in carol  # the notebook's total
    assert "stale stock output" not in mallory and f"Score: 0.0 / {FULL_MARKS:.1f}" in mallory
    graded = nbformat.read(fresh / "autograded" / "mallory" / TOPIC / f"{TOPIC}.ipynb", as_version=4)
    scores = [float(c.outputs[-1].data["text/plain"]) for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert scores == [0.0] * len(FULL)


# `dlgrade release --course` on an instructor's course ----------------------------------------------------


def test_release_never_overwrites_an_edited_source_notebook(course, tmp_path):
    fresh = tmp_path / "course"
    shutil.copytree(course, fresh, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    source = fresh / "source" / TOPIC / f"{TOPIC}.ipynb"
    edited = source.read_text().replace("Topic `softmax`", "Topic `softmax`, as taught in week 3")
    source.write_text(edited)
    refused = CliRunner().invoke(main, ["release", "--course", str(fresh), TOPIC])
    assert refused.exit_code == 2 and "changed since dlgrade wrote it" in refused.output and "--force" in refused.output
    assert source.read_text() == edited
    forced = CliRunner().invoke(main, ["release", "--course", str(fresh), TOPIC, "--force"])
    assert forced.exit_code == 0, forced.output
    assert source.read_text() == source_notebook(TOPIC)
    assert "Released 1 topic(s): softmax" in forced.output and "releases/: 0 file(s) changed" in forced.output


def test_release_takes_the_course_id_from_the_config_or_the_command_line(tmp_path):
    from grader.integrations.release import write_config

    assert write_config(tmp_path, "dl-2026") == "dl-2026"
    assert 'course_id = "dl-2026"' in (tmp_path / "nbgrader_config.py").read_text().replace("'", '"')
    assert write_config(tmp_path, None) == "dl-2026"  # an existing config's course id wins
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'ml101'\n")
    outcome = CliRunner().invoke(main, ["release", "--course", str(tmp_path), "--course-id", "other", TOPIC])
    assert outcome.exit_code == 2 and "sets the course id 'ml101', not 'other'" in outcome.output
    unknown = CliRunner().invoke(main, ["release", "--course", str(tmp_path), "softmx"])
    assert unknown.exit_code == 2 and "did you mean softmax" in unknown.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbgrader_config.py"]  # nothing built


def _fresh_course(course: Path, folder: Path) -> Path:
    """The course without submissions; its gradebook (which has the assignment, for stock nbgrader) kept."""
    shutil.copytree(course, folder, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    return folder


def _submission_times(course: Path) -> dict[str, object]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {sub.student.id: sub.timestamp for sub in gradebook.assignment_submissions(TOPIC)}


def test_submission_times_are_recorded_as_stock_nbgrader_records_them(course, tmp_path):
    """timestamp.txt (written by nbgrader submit and collect) is what due dates and late penalties
    are computed from: `autograde --course` records it in the gradebook as nbgrader autograde does."""
    times = {"tia": "2026-03-05 10:11:12.123456 UTC", "tom": "2026-03-05 23:59:30 -0500", "tim": None}
    courses = {}
    for grader in ("nbgrader", "dlgrade"):
        fresh = courses[grader] = _fresh_course(course, tmp_path / grader)
        for student, stamp in times.items():
            path = _submit(fresh, student, _solution_notebook(course))
            if stamp:
                (path.parent / "timestamp.txt").write_text(stamp + "\n")
    done = _nbgrader(courses["nbgrader"], "autograde", TOPIC)
    assert done.returncode == 0, done.stderr[-3000:]
    report = _dlgrade_autograde(courses["dlgrade"], tmp_path / "report.json")
    assert all(report[s]["score"] == FULL_MARKS for s in times)

    stock = {s: t for s, t in _submission_times(courses["nbgrader"]).items() if s in times}
    assert stock["tia"] is not None and stock["tim"] is None
    assert {s: t for s, t in _submission_times(courses["dlgrade"]).items() if s in times} == stock
    exported = {}
    for grader, fresh in courses.items():
        done = _nbgrader(fresh, "export", f"--to={tmp_path / grader}.csv")
        assert done.returncode == 0, done.stderr[-3000:]
        with open(f"{tmp_path / grader}.csv") as handle:
            exported[grader] = {r["student_id"]: r["timestamp"] for r in csv.DictReader(handle)
                                if r["assignment"] == TOPIC and r["student_id"] in times}
    assert exported["dlgrade"] == exported["nbgrader"] and exported["dlgrade"]["tom"], exported


def test_an_unreadable_timestamp_is_a_message_not_a_stop(course, tmp_path):
    fresh = _fresh_course(course, tmp_path / "course")
    path = _submit(fresh, "tess", _solution_notebook(course))
    (path.parent / "timestamp.txt").write_text("yesterday-ish\n")
    report = _dlgrade_autograde(fresh, tmp_path / "report.json")
    assert report["tess"]["score"] == FULL_MARKS
    assert any("timestamp.txt holds 'yesterday-ish', not a time" in m for m in report["tess"]["messages"])
    assert _submission_times(fresh)["tess"] is None
