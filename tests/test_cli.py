"""The command line as users meet it: exit codes, reports, and one clear line for bad input."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
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
    assert "NotImplementedError: softmax_loss: not implemented yet" in failed.stdout
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
    assert set(report) == {"max_score", "sandbox", "submissions"}
    assert report["sandbox"] in ("none", "landlock", "namespaces", "namespaces+landlock")
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
])
def test_bad_command_lines_get_one_clear_line_and_no_traceback(args, text):
    result = run(*args)
    assert result.returncode == 2
    assert text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


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
