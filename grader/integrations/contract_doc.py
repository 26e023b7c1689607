"""docs/contract.md: the exercise contract, its per-exercise part generated from the registry and solutions/.

Above the marker line is prose written by hand (conventions, how grading works); below it, for every
topic of the registry, each exercise's signature, points, docstring and graded properties, from the
same code as the notebooks' contract cells. Run `python -m grader.integrations.contract_doc` after
changing an exercise; a test fails when the file drifts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grader.engine import registry
from grader.integrations.notebooks import contract_markdown, module_docstring, split_solution

PROJECT = Path(__file__).resolve().parents[2]
CONTRACT = PROJECT / "docs" / "contract.md"
MARKER = "<!-- Everything below is generated from the registry: python -m grader.integrations.contract_doc -->"


def exercises_text(solutions: Path = PROJECT / "solutions") -> str:
    """The generated part: every topic with every exercise, in registry order."""
    parts = []
    for topic in registry.topics():
        exercises = registry.select([topic])
        path = solutions / f"{topic}.py"
        parts.append(f"## Topic `{topic}` (exercises/{topic}.py)")
        if not path.is_file():
            parts.append("No reference solution yet: " + ", ".join(f"`{ex.name}`" for ex in exercises) + ".")
            continue
        source = path.read_text()
        docstring = module_docstring(source)
        if docstring:
            parts.append(docstring)
        by_name = {ex.name: ex for ex in exercises}
        for chunk in split_solution(source, list(by_name), str(path)):
            if chunk.exercise is not None:
                parts.append(contract_markdown(by_name[chunk.exercise], chunk.node, source, heading="###",
                                               graded_on="Graded on these properties (points):"))
    return "\n\n".join(parts) + "\n"


def contract_text(current: str) -> str:
    """The file with its generated part brought up to date (the hand-written part kept)."""
    head = current.split(MARKER)[0].rstrip("\n")
    return f"{head}\n\n{MARKER}\n\n{exercises_text()}"


def main() -> int:
    current = CONTRACT.read_text()
    fresh = contract_text(current)
    if fresh != current:
        CONTRACT.write_text(fresh)
        print(f"updated {CONTRACT.relative_to(PROJECT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
