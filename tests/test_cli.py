"""The command line as users meet it: exit codes, reports, and one clear line for bad input."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.engine import registry
from grader.integrations.release import source_notebook
from tests.catalogue import PROJECT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, cwd=PROJECT)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Two students: one with the reference softmax, one with the stubs."""
    root = tmp_path_factory.mktemp("class")
    shutil.copy(PROJECT / "solutions" / "softmax.py", (root / "ann").mkdir() or root / "ann" / "softmax.py")
    shutil.copy(PROJECT / "exercises" / "softmax.py", (root / "ben").mkdir() or root / "ben" / "softmax.py")
    return root


def test_list_names_every_exercise_by_topic():
    result = CliRunner().invoke(main, ["list", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert {"softmax", "softmax_loss_naive", "softmax_loss_vectorized", "softmax_loss"} <= {e["name"] for e in listed}
    assert all(e["max_score"] == sum(c["points"] for c in e["checks"]) for e in listed)


def test_check_exits_zero_only_when_everything_passes(klass):
    passed = run("check", "softmax", "--path", str(klass / "ann"))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "[PASS] softmax_loss_vectorized" in passed.stdout
    failed = run("check", "softmax_loss", "--path", str(klass / "ben"))
    assert failed.returncode == 1
    assert "not implemented yet (raise NotImplementedError at softmax.py:" in failed.stdout
    assert "Total: 0/5.5" in failed.stdout


def test_check_writes_the_json_report_with_one_submission(klass, tmp_path):
    out = tmp_path / "me.json"
    result = CliRunner().invoke(main, ["check", "softmax", "--path", str(klass / "ann"), "--json", str(out)])
    assert result.exit_code == 0
    report = json.loads(out.read_text())
    assert report["max_score"] == report["submissions"][0]["score"] == 23.0


def test_autograde_reports_json_and_csv(klass, tmp_path):
    json_out, csv_out = tmp_path / "r.json", tmp_path / "r.csv"
    result = run("autograde", str(klass), "--only", "softmax", "--json", str(json_out), "--csv", str(csv_out),
                 "--jobs", "2")
    assert result.returncode == 0, result.stderr
    report = json.loads(json_out.read_text())
    assert set(report) == {"max_score", "sandbox", "inputs", "key_id", "submissions"}
    assert report["sandbox"] in ("none", "landlock", "namespaces", "namespaces+landlock")
    assert report["inputs"] == "secret" and len(report["key_id"]) == 12
    ann, ben = report["submissions"]
    assert (ann["id"], ann["score"], ann["max_score"]) == ("ann", 23.0, 23.0)
    assert (ben["id"], ben["score"]) == ("ben", 0.0)
    exercise = ann["exercises"][0]
    assert {"name", "topic", "score", "max_score", "status", "checks"} <= set(exercise)
    assert set(exercise["checks"][0]) == {"name", "passed", "points", "max_points", "hidden", "message"}
    rows = list(csv.DictReader(csv_out.open()))
    assert [r["student"] for r in rows] == ["ann", "ben"]
    assert rows[0]["softmax_loss_vectorized"] == "7" and rows[1]["score"] == "0"
    assert "ann" in result.stdout and "23/23" in result.stdout


@pytest.mark.parametrize("args, text", [
    (["check", "--path", "/no/such/folder"], "is not a folder"),
    (["check", "no_such_exercise"], "unknown exercise or topic: no_such_exercise"),
    (["autograde", "/no/such/folder"], "is not a folder"),
    (["autograde"], "give SUBMISSIONS_DIR"),
    (["autograde", ".", "--jobs", "0"], "--jobs"),
    (["check", "softmx"], "did you mean softmax"),
    (["check", "batchnorm_fowrard"], "did you mean batchnorm_forward"),
    (["check", "svm:softmax"], "unknown exercise or topic: svm:softmax"),
    (["autograde", ".", "--course", "."], "not both"),
    (["check", "--path", "pyproject.toml"], "neither a folder nor a .py or .ipynb file"),
    (["release", "--course", "/no/such/dlgrade-course", "nosuchtopic"], "no topic 'nosuchtopic' to release"),
])
def test_bad_command_lines_get_one_clear_line_and_no_traceback(args, text):
    result = run(*args)
    assert result.returncode == 2
    assert text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_wrong_exercise_name_is_the_only_line_before_any_warning(tmp_path):
    """Not the warning about a stray zip (or the sandbox) first, then the error."""
    (tmp_path / "ann").mkdir()
    (tmp_path / "zoe.zip").write_bytes(b"PK")
    result = run("autograde", str(tmp_path), "--only", "nosuchtopic")
    assert result.returncode == 2 and "unknown exercise or topic: nosuchtopic" in result.stderr
    assert "warning" not in result.stderr and "zoe.zip" not in result.stderr, result.stderr


def test_report_names_each_file_it_wrote_for_what_it_is(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"max_score": 1.0, "submissions": [
        {"id": "ann", "score": 1.0, "max_score": 1.0, "exercises": []}]}))
    summary, page = tmp_path / "s.json", tmp_path / "c.html"
    result = CliRunner().invoke(main, ["report", str(report), "--summary-json", str(summary)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Class summary (JSON): {summary}" and "Class report" not in result.output
    result = CliRunner().invoke(main, ["report", str(report), "--html", str(page), "--summary-json", str(summary)])
    assert result.output.splitlines() == [f"Class report: {page}", f"Class summary (JSON): {summary}"]


def test_check_of_a_zip_or_a_folder_holding_only_one_says_it_is_not_unpacked(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "submission.zip", "w") as archive:
        archive.writestr("softmax.py", (PROJECT / "solutions" / "softmax.py").read_text())
    result = run("check", "--path", str(tmp_path))
    assert result.returncode == 2
    assert "(submission.zip: archives are not unpacked; unpack them first)" in result.stderr, result.stderr
    result = run("check", "--path", str(tmp_path / "submission.zip"))
    assert result.returncode == 2 and "is an archive, which is not unpacked" in result.stderr, result.stderr


def test_autograde_of_a_folder_without_students_is_an_error(tmp_path):
    result = run("autograde", str(tmp_path))
    assert result.returncode == 2 and "has no student folders" in result.stderr


def test_grading_is_deterministic(klass, tmp_path):
    """The same class graded twice (and with other --jobs) gives identical reports."""
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"{jobs}.json"
        assert run("autograde", str(klass), "--only", "softmax_loss", "--json", str(out), "--jobs", jobs).returncode == 0
        reports.append(out.read_text())
    assert reports[0] == reports[1]


def test_an_unimplemented_exercise_is_one_line(klass):
    """A student who has not started a topic reads one line per exercise, not a block per check."""
    result = run("check", "softmax", "--path", str(klass / "ben"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for exercise in registry.select(["softmax"]):
        at = lines.index(next(line for line in lines if line.startswith(f"[FAIL] {exercise.name} ")))
        assert re.fullmatch(r"    not implemented yet \(raise NotImplementedError at softmax\.py:\d+\)", lines[at + 1])
        assert lines[at + 2].startswith("[") or lines[at + 2] == ""
    assert len(lines) < 20, result.stdout


def test_check_prints_each_exercise_as_it_is_graded_then_a_summary(klass):
    process = subprocess.Popen([sys.executable, "-m", "grader.cli", "check", "softmax", "--path", str(klass / "ann")],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=PROJECT)
    first = process.stdout.readline()
    still_grading = process.poll() is None
    rest = process.stdout.read()
    assert process.wait() == 0
    assert first.startswith("[PASS] softmax ") and still_grading, "the first line came only at the end"
    assert "\x1b[" not in first + rest, "no colour when piped"
    assert "Summary:\n  softmax" in rest and "4/4 complete" in rest


def test_check_is_coloured_on_a_terminal(klass):
    result = CliRunner().invoke(main, ["check", "softmax:softmax", "--path", str(klass / "ann")], color=True)
    assert result.exit_code == 0
    assert click.style("[PASS]", fg="green", bold=True) + " softmax " in result.output


def test_topic_colon_exercise_names_the_exercise_alone(klass):
    result = run("check", "softmax:softmax", "--path", str(klass / "ann"))
    assert result.returncode == 0
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("[")] == ["softmax"]
    assert [e.name for e in registry.select(["softmax"])][1:] == \
        ["softmax_loss_naive", "softmax_loss_vectorized", "softmax_loss"]  # the topic, still


def test_an_empty_folder_is_reported_at_once(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to grade")
    result = run("check", "--path", str(tmp_path))
    assert result.returncode == 2 and f"no .py or .ipynb files in {tmp_path}" in result.stderr


def test_check_grades_a_single_notebook_file(tmp_path):
    """`check --path FILE.ipynb` grades that notebook, even beside other, broken code."""
    (tmp_path / "softmax.ipynb").write_text(source_notebook("softmax"))
    (tmp_path / "broken.py").write_text("def softmax(x):\n    return x\n")
    result = run("check", "softmax", "--path", str(tmp_path / "softmax.ipynb"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Total: 23/23" in result.stdout


def test_autograde_prints_a_line_per_student_when_not_on_a_terminal(klass):
    result = run("autograde", str(klass), "--only", "softmax:softmax")
    assert result.returncode == 0
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [re.fullmatch(r"\[(\d)/2\] (\w+)  ([\d.]+)/4\.5  \d+\.\d s", line).group(1, 2, 3) for line in progress] == \
        [("1", "ann", "4.5"), ("2", "ben", "0")]


@pytest.mark.parametrize("first_line, where", [
    ("NotImplementedError: softmax: not implemented yet (softmax.py, line 19)", "softmax.py:19"),
    ("NotImplementedError (hw/softmax.py, line 7)", "hw/softmax.py:7"),
    ("NotImplementedError: softmax (softmax.ipynb, cell 7, line 3)", "softmax.ipynb, cell 7, line 3"),
    ("ValueError: shapes (2,3) and (2,3) not aligned (softmax.py, line 5)", None),
])
def test_a_stub_is_recognised_by_every_check_raising_not_implemented(first_line, where):
    from grader.engine.results import CheckResult, ExerciseResult
    from grader.reports.text import not_implemented_at

    checks = (CheckResult("values", False, 0.0, 2.0, False, first_line + "\n  on every input"),
              CheckResult("numpy only", False, 0.0, 0.5, False, "not scored until the function passes a check"))
    assert not_implemented_at(ExerciseResult("softmax", "softmax", "graded", checks)) == where
    partly = (CheckResult("shape", True, 1.0, 1.0, False), *checks)
    assert not_implemented_at(ExerciseResult("softmax", "softmax", "graded", partly)) is None
