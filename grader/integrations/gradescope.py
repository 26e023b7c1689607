"""Running dlgrade as a Gradescope autograder.

`dlgrade gradescope NAMES --out autograder.zip` builds the zip Gradescope asks for: `setup.sh`
(installs dlgrade from the zipped source, once, when Gradescope builds the image), `run_autograder`
(run for every submission) and the source of the installed packages, with a pyproject.toml and
constraints.txt written from the installed distribution's metadata (so the zip builds the same way
from a checkout, a wheel or `pip install .`). `run_autograder` calls
`python -m grader.integrations.gradescope SUBMISSION RESULTS --only NAME ...`, which grades the submission folder
(.py files, or notebooks: their code cells minus the test cells) with the hidden checks and writes `results.json` in
Gradescope's format: one test per check, hidden checks visible `after_published`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

from grader.engine.inputs import PUBLIC, Inputs
from grader.engine.results import SubmissionResult
from grader.integrations import grading_key

PACKAGES = ("grader", "autograde_tests")
# The versions that decide grades: Gradescope's image gets the ones the instructor graded with.
PINNED = ("torch", "hypothesis")
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: install dlgrade from this zip.
# Supported base image: Ubuntu 22.04 (Gradescope's default) with Python 3.10 or newer.
# DLGRADE_AUTOGRADER_ROOT exists for testing the zip outside Gradescope.
set -euo pipefail
ROOT="${{DLGRADE_AUTOGRADER_ROOT:-/autograder}}"
apt-get update -q
apt-get install -y -q python3 python3-pip python3-venv
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10) and "dlgrade needs Python 3.10 or newer (Ubuntu 22.04 has 3.10)")'
python3 -m venv "$ROOT/venv"
# torch alone from PyTorch's CPU wheel index: the default index would pull the CUDA build (several GB).
"$ROOT/venv/bin/pip" install -q -c "$ROOT/source/constraints.txt" --index-url {cpu_index} torch
# Then dlgrade with only what grading needs (no Jupyter stack: that is the optional [nbgrader] extra).
"$ROOT/venv/bin/pip" install -q -c "$ROOT/source/constraints.txt" "$ROOT/source"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into results/results.json.
# DLGRADE_AUTOGRADER_ROOT and DLGRADE_PYTHON exist for testing the zip outside Gradescope.
set -uo pipefail
# Both made absolute before the cd below: a relative path means from where this was started.
ROOT="$(cd "${{DLGRADE_AUTOGRADER_ROOT:-/autograder}}" && pwd)" || exit 1
PYTHON="${{DLGRADE_PYTHON:-$ROOT/venv/bin/python}}"
case "$PYTHON" in
  /*) ;;
  */*) PYTHON="$PWD/$PYTHON" ;;  # a bare name (python3) is looked up on PATH as it is
esac
mkdir -p "$ROOT/results"
cd "$ROOT/source"
exec "$PYTHON" -m grader.integrations.gradescope "$ROOT/submission" "$ROOT/results/results.json"{only}{key}
"""
KEY_FILE = "grading-key"  # in the zip, beside setup.sh: the instructor's key, for secret inputs

README = "# dlgrade\n\nThe Gradescope autograder of dlgrade (see docs/gradescope.md).\n"


def _test(number: str, exercise, check) -> dict:
    return {"name": f"{exercise.name}: {check.name}", "number": number, "score": check.points,
            "max_score": check.max_points, "status": "passed" if check.passed else "failed",
            "output": check.message if not check.passed else "",
            "visibility": "after_published" if check.hidden else "visible"}


def results_json(result: SubmissionResult, *, notes: list[str] = (), execution_time: float = 0.0) -> dict:
    """Gradescope's results.json for one graded submission."""
    tests = [_test(f"{i}.{j}", exercise, check)
             for i, exercise in enumerate(result.exercises, start=1)
             for j, check in enumerate(exercise.checks, start=1)]
    lines = list(notes) + [f"{e.name}: {e.score:g}/{e.max_score:g}" + (f" ({e.message})" if e.message else "")
                           for e in result.exercises]
    return {"score": result.score, "execution_time": round(execution_time, 3), "output": "\n".join(lines),
            "output_format": "text", "stdout_visibility": "hidden", "tests": tests}


def failed_results(message: str) -> dict:
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {message}", "tests": []}


