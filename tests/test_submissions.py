"""How a submission is read (docs/submissions.md), replayed as students and instructors meet it: stubs
beside implementations, broken notebook cells, helper cells, large files, junk folders, slow imports."""

from __future__ import annotations

import functools
import json
import shutil
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.engine import compare, registry
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.integrations.release import source_notebook
from tests.catalogue import PROJECT

SOLUTION = (PROJECT / "solutions" / "softmax.py").read_text()
STUB = (PROJECT / "exercises" / "softmax.py").read_text()
RELEASED = PROJECT / "releases" / "softmax" / "softmax.ipynb"
WRONG = "import numpy as np\n\n\ndef softmax(x):\n    return np.exp(x) / np.exp(x).sum()\n"
OPTIONS = GradingOptions(timeout=60)


@functools.cache
def _plan(*names: str):
    return make_plan([registry.exercise(n) for n in names], include_hidden=True)


def _grade(folder: Path, *names: str, options=OPTIONS):
    result = grade_submission(folder, _plan(*(names or ("softmax",))), submission_id=folder.name, options=options)
    return {e.name: e for e in result.exercises}


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def sub(tmp_path) -> Path:
    """A submission folder as students hand them in (pytest's own tmp_path is private to its owner)."""
    folder = tmp_path / "student"
    folder.mkdir()
    return folder


def _full(result) -> bool:
    return result.full_marks and result.score == registry.exercise(result.name).max_points(include_hidden=True)


# 1. Several definitions of one exercise -------------------------------------------------------------


def test_a_stub_copy_in_a_subfolder_never_shadows_the_implementation(sub):
    result = _grade(_write(sub, {"softmax.py": SOLUTION, "old/softmax.py": STUB}))["softmax"]
    assert _full(result), result
    assert result.source == "softmax.py, line 6"
    assert "old/softmax.py, line 6 (a stub)" in result.message


def test_a_stub_at_the_top_never_shadows_an_implementation_below(sub):
    result = _grade(_write(sub, {"softmax.py": STUB, "work/softmax.py": SOLUTION}))["softmax"]
    assert _full(result) and result.source == "work/softmax.py, line 6"


def test_the_untouched_released_notebook_never_shadows_a_py_file(sub):
    shutil.copy(RELEASED, sub / "softmax.ipynb")
    result = _grade(_write(sub, {"my_softmax.py": SOLUTION}))["softmax"]
    assert _full(result) and result.source == "my_softmax.py, line 6"
    assert "softmax.ipynb, cell 3, line 4 (a stub)" in result.message


@pytest.mark.parametrize("stub_body", ["    pass\n", "    ...\n", "    '''Todo.'''\n",
                                       "    N = x.shape[0]\n    raise NotImplementedError\n"])
def test_every_kind_of_stub_is_recognised(sub, stub_body):
    files = {"a/softmax.py": "def softmax(x):\n" + stub_body, "b/c/softmax.py": SOLUTION}
    assert _full(_grade(_write(sub, files))["softmax"])


# The CS231n starter of softmax_loss_naive, as handed out: placeholders around `pass`.
CS231N_STARTER = """import numpy as np


def softmax_loss_naive(W, X, y, reg):
    \"\"\"Softmax loss function, naive implementation (with loops).\"\"\"
    # Initialize the loss and gradient to zero.
    loss = 0.0
    dW = np.zeros_like(W)

    #############################################################################
    # TODO: Compute the softmax loss and its gradient using explicit loops.     #
    #############################################################################
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    return loss, dW
"""


def test_an_untouched_cs231n_starter_never_shadows_an_implementation(sub):
    files = {"softmax.py": CS231N_STARTER, "cs231n/classifiers/softmax.py": SOLUTION}
    result = _grade(_write(sub, files), "softmax_loss_naive")["softmax_loss_naive"]
    assert _full(result) and result.source == "cs231n/classifiers/softmax.py, line 25", result.source
    assert "softmax.py, line 4 (a stub)" in result.message


