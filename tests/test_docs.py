"""The documentation in the repository is right: the contract lists every exercise as the registry
grades it, the README shows what `check` really prints, and no link leads outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine import registry
from grader.integrations.contract_doc import CONTRACT, contract_text
from grader.integrations.notebooks import signature, split_solution
from tests.catalogue import PROJECT

DOCS = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]
README_EXAMPLE = "<!-- `dlgrade check softmax --path my_hw` on tests/test_docs.py's readme_student; a test compares -->"


def test_contract_is_up_to_date_with_the_registry():
    current = CONTRACT.read_text()
    assert contract_text(current) == current, "docs/contract.md drifted: python -m grader.integrations.contract_doc"


@pytest.mark.parametrize("topic", registry.topics())
def test_contract_has_every_exercise_with_its_signature_and_points(topic):
    text = CONTRACT.read_text()
    path = PROJECT / "solutions" / f"{topic}.py"
    exercises = {ex.name: ex for ex in registry.select([topic])}
    if not path.is_file():
        assert all(f"`{name}`" in text for name in exercises)
        return
    source = path.read_text()
    for chunk in split_solution(source, list(exercises), str(path)):
        if chunk.exercise is not None:
            points = exercises[chunk.exercise].max_points(include_hidden=True)
            assert f"### `{signature(chunk.node, source)}` ({points:g} points)" in text


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_stay_inside_the_repository(doc):
    text = doc.read_text()
    assert "../shared" not in text and "/work/" not in text
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if not re.match(r"[a-z]+://", target):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def readme_student(folder: Path) -> None:
    """The README's example: softmax and the naive loss done, the vectorized loss's dW not divided by N,
    softmax_loss not started."""
    names = [ex.name for ex in registry.select(["softmax"])]
    solution = split_solution((PROJECT / "solutions" / "softmax.py").read_text(), names)
    stub = {c.exercise: c.text for c in split_solution((PROJECT / "exercises" / "softmax.py").read_text(), names)}
    text = "\n\n".join(stub[c.exercise] if c.exercise == "softmax_loss" else c.text for c in solution)
    folder.mkdir()
    (folder / "softmax.py").write_text(text.replace("dW = X.T.dot(dscores) / num_train", "dW = X.T.dot(dscores)"))


def test_readme_shows_what_check_prints(tmp_path):
    readme = (PROJECT / "README.md").read_text()
    shown = re.search(re.escape(README_EXAMPLE) + r"\n```\n\$ (.*?)\n(.*?)```", readme, re.S)
    assert shown, "the README's check example is gone"
    readme_student(tmp_path / "my_hw")
    command = shown.group(1).split()
    assert command[:1] == ["dlgrade"]
    done = subprocess.run([sys.executable, "-m", "grader.cli", *command[1:]], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 1, done.stderr
    assert shown.group(2) == done.stdout, f"update the README's example to:\n{done.stdout}"
