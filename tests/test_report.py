"""The instructor's class report: its content as data, the HTML's structure, similar submissions,
feedback pages, the Canvas export and regrade diffs."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from autograde_tests.softmax import NO_MAX_SHIFT
from grader.cli import main
from grader.reports import canvas, diff, similarity
from grader.reports.class_report import RELEASED_STUBS
from tests.catalogue import PROJECT
from tests.report_class import COPIERS, STUDENTS, graded_class  # noqa: F401 (fixture)

REG_GRADIENT = "the regularization gradient is reg * W"
N_TOO_LARGE = "dW is N times too large"


def _check(report: dict, student: str, exercise: str, check: str) -> dict:
    sub = next(s for s in report["submissions"] if s["id"] == student)
    ex = next(e for e in sub["exercises"] if e["name"] == exercise)
    return next(c for c in ex["checks"] if c["name"] == check)


# --- hints and fingerprints as data in the JSON report -------------------------------------------

def test_a_fired_hint_is_a_list_in_the_check_result_and_still_in_its_message(graded_class):
    stable = _check(graded_class.report, "carol", "softmax", "stable for scores of magnitude up to 1e4")
    assert stable["hints"] == [NO_MAX_SHIFT]
    assert f"hint: {NO_MAX_SHIFT}" in stable["message"]
    assert "hints" not in _check(graded_class.report, "ann", "softmax", "stable for scores of magnitude up to 1e4")


def test_an_unfinished_stub_fires_no_hint_and_has_no_fingerprint(graded_class):
    dave = next(s for s in graded_class.report["submissions"] if s["id"] == "dave")
    checks = [c for ex in dave["exercises"] for c in ex["checks"]]
    assert not any(c["passed"] for c in checks)
    assert not any(c.get("hints") or c.get("fingerprint") for c in checks)


def test_identical_wrong_outputs_have_equal_fingerprints_and_different_ones_do_not(graded_class):
    name = ("softmax_loss_vectorized", "dW matches torch autograd")
    prints = {s: _check(graded_class.report, s, *name).get("fingerprint") for s in ("carol", "erin", "frank", "bob")}
    assert prints["carol"] and prints["carol"] == prints["erin"] == prints["frank"]
    naive = [_check(graded_class.report, s, "softmax_loss_naive", "dW matches torch autograd") for s in ("bob", "dave")]
    assert naive[0]["fingerprint"] and "fingerprint" not in naive[1]


def test_each_submission_records_the_folder_it_was_graded_from(graded_class):
    for sub in graded_class.report["submissions"]:
        assert Path(sub["folder"]) == (graded_class.folder / sub["id"]).resolve()


# --- the summary -------------------------------------------------------------------------------

def test_summary_exercises_are_means_and_full_mark_shares_of_the_report(graded_class):
    report, summary = graded_class.report, graded_class.summary
    assert summary["students"] == len(STUDENTS)
    rows = {e["name"]: e for e in summary["exercises"]}
    assert set(rows) == {"softmax", "softmax_loss_naive", "softmax_loss_vectorized", "softmax_loss"}
    for name, row in rows.items():
        exercises = [e for s in report["submissions"] for e in s["exercises"] if e["name"] == name]
        assert row["mean"] == pytest.approx(sum(e["score"] for e in exercises) / len(STUDENTS), abs=1e-4)
        full = sum(e["score"] == e["max_score"] for e in exercises)
        assert row["full_marks_share"] == pytest.approx(full / len(STUDENTS), abs=1e-4)
    # carol, erin and frank have no softmax_loss_naive at all
    assert rows["softmax_loss_naive"]["status_counts"]["missing"] == 3


def test_summary_check_pass_rates(graded_class):
    rows = {(c["exercise"], c["check"]): c for c in graded_class.summary["checks"]}
    stable = rows[("softmax", "stable for scores of magnitude up to 1e4")]
    assert (stable["passed"], stable["students"]) == (2, 6)  # ann and bob; the copiers overflow, dave is a stub
    assert stable["pass_rate"] == pytest.approx(2 / 6, abs=1e-4)
    assert (stable["passed_attempted"], stable["attempted"]) == (2, 5)


def test_summary_misconceptions_name_every_student_a_hint_fired_for(graded_class):
    found = {(m["exercise"], m["check"], m["hint"]): m["students"] for m in graded_class.summary["misconceptions"]}
    assert found[("softmax", "stable for scores of magnitude up to 1e4", NO_MAX_SHIFT)] == ["carol", "erin", "frank"]
    [(reg, who)] = [(k, v) for k, v in found.items() if k[2].startswith(REG_GRADIENT)]
    assert reg[:2] == ("softmax_loss_vectorized", "dW matches torch autograd") and who == ["carol", "erin", "frank"]
    assert [v for k, v in found.items() if k[2].startswith(N_TOO_LARGE) and k[0] == "softmax_loss_naive"] == [["bob"]]
    fired = {(e["name"], c["name"], h, s["id"]) for s in graded_class.report["submissions"] for e in s["exercises"]
             for c in e["checks"] for h in c.get("hints", ())}
    assert fired == {(e, c, h, s) for (e, c, h), who in found.items() for s in who}


# --- similar submissions -----------------------------------------------------------------------

def test_the_copies_are_flagged_both_ways_and_honest_students_are_not(graded_class):
    pairs = graded_class.summary["similar_pairs"]
    for kind in ("structural", "behavioural"):
        flagged = {frozenset(p["students"]) for p in pairs if p["kind"] == kind}
        assert flagged == {frozenset(p) for p in (("carol", "erin"), ("carol", "frank"), ("erin", "frank"))}, kind
    assert all(set(p["students"]) <= COPIERS for p in pairs)


def test_similar_pairs_carry_their_evidence(graded_class):
    pairs = {(frozenset(p["students"]), p["kind"]): p for p in graded_class.summary["similar_pairs"]}
    behavioural = pairs[(frozenset({"carol", "frank"}), "behavioural")]
    assert "softmax_loss_vectorized: dW matches torch autograd" in behavioural["evidence"]["shared_failing_checks"]
    assert behavioural["evidence"]["identical_wrong_outputs"] >= 2
    structural = pairs[(frozenset({"carol", "frank"}), "structural")]
    code, matches = structural["evidence"]["code"], structural["evidence"]["matches"]
    assert "num_train" in code[structural["students"].index("frank")]
    assert all(spans for spans in matches) and structural["score"] >= 0.9


def _class_with_wrong_outputs(wrong: dict[str, list[tuple[str, str, list[str]]]]) -> dict:
    """A report where each student fails the named checks with the given fingerprints and hints."""
    def check(name, fingerprint, hints):
        return {"name": name, "passed": False, "points": 0.0, "max_points": 1.0, "hidden": False, "message": "",
                "fingerprint": fingerprint, "hints": hints}
    return {"max_score": 9.0, "submissions": [
        {"id": sid, "score": 0.0, "max_score": 9.0, "exercises": [
            {"name": "ex", "topic": "t", "score": 0.0, "max_score": 9.0, "status": "graded",
             "checks": [check(*c) for c in checks]}]} for sid, checks in wrong.items()]}


def test_one_known_mistake_repeated_in_several_checks_is_one_piece_of_behavioural_evidence():
    overflow = [("stable a", "f1", [NO_MAX_SHIFT]), ("stable b", "f2", [NO_MAX_SHIFT]), ("stable c", "f3", [NO_MAX_SHIFT])]
    alone = _class_with_wrong_outputs({"p": overflow, "q": overflow, "r": []})
    assert similarity.behavioural_pairs(alone) == []
    reg = ("dW", "f4", [REG_GRADIENT])
    [pair] = similarity.behavioural_pairs(_class_with_wrong_outputs({"p": overflow + [reg], "q": overflow + [reg]}))
    assert pair.students == ("p", "q") and pair.evidence["independent_mistakes"] == 2
    assert pair.evidence["identical_wrong_outputs"] == 4 and pair.score == 1.0
    unrecognised = [("x", "g1", []), ("y", "g2", [])]  # outputs no hint explains count one by one
    assert len(similarity.behavioural_pairs(_class_with_wrong_outputs({"p": unrecognised, "q": unrecognised}))) == 1


def test_identical_wrong_outputs_common_in_the_class_are_not_evidence():
    common = [("x", "g1", []), ("y", "g2", [])]
    wrong = {f"s{i}": common if i < 4 else [] for i in range(10)}  # 4 holders > max(3, 10% of 10)
    assert similarity.behavioural_pairs(_class_with_wrong_outputs(wrong)) == []
    wrong["s3"] = []
    assert len(similarity.behavioural_pairs(_class_with_wrong_outputs(wrong))) == 3  # s0-s1, s0-s2, s1-s2


def _folder(root: Path, name: str, code: str | None) -> Path:
    folder = root / name
    shutil.copytree(RELEASED_STUBS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    if code is not None:
        (folder / "softmax.py").write_text(code)
    return folder


def test_a_renamed_copy_of_a_single_bug_is_structurally_flagged_and_untouched_stubs_are_not(tmp_path):
    bob = (PROJECT / "demo" / "students" / "bob" / "softmax.py").read_text()
    renamed = bob
    for old, new in (("loss", "total"), ("dW", "grad"), ("s ", "logits "), ("p ", "probs "), ("p[", "probs["),
                     ("e ", "ex "), ("n ", "count ")):
        renamed = renamed.replace(old, new)
    assert renamed != bob
    folders = {"ann": _folder(tmp_path, "ann", (PROJECT / "solutions" / "softmax.py").read_text()),
               "bob": _folder(tmp_path, "bob", bob), "copy": _folder(tmp_path, "copy", renamed),
               "stub1": _folder(tmp_path, "stub1", None), "stub2": _folder(tmp_path, "stub2", None)}
    pairs = similarity.structural_pairs(folders, RELEASED_STUBS)
    assert [set(p.students) for p in pairs] == [{"bob", "copy"}]
    # without the stubs as boilerplate, the untouched stubs would be one big match
    assert {"stub1", "stub2"} in [set(p.students) for p in similarity.structural_pairs(folders, None)]


def test_similarity_reads_a_bounded_part_of_each_student_and_names_what_it_skipped(tmp_path):
    """A folder that also holds junk (a file of MiBs, a thousand files, deep folders) costs what a
    normal submission costs, and the page says what was not compared."""
    from grader.reports import class_report

    bob = (PROJECT / "demo" / "students" / "bob" / "softmax.py").read_text()
    folders = {name: tmp_path / name for name in ("ann", "bob", "cat", "dan")}
    _write_tree(folders["ann"], {"softmax.py": bob, "junk.py": "x = 1  # junk\n" * (2 * 2**20 // 14 + 1)})
    deep = "/".join(f"level{i}" for i in range(60))
    _write_tree(folders["bob"], {f"{deep}/softmax.py": bob,
                                 **{f"{deep[:7 * (i + 1) + i]}/__init__.py": "" for i in range(60)}})
    _write_tree(folders["cat"], {"softmax.py": (PROJECT / "solutions" / "softmax.py").read_text(),
                                 **{f"gen/m{i:04d}.py": f"V{i} = {i}\n" for i in range(1100)}})
    _write_tree(folders["dan"], {f"big{i}.py": f"# {i}\n" + "# a long comment line\n" * (100 * 2**10 // 22)
                                 for i in range(6)})

    codes = similarity.compared_code(folders, RELEASED_STUBS)
    assert codes["ann"].not_compared == ("junk.py (2.0 MiB, more than the 128 KiB compared per file)",)
    assert "junk" not in codes["ann"].text and "def softmax_loss" in codes["ann"].text
    assert codes["bob"].not_compared == () and "def softmax_loss" in codes["bob"].text  # 60 folders down
    assert codes["cat"].not_compared == ("every .py file after the first 1000",)
    assert codes["dan"].not_compared == ("big5.py, beyond the 512 KiB of code compared per student",)
    assert "# 4\n" in codes["dan"].text and len(codes["dan"].text) < 512 * 2**10 + 1000
    pairs = similarity.structural_pairs(folders, RELEASED_STUBS, codes=codes)
    assert [set(p.students) for p in pairs] == [{"ann", "bob"}]

    report = {"max_score": 1.0, "submissions": [
        {"id": name, "score": 0.0, "max_score": 1.0, "folder": str(folder), "exercises": []}
        for name, folder in folders.items()]}
    data = class_report.write_class_files(report, html_file=tmp_path / "c.html", summary_file=None)
    assert data["code_not_compared"] == {name: list(code.not_compared) for name, code in codes.items()
                                         if code.not_compared}
    note = BeautifulSoup((tmp_path / "c.html").read_text(), "html.parser").select_one("#not-compared").get_text(" ")
    assert "ann: junk.py (2.0 MiB" in " ".join(note.split()) and "cat: every .py file after the first 1000" in note


def _write_tree(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


# --- the HTML page -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(graded_class) -> BeautifulSoup:
    return BeautifulSoup(graded_class.html.read_text(), "html.parser")


def test_the_page_is_self_contained(graded_class, page):
    assert not page.find_all(src=True) and not page.find_all("link")
    assert "http://" not in graded_class.html.read_text().replace("http://www.w3.org", "")
    assert len(page.find_all("svg")) == 2  # the histogram and the exercise chart, inline


def test_the_page_shows_every_student_exercise_and_misconception(graded_class, page):
    assert [b.get_text() for b in page.select("details.student .student-id")] == list(STUDENTS)
    assert [r.td.get_text(strip=True) for r in page.select("#student-table tbody tr")] == list(STUDENTS)
    exercises = [r.td.get_text(strip=True) for r in page.select("#exercise-table tbody tr")]
    assert exercises == [e["name"] for e in graded_class.summary["exercises"]]
    rows = [r.find_all("td")[1].get_text(strip=True) for r in page.select("#misconception-table tr.misconception")]
    assert rows == [m["hint"] for m in graded_class.summary["misconceptions"]]
    assert len(page.select("#check-table tbody tr")) == len(graded_class.summary["checks"])
    pairs = graded_class.summary["similar_pairs"]
    assert len(page.select("details.pair")) == len({frozenset(p["students"]) for p in pairs}) == 3
    assert "Groups to look at: carol, erin, frank" in page.select_one("#similar").get_text(" ", strip=True)


def test_each_students_feedback_is_on_the_page(graded_class, page):
    carol = next(d for d in page.select("details.student") if d.select_one(".student-id").get_text() == "carol")
    text = carol.get_text()
    assert NO_MAX_SHIFT in text and "failing input" in text


def test_feedback_pages_one_per_student_without_hidden_messages(graded_class):
    pages = sorted(p.stem for p in (graded_class.out / "feedback").glob("*.html"))
    assert pages == sorted(STUDENTS)
    carol = BeautifulSoup((graded_class.out / "feedback" / "carol.html").read_text(), "html.parser")
    assert NO_MAX_SHIFT in carol.get_text() and not carol.find_all(src=True)
    hidden = copy.deepcopy(next(s for s in graded_class.report["submissions"] if s["id"] == "carol"))
    check = hidden["exercises"][0]["checks"][0]
    check.update(hidden=True, passed=False, message="SECRET hidden input")
    from grader.reports.html import student_page  # noqa: PLC0415

    assert "SECRET" not in student_page(hidden) and "hidden check(s) failed" in student_page(hidden)


# --- the report command ------------------------------------------------------------------------

def test_report_command_writes_the_same_summary_from_the_json(graded_class, tmp_path):
    out = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["report", str(graded_class.out / "report.json"), "--summary-json", str(out),
                                       "--html", str(tmp_path / "c.html")])
    assert result.exit_code == 0, result.output
    from_json, from_autograde = json.loads(out.read_text()), dict(graded_class.summary)
    run = from_autograde.pop("run")  # autograde adds what the JSON report does not record
    recorded = json.loads((graded_class.out / "report.json").read_text())
    sandbox = recorded["sandbox"]
    assert from_json.pop("run") == {"sandbox": sandbox, "inputs": "secret", "key_id": recorded["key_id"]}
    assert from_json == from_autograde
    assert run["sandbox"] == sandbox
    assert run["options"] == {"only": "softmax", "jobs": 2, "timeout": 60.0} and run["dlgrade_version"]
    assert Path(run["submissions_dir"]) == graded_class.folder.resolve()
    assert (tmp_path / "c.html").read_text().count('class="student"') == len(STUDENTS)


@pytest.mark.parametrize("content, text", [
    (None, "cannot read"), ("{not json", "is not a JSON report"), ('{"a": 1}', "is not a dlgrade JSON report")])
def test_report_command_bad_input_is_one_clear_line(tmp_path, content, text):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(main, ["report", str(path), "--html", str(tmp_path / "c.html")])
    assert result.exit_code == 2 and text in result.output and "Traceback" not in result.output


# --- regrade diffs -----------------------------------------------------------------------------

def test_diff_of_a_report_with_itself_says_nothing_changed(graded_class):
    path = str(graded_class.out / "report.json")
    result = CliRunner().invoke(main, ["diff", path, path])
    assert result.exit_code == 0
    assert result.output.strip() == f"No changes: {len(STUDENTS)} student(s), the same scores and the same checks passed."


def test_diff_names_who_changed_by_how_much_and_which_checks_flipped(graded_class, tmp_path):
    new = copy.deepcopy(graded_class.report)
    bob = next(s for s in new["submissions"] if s["id"] == "bob")
    ex = next(e for e in bob["exercises"] if e["name"] == "softmax_loss_naive")
    check = next(c for c in ex["checks"] if c["name"] == "dW matches torch autograd")
    check.update(passed=True, points=check["max_points"])
    ex["score"] += check["max_points"]
    bob["score"] += check["max_points"]
    new["submissions"] = [s for s in new["submissions"] if s["id"] != "dave"]
    (tmp_path / "new.json").write_text(json.dumps(new))
    result = CliRunner().invoke(main, ["diff", str(graded_class.out / "report.json"), str(tmp_path / "new.json")])
    assert result.exit_code == 1
    old_score = next(s["score"] for s in graded_class.report["submissions"] if s["id"] == "bob")
    assert f"bob: {old_score:g} -> {bob['score']:g} (+{check['max_points']:g})" in result.output
    assert "softmax_loss_naive: dW matches torch autograd: now passes" in result.output
    assert "Only in the old report: dave" in result.output
    assert [c.student for c in diff.compare(graded_class.report, new).changed] == ["bob"]


# --- Canvas ------------------------------------------------------------------------------------

def test_canvas_gradebook_from_a_roster_reports_unmatched_students(graded_class, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,folder\n"
                      "    Points Possible,,,,,\n"
                      "Ann Lee,101,s101,alee,A,ann\n"
                      "Bob Ray,102,s102,bob,A,\n"  # matched by SIS Login ID
                      "Zoe Nobody,103,s103,zoe,B,\n")
    out = tmp_path / "canvas.csv"
    result = CliRunner().invoke(main, ["export", str(graded_class.out / "report.json"), "--roster", str(roster),
                                       "--canvas", str(out), "--column", "softmax=Softmax (1234)"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Softmax (1234)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "23"]
    scores = {s["id"]: f"{s['score']:g}" for s in graded_class.report["submissions"]}
    assert rows[2:] == [["Ann Lee", "101", "s101", "alee", "A", scores["ann"]],
                        ["Bob Ray", "102", "s102", "bob", "A", scores["bob"]],
                        ["Zoe Nobody", "103", "s103", "zoe", "B", ""]]
    assert "No submission for: Zoe Nobody" in result.output
    assert "Graded but not in the roster: carol, dave, erin, frank" in result.output


def test_a_roster_without_identity_columns_is_refused(tmp_path):
    (tmp_path / "r.csv").write_text("name,email\nann,a@x\n")
    with pytest.raises(canvas.RosterError, match="needs a header"):
        canvas.read_roster(tmp_path / "r.csv")
