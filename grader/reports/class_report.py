"""From a JSON report to the instructor's files: the class page, the summary as data, feedback pages.

This is the I/O layer of `dlgrade report` and of `autograde --html/--summary-json/--feedback`; the
content comes from summary.py, similarity.py and html.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from grader.reports import html, similarity, summary

PROJECT = Path(__file__).resolve().parent.parent.parent
RELEASED_STUBS = PROJECT / "exercises"


class ReportError(Exception):
    """A report file that cannot be read: the message is one line for the user."""


def load(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path} is not a JSON report: {exc}") from None
    if not (isinstance(data, dict) and isinstance(data.get("submissions"), list)
            and all(isinstance(s, dict) and {"id", "score", "exercises"} <= set(s) for s in data["submissions"])):
        raise ReportError(f"{path} is not a dlgrade JSON report (no list of submissions with id, score and exercises)")
    return data


def submission_folders(report: dict, submissions_dir: Path | None) -> dict[str, Path]:
    """Each student's code: under `submissions_dir` when given, else where the report says it was graded."""
    folders = {}
    for sub in report["submissions"]:
        folder = Path(submissions_dir) / sub["id"] if submissions_dir else Path(sub["folder"]) if sub.get("folder") else None
        if folder is not None and folder.is_dir():
            folders[sub["id"]] = folder
    return folders


def class_summary(report: dict, *, submissions_dir: Path | None = None, stubs: Path | None = RELEASED_STUBS) -> dict:
    folders = submission_folders(report, submissions_dir)
    stubs = stubs if stubs and stubs.is_dir() else None
    codes = similarity.compared_code(folders, stubs)
    pairs = similarity.similar_pairs(report, folders=folders, stubs=stubs, codes=codes)
    data = summary.summary(report, [p.to_dict() for p in pairs])
    data["code_compared"] = len(folders)  # students whose code was found for structural similarity
    # What the comparison did not read of each student (similarity's bounds), by student.
    data["code_not_compared"] = {student: list(code.not_compared) for student, code in codes.items()
                                 if code.not_compared}
    return data


def write(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_class_files(report: dict, *, html_file: Path | None, summary_file: Path | None,
                      submissions_dir: Path | None = None, run: dict | None = None) -> dict:
    data = class_summary(report, submissions_dir=submissions_dir)
    data["run"] = {**data["run"], **(run or {})}
    if html_file:
        write(html_file, html.class_report(report, data))
    if summary_file:
        write(summary_file, json.dumps(data, indent=1) + "\n")
    return data


def _file_name(student: str) -> str:
    return re.sub(r"[^\w.-]", "_", student) + ".html"


def write_feedback(report: dict, folder: Path) -> list[Path]:
    """One page per student, named after the student's id."""
    written = []
    for sub in report["submissions"]:
        path = Path(folder) / _file_name(sub["id"])
        write(path, html.student_page(sub))
        written.append(path)
    return written