def test_an_implementation_that_kept_the_starters_pass_is_not_a_stub(sub):
    """Students often write their code above the starter's `pass` and leave it there."""
    kept = SOLUTION.replace("    return loss, dW\n    ### END SOLUTION\n\n\ndef softmax_loss_vectorized",
                            "    pass\n    return loss, dW\n    ### END SOLUTION\n\n\ndef softmax_loss_vectorized")
    assert kept != SOLUTION
    files = {"softmax.py": kept, "old/softmax.py": CS231N_STARTER}
    result = _grade(_write(sub, files), "softmax_loss_naive")["softmax_loss_naive"]
    assert _full(result) and result.source.startswith("softmax.py, line "), result.source


def test_a_link_to_a_file_outside_the_submission_is_not_read_and_is_named(sub, tmp_path):
    """softmax.py -> the instructor's solutions (or /etc/passwd): never read, never graded; a link
    inside the submission is followed as usual."""
    (tmp_path / "instructor").mkdir()
    (tmp_path / "instructor" / "softmax.py").write_text(SOLUTION)
    (sub / "softmax.py").symlink_to(tmp_path / "instructor" / "softmax.py")
    result = _grade(sub)["softmax"]
    assert result.status == "error" and result.score == 0
    assert "not read: softmax.py (a link to a file outside the submission)" in result.message, result.message

    inside = sub.parent / "inside"
    _write(inside, {"impl/real.py": SOLUTION})
    (inside / "softmax.py").symlink_to("impl/real.py")
    assert _full(_grade(inside)["softmax"])


def test_a_submodule_named_like_an_exercise_is_not_a_definition(sub):
    """cs231n/classifiers/softmax.py makes `softmax` an attribute of cs231n.classifiers: the module,
    not a value that shadows the function, and never graded as one."""
    _write(sub, {"cs231n/__init__.py": "", "cs231n/classifiers/__init__.py": "",
                 "cs231n/classifiers/softmax.py": SOLUTION})
    result = _grade(sub)["softmax"]
    assert _full(result) and result.message == "", result.message
    assert result.source.startswith("cs231n/classifiers/softmax.py, line ")

    only_module = sub.parent / "only_module"
    _write(only_module, {"cs231n/__init__.py": "", "cs231n/classifiers/__init__.py": "",
                         "cs231n/classifiers/softmax.py": "import numpy as np\n"})
    result = _grade(only_module)["softmax"]
    assert result.status == "missing" and result.message == "softmax is not defined in the submission"


def test_check_from_a_checkout_says_which_file_it_graded(sub):
    """`dlgrade check softmax` where exercises/, solutions/ and releases/ all live."""
    shutil.copytree(PROJECT / "releases" / "softmax", sub / "releases" / "softmax")
    _write(sub, {"exercises/softmax.py": STUB, "solutions/softmax.py": SOLUTION})
    outcome = CliRunner().invoke(main, ["check", "softmax", "--path", str(sub)])
    assert "[PASS] softmax " in outcome.output, outcome.output
    assert "graded solutions/softmax.py, line 6; not graded: exercises/softmax.py, line 6 (a stub)" in outcome.output


