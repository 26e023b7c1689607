"""The Gradescope autograder: `dlgrade gradescope` builds the zip; its `run_autograder` grades a
submission folder into a results.json that follows Gradescope's specification."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile

import nbformat
from click.testing import CliRunner

from grader.engine import registry
from grader.cli import main
from grader.integrations.gradescope import results_json
from grader.integrations.release import source_notebook
from grader.engine.results import CheckResult, ExerciseResult, SubmissionResult
from tests.catalogue import PROJECT

TOPIC = "softmax"
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def _valid_results(data: dict) -> None:
    assert isinstance(data["score"], float)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in VISIBILITIES
    assert abs(data["score"] - sum(t["score"] for t in data["tests"])) < 1e-9


def test_hidden_checks_are_published_after_grades():
    checks = (CheckResult("visible one", True, 1.0, 1.0, False), CheckResult("secret", False, 0.0, 2.0, True, "no"))
    data = results_json(SubmissionResult("s", (ExerciseResult("softmax", TOPIC, "graded", checks),)))
    _valid_results(data)
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published"]
    assert data["tests"][1]["output"] == "no" and data["score"] == 1.0


def test_run_autograder_grades_a_notebook_submission_into_results_json(tmp_path):
    zipped = tmp_path / "autograder.zip"
    built = CliRunner().invoke(main, ["gradescope", TOPIC, "--out", str(zipped)])
    assert built.exit_code == 0, built.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        archive.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "pyproject.toml", "grader/integrations/gradescope.py"} <= set(names)
    assert not any(name.startswith("solutions/") for name in names)

    # A student's notebook (test cells included) with the vectorized gradient not averaged over N.
    notebook = nbformat.reads(source_notebook(TOPIC), as_version=4)
    cell = next(c for c in notebook.cells if c.get("id") == "softmax_loss_vectorized-solution")
    cell.source = cell.source.replace("dW = X.T.dot(dscores) / num_train", "dW = X.T.dot(dscores)")
    # ... a syntax error in the cell of softmax_loss, which costs that exercise only (as in nbgrader) ...
    broken = next(c for c in notebook.cells if c.get("id") == "softmax_loss-solution")
    broken.source = broken.source.replace("def softmax_loss(x, y):", "def softmax_loss(x, y)")
    # ... and the copy of an untouched stub that a macOS zip carries along.
    (root / "submission" / "__MACOSX").mkdir(parents=True)
    (root / "submission" / "__MACOSX" / "softmax.py").write_text((PROJECT / "exercises" / "softmax.py").read_text())
    nbformat.write(notebook, root / "submission" / f"{TOPIC}.ipynb")

    env = {**os.environ, "DLGRADE_AUTOGRADER_ROOT": str(root), "DLGRADE_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((root / "results" / "results.json").read_text())
    _valid_results(data)
    full = sum(ex.max_points(include_hidden=True) for ex in registry.select([TOPIC]))
    assert sum(t["max_score"] for t in data["tests"]) == full
    failed = [t for t in data["tests"] if t["score"] < t["max_score"]]
    assert all(t["name"].startswith(("softmax_loss_vectorized: ", "softmax_loss: ")) for t in failed)
    syntax = [t for t in data["tests"] if t["name"].startswith("softmax_loss: ")]
    assert syntax and all(t["score"] == 0 and "SyntaxError" in t["output"] and ", cell " in t["output"] for t in syntax)
    dw = next(t for t in failed if t["name"] == "softmax_loss_vectorized: dW matches torch autograd")
    assert dw["score"] == 0 and "N times too large" in dw["output"] and dw["visibility"] == "visible"
    assert 0 < data["score"] < full


FAKES = {  # stand-ins for the image's commands: each logs its arguments
    "apt-get": 'echo "apt-get $*" >> "$LOG"',
    "python3": '''if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/usr/bin/env bash\\necho "pip $*" >> "$LOG"\\n' > "$3/bin/pip"; chmod +x "$3/bin/pip"
else
  exec "$REAL_PYTHON" "$@"
fi''',
}


def test_setup_sh_installs_cpu_torch_then_only_what_grading_needs(tmp_path):
    """setup.sh as Gradescope runs it (apt-get and pip replaced by loggers): torch comes alone from the
    CPU wheel index, then dlgrade from the zip, whose requirements hold no Jupyter stack."""
    zipped = tmp_path / "autograder.zip"
    assert CliRunner().invoke(main, ["gradescope", TOPIC, "--out", str(zipped)]).exit_code == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(root / "source")
        setup = archive.read("setup.sh").decode()
    assert "Ubuntu 22.04" in setup and "Python 3.10" in setup
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in FAKES.items():
        (bin_dir / name).write_text("#!/usr/bin/env bash\n" + body + "\n")
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "log"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "LOG": str(log),
           "REAL_PYTHON": sys.executable, "DLGRADE_AUTOGRADER_ROOT": str(root)}
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pips = [line.split() for line in log.read_text().splitlines() if line.startswith("pip ")]
    constraints = f"{root}/source/constraints.txt"
    assert pips == [["pip", "install", "-q", "-c", constraints, "--index-url", "https://download.pytorch.org/whl/cpu",
                     "torch"],
                    ["pip", "install", "-q", "-c", constraints, f"{root}/source"]]
    pyproject = (root / "source" / "pyproject.toml").read_text()
    requirements = re.findall(r'^    "([^"]+)",$', pyproject, re.M)
    names = {re.split(r"[<>=\[ ]", r)[0].lower() for r in requirements}
    assert {"numpy", "torch", "hypothesis", "click", "scipy"} <= names
    documented = re.search(r"with its runtime requirements \(([^)]*)\)", (PROJECT / "docs" / "gradescope.md").read_text())
    assert documented and set(documented.group(1).split(", ")) == names, "docs/gradescope.md lists what is installed"
    assert not names & {"nbgrader", "ipykernel", "jupyter", "notebook", "jupyterlab", "nbformat", "nbclient"}
    assert "torch==2.13.0\n" in (root / "source" / "constraints.txt").read_text()


def test_the_nbgrader_commands_name_the_extra_when_nbgrader_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nbgrader", None)  # what an install without [nbgrader] sees
    for args in (["release", "--course", str(tmp_path)], ["autograde", "--course", str(tmp_path), "--assignment", TOPIC]):
        outcome = CliRunner().invoke(main, args)
        assert outcome.exit_code == 1, outcome.output
        assert "needs nbgrader, an optional extra: pip install 'dlgrade[nbgrader]'" in outcome.output


def test_the_documented_local_command_grades_with_relative_paths(tmp_path):
    """docs/gradescope.md's command, run as written (ROOT and DLGRADE_PYTHON relative to where it is
    started): run_autograder changes into source/ first, so relative paths must be resolved before."""
    command = re.search(r"`(DLGRADE_AUTOGRADER_ROOT=ROOT [^`]*run_autograder)`",
                        (PROJECT / "docs" / "gradescope.md").read_text().replace("\n", " ")).group(1)
    zipped = tmp_path / "autograder.zip"
    assert CliRunner().invoke(main, ["gradescope", "softmax_loss", "--out", str(zipped)]).exit_code == 0
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(tmp_path / "ag" / "source")
    (tmp_path / "ag" / "submission").mkdir()
    (tmp_path / "ag" / "submission" / "softmax.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
    venv_python = tmp_path / ".venv" / "bin" / "python"  # the checkout's python, where the command expects it
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/usr/bin/env bash\nexec {sys.executable} "$@"\n')
    venv_python.chmod(0o755)
    command = re.sub(r"\bROOT\b", "ag", command)
    assert command.startswith("DLGRADE_AUTOGRADER_ROOT=ag DLGRADE_PYTHON=.venv/bin/python "), command
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads((tmp_path / "ag" / "results" / "results.json").read_text())
    _valid_results(data)
    assert data["score"] == registry.exercise("softmax_loss").max_points(include_hidden=True)
