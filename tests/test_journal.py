"""No finished grade is lost: the journal, --resume after a SIGTERM, reports written whole or to a
fallback, output paths checked before grading, and one student's grader fault costing only them."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.distributed.journal import GradingKey, Journal, read_entries, submission_digest
from grader.distributed.student import GradedStudent, submission_from_dict
from grader.engine import classroom, registry
from grader.engine.examples import Plan
from grader.engine.grading import GradingOptions
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult, report
from grader.reports import text as reports
from tests.catalogue import PROJECT

KEY = GradingKey(("softmax_loss",), 20.0, "test")


def cli(*args: str, **kwargs) -> subprocess.Popen | subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader.cli", *args]
    if kwargs.pop("background", False):
        return subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, **kwargs)


def _result(student: str, points: float, message: str = "") -> SubmissionResult:
    check = CheckResult("loss matches torch", points > 0, points, 1.5, False, message)
    return SubmissionResult(student, (ExerciseResult("softmax_loss", "softmax", "graded", (check,)),))


def _graded(student: str, points: float, submission: str = "digest") -> GradedStudent:
    return GradedStudent(student, submission, 0.5, _result(student, points).to_dict())


def test_the_streamed_json_report_is_the_report_json_dumps_would_write():
    submissions = [_result("ann", 1.5, "line one\nline two"), _result("ben", 0.0)]
    for some in (submissions, submissions[:1], []):
        out = io.StringIO()
        reports.json_report_writer(lambda some=some: (s.to_dict() for s in some), 3.0)(out)
        assert out.getvalue() == json.dumps(report(some, 3.0), indent=1) + "\n"


def test_results_round_trip_through_their_dicts():
    result = _result("ann", 1.5, "why")
    assert submission_from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_the_journal_keeps_the_last_entry_per_student_and_reads_results_back(tmp_path):
    path = tmp_path / "r.journal.jsonl"
    with Journal(path, KEY, resume=False) as journal:
        journal.append(_graded("ann", 0.0, "a1"))
        journal.append(_graded("ben", 1.5, "b1"))
        journal.append(_graded("ann", 1.5, "a2"))  # regraded after a change
    with Journal(path, KEY, resume=True) as journal:
        assert journal.reusable("ann", "a2") and journal.reusable("ben", "b1")
        assert journal.reusable("ann", "a1") is None, "an older submission is not reused"
        assert [r["score"] for r in journal.results([journal.entries["ann"], journal.entries["ben"]])] == [1.5, 1.5]
    with Journal(path, GradingKey(("softmax_loss",), 30.0, "test"), resume=True) as journal:
        assert journal.reusable("ann", "a2") is None, "another timeout is another grading"
    with Journal(path, KEY, resume=False):
        pass
    assert read_entries(path) == {}, "without --resume the journal starts afresh"


def test_a_line_cut_short_by_a_crash_is_dropped_and_never_continued(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path, KEY, resume=False) as journal:
        journal.append(_graded("ann", 1.5))
    with open(path, "ab") as handle:
        handle.write(b'{"id": "ben", "submission": "dig')  # the process died mid-write
    assert set(read_entries(path)) == {"ann"}
    with Journal(path, KEY, resume=True) as journal:
        journal.append(_graded("cat", 1.5))
    lines = path.read_bytes().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["ann", "cat"]


def test_the_submission_digest_follows_the_files_not_caches(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "softmax.py").write_text("x = 1\n")
    before = submission_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "softmax.cpython-311.pyc").write_bytes(b"\0")
    assert submission_digest(tmp_path) == before
    (tmp_path / "pkg" / "softmax.py").write_text("x = 2\n")
    assert submission_digest(tmp_path) != before


def test_a_report_that_cannot_go_where_asked_goes_to_a_fallback_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = reports.write_json(tmp_path / "gone" / "r.json", [_result("ann", 1.5)], 1.5)
    assert written.failure and "gone" in written.failure
    assert written.path.parent == tmp_path and written.path.name.startswith("dlgrade-r-") and written.path.suffix == ".json"
    assert json.loads(written.path.read_text())["submissions"][0]["id"] == "ann"
    where = reports.write_json(tmp_path / "r.json", [_result("ann", 1.5)], 1.5)
    assert where == reports.Written(tmp_path / "r.json") and not list(tmp_path.glob(".r.json.*.tmp")), "no temporary left"
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o666 & ~umask, "as readable as any file the user writes"


@pytest.mark.parametrize("option", ["--json", "--csv", "--journal"])
def test_an_unwritable_output_path_is_refused_before_grading(tmp_path, option):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    started = time.monotonic()
    result = cli("autograde", str(tmp_path / "class"), option, str(tmp_path / "no" / "such" / "out.txt"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {option} ")
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "no").exists()
    assert time.monotonic() - started < 60, "refused at once, not after grading"


@pytest.mark.parametrize("args, text", [
    (["--resume"], "--resume needs the journal"),
    (["--scheduler", "slurm://x"], "give local, local:N or tcp://HOST:PORT"),
    (["--scheduler", "local:0"], "positive integer"),
])
def test_bad_scale_out_options_get_one_clear_line(tmp_path, args, text):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    result = cli("autograde", str(tmp_path / "class"), *args)
    assert result.returncode == 2 and text in result.stderr and "Traceback" not in result.stderr


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    hide_dask = "import sys; sys.modules['distributed'] = None; from grader.cli import main; main()"
    result = subprocess.run([sys.executable, "-c", hide_dask, "autograde", str(tmp_path / "class"),
                             "--scheduler", "local:2"], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip().splitlines()[-1]]
    assert "pip install 'dlgrade[dask]'" in result.stderr


def test_a_grader_fault_costs_only_that_student(tmp_path, monkeypatch):
    plan = Plan(tuple(registry.select(["softmax_loss"])), {}, True)
    folders = [tmp_path / name for name in ("ann", "bug", "cat")]

    def grade_submission(folder, plan, *, submission_id, options):
        if submission_id == "bug":
            raise ZeroDivisionError("a reference divided by zero")
        return _result(submission_id, 1.5)

    monkeypatch.setattr(classroom, "grade_submission", grade_submission)
    results = classroom.grade_class(folders, plan, options=GradingOptions(), jobs=2)
    assert [r.id for r in results] == ["ann", "bug", "cat"]
    assert results[0].score == results[2].score == 1.5
    (bug,) = results[1].exercises
    assert bug.status == "error" and bug.score == 0 and bug.max_score == 5.5
    assert bug.message.startswith(classroom.GRADER_ERROR) and "ZeroDivisionError" in bug.message


CLASS_SIZE = 40


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    # Enough students that a SIGTERM sent after the second one still finds most of them ungraded
    # (with a shipped plan a student takes about 0.1 s).
    for index in range(CLASS_SIZE):
        source = "solutions" if index % 2 == 0 else "exercises"
        (root / f"s{index}").mkdir()
        shutil.copy(PROJECT / source / "softmax.py", root / f"s{index}" / "softmax.py")
    return root


def test_a_run_stopped_by_sigterm_resumes_to_the_same_report(klass, tmp_path):
    grade = ["autograde", str(klass), "--only", "softmax_loss", "--timeout", "120"]
    whole = tmp_path / "whole.json"
    assert cli(*grade, "--json", str(whole)).returncode == 0

    report, journal = tmp_path / "r.json", tmp_path / "r.journal.jsonl"
    run = cli(*grade, "--json", str(report), background=True)
    deadline = time.monotonic() + 600
    while not (journal.exists() and journal.read_bytes().count(b"\n") >= 2) and time.monotonic() < deadline:
        time.sleep(0.2)
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 128 + signal.SIGTERM, stderr
    assert "--resume" in stderr and not report.exists()
    finished = journal.read_bytes().count(b"\n")
    assert 2 <= finished < CLASS_SIZE

    resumed = cli(*grade, "--json", str(report), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{finished} student(s) taken from the journal" in resumed.stderr
    assert report.read_text() == whole.read_text()
    assert journal.read_bytes().count(b"\n") == CLASS_SIZE, "only the others were graded"

    again = cli(*grade, "--json", str(report), "--resume")
    assert again.returncode == 0 and f"{CLASS_SIZE} student(s) taken from the journal" in again.stderr
    assert report.read_text() == whole.read_text() and journal.read_bytes().count(b"\n") == CLASS_SIZE
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file left"