def test_of_two_implementations_the_shallowest_is_graded_and_named_in_the_table(tmp_path):
    class_dir = tmp_path / "class"
    _write(class_dir / "ann", {"softmax.py": WRONG, "backup/softmax.py": SOLUTION})
    report = tmp_path / "r.json"
    outcome = CliRunner().invoke(main, ["autograde", str(class_dir), "--only", "softmax", "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output
    assert "ann: softmax: graded softmax.py, line 4; not graded: backup/softmax.py, line 6" in outcome.output
    exercise = json.loads(report.read_text())["submissions"][0]["exercises"][0]
    assert exercise["source"] == "softmax.py, line 4" and exercise["score"] < exercise["max_score"]


# 2, 3, 18. Notebooks: cell by cell, helper cells, locations named by cell ----------------------------


def _solved_notebook() -> nbformat.NotebookNode:
    return nbformat.reads(source_notebook("softmax"), as_version=4)


def _cell(notebook, cell_id: str):
    return next(c for c in notebook.cells if c.get("id") == cell_id)


def test_a_syntax_error_in_one_cell_costs_only_what_that_cell_defines(sub):
    notebook = _solved_notebook()
    broken = _cell(notebook, "softmax_loss-solution")
    broken.source = broken.source.replace("def softmax_loss(x, y):", "def softmax_loss(x, y)")
    position = notebook.cells.index(broken) + 1
    nbformat.write(notebook, sub / "softmax.ipynb")
    results = _grade(sub, "softmax", "softmax_loss_vectorized", "softmax_loss")
    assert _full(results["softmax"]) and _full(results["softmax_loss_vectorized"])
    assert results["softmax_loss"].status == "error" and results["softmax_loss"].score == 0
    assert f"softmax.ipynb, cell {position}, line " in results["softmax_loss"].message, results["softmax_loss"].message
    assert "SyntaxError" in results["softmax_loss"].message


@pytest.mark.parametrize("name", ["softmax.py", "softmax.ipynb"])
def test_a_file_saved_with_a_byte_order_mark_is_graded(sub, name):
    """Windows editors (Notepad) save UTF-8 with a BOM; Python runs such a file, so must we."""
    text = SOLUTION if name.endswith(".py") else nbformat.writes(_solved_notebook())
    (sub / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    results = _grade(sub, "softmax", "softmax_loss")
    assert _full(results["softmax"]) and _full(results["softmax_loss"]), results


def test_a_cell_that_hangs_costs_only_what_it_defines(sub):
    notebook = _solved_notebook()
    cell = _cell(notebook, "softmax_loss-solution")
    cell.source = "while True:\n    pass\n" + cell.source
    nbformat.write(notebook, sub / "softmax.ipynb")
    results = _grade(sub, "softmax", "softmax_loss", options=GradingOptions(timeout=10, import_timeout=10))
    assert _full(results["softmax"])
    assert results["softmax_loss"].status == "error", results["softmax_loss"]
    assert f"softmax.ipynb, cell {notebook.cells.index(cell) + 1} failed to run" in results["softmax_loss"].message
    assert "took longer than the time limit (10 s)" in results["softmax_loss"].message


def test_runtime_errors_name_the_notebook_cell_and_its_line(sub):
    notebook = _solved_notebook()
    cell = _cell(notebook, "softmax-solution")
    cell.source = "import numpy as np\n\ndef softmax(x):\n    raise ValueError('boom')\n"
    nbformat.write(notebook, sub / "softmax.ipynb")
    result = _grade(sub)["softmax"]
    messages = " ".join(c.message for c in result.checks)
    assert f"ValueError: boom (softmax.ipynb, cell {notebook.cells.index(cell) + 1}, line 4)" in messages, messages


def test_a_helper_in_another_cell_is_graded_as_the_notebook_runs(sub):
    notebook = _solved_notebook()
    cell = _cell(notebook, "softmax-solution")
    helper = nbformat.v4.new_code_cell("SHIFT_AXIS = 1\n\ndef _shift(x):\n    return x - x.max(axis=SHIFT_AXIS, keepdims=True)")
    notebook.cells.insert(notebook.cells.index(cell), helper)
    cell.source = "import numpy as np\n\ndef softmax(x):\n    e = np.exp(_shift(x))\n    return e / e.sum(axis=1, keepdims=True)\n"
    nbformat.write(notebook, sub / "softmax.ipynb")
    assert _full(_grade(sub)["softmax"])


def test_a_notebook_with_large_outputs_is_read_by_its_code_cells(sub):
    notebook = _solved_notebook()
    plot = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" * 700_000}}
    _cell(notebook, "softmax-solution").outputs = [nbformat.from_dict(plot)]
    nbformat.write(notebook, sub / "softmax.ipynb")
    assert (sub / "softmax.ipynb").stat().st_size > 6 * 2**20
    assert _full(_grade(sub)["softmax"])


def test_a_py_file_past_the_size_limit_is_an_error_naming_it_and_the_limit(sub):
    _write(sub, {"softmax.py": SOLUTION + ("#" * 100 + "\n") * (6 * 2**20 // 101)})
    result = _grade(sub)["softmax"]
    assert result.status == "error" and result.score == 0
    assert "softmax.py (6.0 MiB, more than the 5 MiB limit for a source file)" in result.message, result.message


# 6. Junk folders and stray files ---------------------------------------------------------------------


def test_junk_folders_are_neither_students_nor_code(tmp_path):
    class_dir = tmp_path / "class"
    _write(class_dir, {"ann/softmax.py": SOLUTION, "ann/__MACOSX/._softmax.py": "\x00\x05\x16\x07 binary",
                       "ann/__MACOSX/softmax.py": STUB, "__MACOSX/ann/._softmax.py": "junk",
                       ".DS_Store/x.py": "junk", "grades.xlsx": "stray", "notes.txt": "stray"})
    report = tmp_path / "r.json"
    outcome = CliRunner().invoke(main, ["autograde", str(class_dir), "--only", "softmax",
                                            "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output + outcome.stderr
    submissions = json.loads(report.read_text())["submissions"]
    assert [s["id"] for s in submissions] == ["ann"]
    exercise = submissions[0]["exercises"][0]
    assert exercise["score"] == exercise["max_score"] and "message" not in exercise
    assert "2 file(s) outside the student folders are not graded: grades.xlsx, notes.txt" in outcome.stderr


# Files that cannot be read, and archives: one message on every path ------------------------------------

NOT_GRADED = "nothing in it was graded"
UNREADABLE = {  # name, bytes, what every path says about it
    "notebook_not_json": ("softmax.ipynb", b'{"cells": [',
                          "softmax.ipynb is not valid JSON (line 1, column 12): was it edited outside Jupyter?"),
    "notebook_without_cells": ("softmax.ipynb", b'{"nbformat": 4}', "softmax.ipynb is not a Jupyter notebook"),
    "binary_py": ("softmax.py", b"def softmax(x):\x00\x01\x02", "softmax.py is a binary file, not Python source"),
    "utf16_py": ("softmax.py", SOLUTION.encode("utf-16"), "softmax.py is saved as UTF-16"),
    "latin1_py": ("softmax.py", ("# \xe9t\xe9\n" + SOLUTION).encode("latin-1"), "softmax.py is not UTF-8 text (byte 0xe9"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_unreadable_file_gets_one_message_on_every_path(case, tmp_path):
    """check, autograde DIR, Gradescope and --course each say why nothing of it was graded, in the
    same words (it used to be "not defined in the submission" on the first two)."""
    from grader.integrations import course_grading, gradescope

    name, data, said = UNREADABLE[case]
    class_dir = tmp_path / "class"
    (class_dir / "bob").mkdir(parents=True)
    (class_dir / "bob" / name).write_bytes(data)

    checked = CliRunner().invoke(main, ["check", "softmax", "--path", str(class_dir / "bob"),
                                        "--json", str(tmp_path / "check.json")])
    assert checked.exit_code == 1 and said in checked.output and NOT_GRADED in checked.output, checked.output
    autograded = CliRunner().invoke(main, ["autograde", str(class_dir), "--only", "softmax",
                                           "--json", str(tmp_path / "class.json")])
    assert autograded.exit_code == 0, autograded.output
    for report in ("check.json", "class.json"):
        for exercise in json.loads((tmp_path / report).read_text())["submissions"][0]["exercises"]:
            assert exercise["status"] == "error" and exercise["score"] == 0, exercise
            assert said in exercise["message"] and NOT_GRADED in exercise["message"], exercise["message"]

    results = gradescope.grade(class_dir / "bob", ["softmax"])
    assert results["score"] == 0 and said in results["output"] and NOT_GRADED in results["output"], results["output"]
    assert all(said in test["output"] for test in results["tests"])
    if name.endswith(".ipynb"):
        messages = course_grading.prepare_student(class_dir / "bob", [class_dir / "bob" / name], {}, tmp_path / "copy")
        assert len(messages) == 1 and said in messages[0] and NOT_GRADED in messages[0], messages


def test_exercises_not_found_among_many_broken_files_cost_work_linear_in_the_files(sub, monkeypatch):
    """Each exercise not found is explained from the import errors; finding each error's file must not
    search every file again (20,000 broken files took minutes on the grading side)."""
    from grader.engine import statics

    files = 300
    _write(sub, {f"gen/m{i:03d}.py": "def broken(:\n" for i in range(files)})
    lookups = []
    real_unit_key = statics.unit_key

    def counted_unit_key(module, label):
        lookups.append(module)
        return real_unit_key(module, label)

    monkeypatch.setattr(statics, "unit_key", counted_unit_key)
    results = _grade(sub, "softmax", "softmax_loss")
    assert all(r.status == "missing" and r.score == 0 for r in results.values()), results
    assert len(lookups) <= 2 * files, len(lookups)


def _zip(path: Path, files: dict[str, str]) -> Path:
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_a_zip_in_a_students_folder_is_named_as_not_unpacked(tmp_path):
    """class/bob/submission.zip: never unpacked (paths outside, links, bombs), but said plainly; a
    zip of data beside the code is not a reason to mention it."""
    class_dir = tmp_path / "class"
    _zip(class_dir / "bob" / "submission.zip", {"bob/softmax.py": SOLUTION, "__MACOSX/bob/._softmax.py": "x"})
    _zip(class_dir / "ann" / "data" / "cifar.zip", {"data_batch_1": "pixels"})
    _write(class_dir / "ann", {"softmax.py": SOLUTION})
    report = tmp_path / "r.json"
    outcome = CliRunner().invoke(main, ["autograde", str(class_dir), "--only", "softmax", "--json", str(report)])
    assert outcome.exit_code == 0, outcome.output
    assert "warning: 1 archive(s) in student folders are not unpacked, so nothing in them is graded: " \
           "bob/submission.zip" in outcome.stderr
    ann, bob = ({e["name"]: e for e in s["exercises"]}["softmax"] for s in json.loads(report.read_text())["submissions"])
    assert ann["score"] == ann["max_score"] and "message" not in ann
    assert bob["status"] == "error" and bob["score"] == 0
    assert "submission.zip is a zip archive: archives are not unpacked, so nothing in it was graded" in bob["message"]


# 8. Import time is not exercise time -----------------------------------------------------------------


def test_a_slow_import_does_not_count_against_the_exercise_time_limit(sub):
    _write(sub, {"softmax.py": "import time\ntime.sleep(3)\n" + SOLUTION})
    started = time.monotonic()
    result = _grade(sub, options=GradingOptions(timeout=2))["softmax"]
    assert _full(result), result
    assert time.monotonic() - started > 3


# 10, 19. Feedback text -------------------------------------------------------------------------------


def test_feedback_prints_the_digits_that_differ():
    failure = compare.mismatch("loss", 18.0000216, 18.0)
    assert failure.summary.startswith("loss: expected 18.0, got 18.00002 (error 2.16e-05")
    assert compare.mismatch("loss", 1.5, 1.0).summary.startswith("loss: expected 1.0, got 1.5 ")


def test_a_backward_through_a_raising_forward_blames_the_forward(sub):
    solution = (PROJECT / "solutions" / "backprop.py").read_text()
    broken = solution.replace("def affine_relu_forward(x, w, b):", textwrap.dedent("""\
        def affine_relu_forward(x, w, b):
            raise ValueError("forward boom")


        def _unused_affine_relu_forward(x, w, b):"""))
    _write(sub, {"backprop.py": broken})
    result = _grade(sub, "affine_relu_backward")["affine_relu_backward"]
    messages = " ".join(c.message for c in result.checks)
    assert result.score == 0
    line = broken.splitlines().index('    raise ValueError("forward boom")') + 1
    assert f"your affine_relu_forward raised ValueError: forward boom (backprop.py, line {line})" in messages, messages