def prepare_submission(submission: Path, out: Path) -> list[str]:
    """Copies the submission's code into `out`, leaving out junk folders (hidden, __MACOSX, caches);
    returns a note for each file that is not graded (sources.not_read: unreadable, too large, a link
    outside, an archive), as `check` says it. Notebooks are graded by their code cells minus the
    test cells, like every other path (grader.isolation.cells)."""
    from grader.isolation.sources import not_read, skipped_dir  # noqa: PLC0415

    def ignore(folder, names):
        return [n for n in names if n.startswith(".") or (Path(folder, n).is_dir() and skipped_dir(n))]

    shutil.copytree(submission, out, ignore=ignore, symlinks=True)
    # Our copy, readable by the confined worker, which runs as another user, whatever the upload's modes.
    for path in [out, *out.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return [f"not read: {note}" for note in not_read(out)]


def grade(submission: Path, names=(), *, timeout: float | None = None, inputs: Inputs = PUBLIC) -> dict:
    from grader.engine import registry  # noqa: PLC0415
    from grader.engine.examples import grading_plan  # noqa: PLC0415
    from grader.engine.grading import GradingOptions, grade_submission  # noqa: PLC0415

    start = time.monotonic()
    exercises = registry.select(list(names))
    with tempfile.TemporaryDirectory(prefix="dlgrade-gradescope-") as scratch:
        folder = Path(scratch) / "submission"
        notes = prepare_submission(Path(submission), folder)
        options = GradingOptions() if timeout is None else GradingOptions(timeout=timeout)
        plan = grading_plan(exercises, inputs=inputs, avoid=[submission, folder])
        result = grade_submission(folder, plan, submission_id="submission", options=options)
    return results_json(result, notes=notes, execution_time=time.monotonic() - start)


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower()


def pyproject_toml() -> str:
    """A pyproject.toml installing the zipped packages with the installed dlgrade's runtime
    requirements and its instructor extra's (torch draws the grading plan); no other extra."""
    dist = metadata.distribution("dlgrade")
    runtime = [r.split(";")[0].strip() for r in dist.requires or []
               if "extra ==" not in r or r.replace(" ", "").endswith('extra=="instructor"')]
    dependencies = "".join(f"    {json.dumps(r)},\n" for r in runtime)
    return (f'[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "dlgrade"\nversion = "{dist.version}"\nrequires-python = ">=3.10"\n'
            f'dependencies = [\n{dependencies}]\n\n'
            f'[tool.setuptools.packages.find]\ninclude = {json.dumps([f"{p}*" for p in PACKAGES])}\n')


def constraints_txt() -> str:
    """Pins of the installed versions that decide grades (local labels such as +cpu dropped)."""
    pins = "".join(f"{name}=={metadata.version(name).split('+')[0]}\n" for name in PINNED)
    return "# The versions dlgrade was run with where this zip was built.\n" + pins


def package_files() -> list[tuple[str, Path]]:
    """(name in the zip, file) for every module of the installed packages."""
    found = []
    for package in PACKAGES:
        folder = Path(importlib.import_module(package).__file__).parent
        found += [(str(path.relative_to(folder.parent)), path) for path in sorted(folder.rglob("*.py"))
                  if "__pycache__" not in path.parts]
    return found


def build_zip(out: Path, names=(), *, inputs: Inputs = PUBLIC) -> Path:
    """The autograder zip: setup.sh, run_autograder and dlgrade's source, grading NAMES (all if none)
    on `inputs` (a secret key travels in the zip, readable by its owner only)."""
    only = "".join(f" --only {name}" for name in names)
    key = "" if inputs.key is None else f' --key-file "$ROOT/source/{KEY_FILE}"'
    out = Path(out)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        def add_text(name: str, text: str, mode: int = 0o644) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)

        add_text("setup.sh", SETUP_SH.format(cpu_index=CPU_TORCH_INDEX), 0o755)
        add_text("run_autograder", RUN_AUTOGRADER.format(only=only, key=key), 0o755)
        if inputs.key is not None:
            add_text(KEY_FILE, inputs.key.hex() + "\n", 0o600)
        add_text("pyproject.toml", pyproject_toml())
        add_text("constraints.txt", constraints_txt())
        add_text("README.md", README)
        for name, path in package_files():
            add_text(name, path.read_text())
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Grade a Gradescope submission folder into results.json.")
    parser.add_argument("submission")
    parser.add_argument("results")
    parser.add_argument("--only", action="append", default=[], help="an exercise or topic (repeatable)")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--key-file", help="the grading key (secret inputs); without it, the public inputs")
    args = parser.parse_args(argv)
    try:
        inputs = grading_key.read(Path(args.key_file)) if args.key_file else PUBLIC
        data = grade(Path(args.submission), args.only, timeout=args.timeout, inputs=inputs)
    except Exception as exc:  # noqa: BLE001  (Gradescope must always get a results.json)
        data = failed_results(f"{type(exc).__name__}: {exc}")
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(data, indent=1) + "\n")
    print(data["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
