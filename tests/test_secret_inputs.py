"""Grades that cannot be hard-coded: instructors grade on inputs drawn from a secret grading key.

A student records every input the self-check passes to softmax (sandbox off, answers from the
reference solution), then submits only a table from those inputs to the answers. The self-check
and `autograde --public-inputs` give the table full marks; `autograde` on secret inputs does not,
and the class report names it as passing the self-check's inputs only. The key appears in no output.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine import registry
from grader.engine.examples import grading_plan
from grader.engine.inputs import PUBLIC, Inputs
from grader.integrations import grading_key
from tests.catalogue import PROJECT
from tests.conftest import TEST_KEY

SOFTMAX = ("softmax", "softmax_loss_naive", "softmax_loss_vectorized", "softmax_loss")
FULL = 23.0

RECORDER = '''
import importlib.util, pickle

_spec = importlib.util.spec_from_file_location("reference", {solution!r})
_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reference)


def _recorded(name):
    def function(*args):
        with open({record!r}, "ab") as out:
            pickle.dump((name, args), out)
        return getattr(_reference, name)(*args)
    return function

''' + "".join(f"{name} = _recorded({name!r})\n" for name in SOFTMAX)

TABLE = '''
import base64, hashlib, pickle
import numpy as np

ANSWERS = pickle.loads(base64.b64decode({table!r}))


def _answer(name, args, zeros):
    found = ANSWERS.get(hashlib.sha256(pickle.dumps((name, args))).hexdigest())
    return zeros if found is None else found

''' + '''
def softmax(x):
    return _answer("softmax", (x,), np.zeros_like(x))


def softmax_loss_naive(W, X, y, reg):
    return _answer("softmax_loss_naive", (W, X, y, reg), (0.0, np.zeros_like(W)))


def softmax_loss_vectorized(W, X, y, reg):
    return _answer("softmax_loss_vectorized", (W, X, y, reg), (0.0, np.zeros_like(W)))


def softmax_loss(x, y):
    return _answer("softmax_loss", (x, y), (0.0, np.zeros_like(x)))
'''


def dlgrade(*args, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=PROJECT, env={**os.environ, **(env or {})}, timeout=900)
    if check:
        assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    return done


def _reference():
    spec = importlib.util.spec_from_file_location("reference_softmax", PROJECT / "solutions" / "softmax.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """honest (the reference) and table (only the answers to the self-check's recorded inputs)."""
    work = tmp_path_factory.mktemp("hard-coding")
    record = work / "record.pkl"
    (work / "recorder").mkdir()
    (work / "recorder" / "softmax.py").write_text(
        RECORDER.format(solution=str(PROJECT / "solutions" / "softmax.py"), record=str(record)))
    done = dlgrade("check", "softmax", "--path", work / "recorder", env={"DLGRADE_SANDBOX": "none"})
    assert done.returncode == 0, done.stdout
    reference, answers = _reference(), {}
    with open(record, "rb") as recorded:
        while True:
            try:
                name, args = pickle.load(recorded)
            except EOFError:
                break
            answers[hashlib.sha256(pickle.dumps((name, args))).hexdigest()] = getattr(reference, name)(*args)
    assert len(answers) > 50  # every planned input of the four exercises, and the shrinking's
    import base64  # noqa: PLC0415

    root = work / "class"
    (root / "table").mkdir(parents=True)
    (root / "table" / "softmax.py").write_text(TABLE.format(table=base64.b64encode(pickle.dumps(answers)).decode()))
    (root / "honest").mkdir()
    shutil.copy(PROJECT / "solutions" / "softmax.py", root / "honest" / "softmax.py")
    return root


def _scores(report: Path) -> dict:
    return {s["id"]: s["score"] for s in json.loads(report.read_text())["submissions"]}


@pytest.fixture(scope="module")
def secret_run(klass, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("secret-run")
    done = dlgrade("autograde", klass, "--only", "softmax", "--json", out / "r.json", "--html", out / "c.html",
                   "--summary-json", out / "s.json", "--feedback", out / "feedback")
    (out / "output.txt").write_text(done.stdout + done.stderr)
    return out


def test_the_table_passes_the_self_check(klass):
    done = dlgrade("check", "softmax", "--path", klass / "table")
    assert done.returncode == 0 and f"Total: {FULL:g}/{FULL:g}" in done.stdout, done.stdout


def test_autograde_grades_the_table_on_secret_inputs_and_the_report_names_it(secret_run):
    scores = _scores(secret_run / "r.json")
    assert scores["honest"] == FULL
    assert scores["table"] <= FULL / 4, scores
    report = json.loads((secret_run / "r.json").read_text())
    assert report["inputs"] == "secret" and report["key_id"] == Inputs(bytes.fromhex(TEST_KEY)).key_id
    summary = json.loads((secret_run / "s.json").read_text())
    flagged = {row["student"]: row for row in summary["passes_self_check_inputs_only"]}
    assert set(flagged) == {"table"} and flagged["table"]["checks"] >= 4
    page = (secret_run / "c.html").read_text()
    assert "Passes the inputs of the self-check, fails new ones" in page and "table" in page


def test_public_inputs_grade_as_the_self_check_did(klass, tmp_path):
    dlgrade("autograde", klass, "--only", "softmax", "--public-inputs", "--json", tmp_path / "r.json")
    report = json.loads((tmp_path / "r.json").read_text())
    assert _scores(tmp_path / "r.json") == {"honest": FULL, "table": FULL}
    assert report["inputs"] == "public" and "key_id" not in report


def test_the_same_key_gives_the_same_report_byte_for_byte_and_the_key_is_never_shown(klass, secret_run, tmp_path):
    dlgrade("autograde", klass, "--only", "softmax", "--json", tmp_path / "r.json")
    assert (tmp_path / "r.json").read_bytes() == (secret_run / "r.json").read_bytes()
    outputs = [p for p in secret_run.rglob("*") if p.is_file()] + [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(outputs) >= 6  # report, page, summary, feedback pages, journal, console output
    for path in outputs:
        assert TEST_KEY not in path.read_text(errors="replace").lower(), path


def test_two_keys_draw_other_inputs_and_one_key_the_same():
    exercises = [registry.exercise("softmax")]
    first, again = (grading_plan(exercises, inputs=Inputs(b"a" * 16)) for _ in range(2))
    other = grading_plan(exercises, inputs=Inputs(b"b" * 16))
    public = grading_plan(exercises, inputs=PUBLIC)

    def inputs(plan):
        return [pickle.dumps(ps.examples) for ps in plan.scenarios["softmax"]]

    assert inputs(first) == inputs(again)
    assert inputs(first) != inputs(other) and inputs(first) != inputs(public) and inputs(other) != inputs(public)
    assert first.public is not None and inputs(first.public) == inputs(public) and public.public is None
    assert [len(ps.examples) for ps in first.scenarios["softmax"]] == [len(ps.examples) for ps in public.scenarios["softmax"]]
    assert "61" * 16 not in repr(Inputs(b"a" * 16)) and "aaaa" not in repr(first)


def test_a_secret_plan_is_cached_privately_under_its_key_id(klass, tmp_path):
    cache = tmp_path / "cache"
    dlgrade("autograde", klass, "--only", "softmax:softmax", "--json", tmp_path / "r.json",
            env={"DLGRADE_CACHE_DIR": str(cache)})
    secret = cache / "secret-plans"
    folders = list(secret.iterdir())
    assert [f.name.split("-")[0] for f in folders] == [Inputs(bytes.fromhex(TEST_KEY)).key_id]
    assert stat.S_IMODE(secret.stat().st_mode) == 0o700 and stat.S_IMODE(folders[0].stat().st_mode) == 0o700
    files = list(folders[0].iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_new_key_is_made_once_in_the_config_folder_with_its_path_printed(klass, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "DLGRADE_GRADING_KEY": ""}
    env_without = {k: v for k, v in {**os.environ, **env}.items() if k != "DLGRADE_GRADING_KEY"}
    first = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(klass), "--only", "softmax:softmax",
                            "--json", str(tmp_path / "a.json")], capture_output=True, text=True, cwd=PROJECT,
                           env=env_without, timeout=900)
    key = tmp_path / "config" / "dlgrade" / grading_key.FILE_NAME
    assert f"Created the grading key {key}" in first.stderr and stat.S_IMODE(key.stat().st_mode) == 0o600
    second = subprocess.run([sys.executable, "-m", "grader.cli", "autograde", str(klass), "--only", "softmax:softmax",
                             "--json", str(tmp_path / "b.json")], capture_output=True, text=True, cwd=PROJECT,
                            env=env_without, timeout=900)
    assert "Created" not in second.stderr
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert json.loads((tmp_path / "a.json").read_text())["key_id"] == grading_key.read(key).key_id


@pytest.mark.parametrize(("content", "says"), [
    (b"", "is empty"), (b"not a key at all", "is not a dlgrade key"), (b"abcd", "is not a dlgrade key"),
    (b"\xff\xfe" * 20, "is not a dlgrade key"), (None, "does not exist"), ("folder", "is a directory")])
def test_a_bad_key_file_is_one_line_and_exit_2_before_grading(klass, tmp_path, content, says):
    key = tmp_path / "key"
    if content == "folder":
        key.mkdir()
    elif content is not None:
        key.write_bytes(content)
    done = dlgrade("autograde", klass, "--only", "softmax:softmax", "--key-file", key, "--json", tmp_path / "r.json",
                   check=False)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "r.json").exists()


def test_the_gradescope_zip_carries_its_key_and_grades_on_it(klass, tmp_path):
    import zipfile  # noqa: PLC0415

    key = tmp_path / "key"
    key.write_text("ab" * 32 + "\n")
    dlgrade("gradescope", "softmax", "--out", tmp_path / "ag.zip", "--key-file", key)
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        info = archive.getinfo("grading-key")
        assert archive.read("grading-key").decode().strip() == "ab" * 32
        assert stat.S_IMODE(info.external_attr >> 16) == 0o600
        assert '--key-file "$ROOT/source/grading-key"' in archive.read("run_autograder").decode()
    for student, most in (("table", FULL / 4), ("honest", FULL)):
        out = tmp_path / f"{student}.json"
        subprocess.run([sys.executable, "-m", "grader.integrations.gradescope", str(klass / student), str(out),
                        "--only", "softmax", "--key-file", str(key)], check=True, capture_output=True, cwd=PROJECT,
                       timeout=900)
        score = json.loads(out.read_text())["score"]
        assert score <= most and (student == "table" or score == FULL), (student, score)
