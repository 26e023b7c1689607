"""The `autograded/<student>/<assignment>/` notebooks of `dlgrade autograde --course`.

nbgrader's `generate_feedback` and the formgrader read a course's autograded notebooks, next to the
scores of its gradebook. The hardened path writes them as stock `nbgrader autograde` would, with the
hardened results: each student's submitted notebook, every test cell's output replaced by the
feedback and score of its exercise (nothing left from an earlier stock run), and the messages about
the notebook itself in a markdown cell at the top. Cells the gradebook does not know lose their
nbgrader metadata, so that generate_feedback finds every cell it looks up.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.reports import text as reports

MESSAGE_CELL_ID = "dlgrade-messages"


def _known_cells(gradebook, topic: str) -> dict[str, set[str]]:
    """The grade, solution and task cell names of each notebook of the assignment, by notebook."""
    assignment = gradebook.find_assignment(topic)
    return {nb.name: {c.name for c in (*nb.grade_cells, *nb.solution_cells, *nb.task_cells)}
            for nb in assignment.notebooks}


def _test_cell_outputs(exercise) -> list:
    from nbformat import v4  # noqa: PLC0415

    return [v4.new_output("stream", name="stdout", text=reports.exercise_summary(exercise) + "\n"),
            v4.new_output("execute_result", data={"text/plain": repr(float(exercise.score))}, execution_count=None)]


def autograded_notebook(path: Path, fallback: Path | None, known: set[str], result, messages: list[str]):
    """The autograded version of a submitted notebook (the released one if the submission is unreadable)."""
    import nbformat  # noqa: PLC0415
    from nbformat import v4  # noqa: PLC0415

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001  (any unreadable file: its messages say why)
        if fallback is None:
            return None
        notebook = nbformat.read(fallback, as_version=4)
    by_name = {e.name: e for e in result.exercises}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id and grade_id not in known:
            del cell.metadata["nbgrader"]
        elif cell.cell_type == "code" and meta.get("grade") and grade_id in by_name:
            cell.outputs = _test_cell_outputs(by_name[grade_id])
    notebook.cells = [c for c in notebook.cells if c.get("id") != MESSAGE_CELL_ID]
    if messages:
        text = "**dlgrade autograde:**\n\n" + "\n".join(f"- {m}" for m in messages)
        notebook.cells.insert(0, v4.new_markdown_cell(text, id=MESSAGE_CELL_ID))
    return notebook


def write_autograded(course: Path, topic: str, gradebook, submissions, results, messages) -> None:
    """Writes autograded/<student>/<topic>/<notebook>.ipynb for every graded submission."""
    import nbformat  # noqa: PLC0415

    known = _known_cells(gradebook, topic)
    by_student = {r.id: r for r in results}
    for student, folder in submissions:
        result = by_student[student]
        out = course / "autograded" / student / topic
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for path in sorted(folder.glob("*.ipynb")):
            if path.stem not in known:  # not a notebook of the assignment: the gradebook has no scores for it
                continue
            released = course / "release" / topic / path.name
            notebook = autograded_notebook(path, released if released.exists() else None, known[path.stem], result,
                                           messages.get(student, []))
            if notebook is not None:
                nbformat.write(notebook, out / path.name)
        if (folder / "timestamp.txt").exists():
            shutil.copy(folder / "timestamp.txt", out / "timestamp.txt")
