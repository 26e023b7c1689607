"""A Canvas gradebook CSV (Grades > Import) from a JSON report and a roster.

The roster is a CSV with Canvas's identity columns (Student, ID, SIS User ID, SIS Login ID, Section):
Canvas's own gradebook export works as it is. Each row is matched to a submission folder by its
`folder` column when the roster has one, else by SIS Login ID, SIS User ID, ID or Student equal to the
folder's name. One column per topic of the report (an nbgrader assignment is a topic), headed by the
topic's name or by the header given for it (Canvas matches columns to assignments by name, or by
"Name (assignment id)"); a "Points Possible" row follows the header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MATCH_BY = ("folder", "SIS Login ID", "SIS User ID", "ID", "Student")


class RosterError(Exception):
    """A roster that cannot be used: the message is one line for the user."""


@dataclass(frozen=True)
class CanvasExport:
    text: str
    no_submission: tuple[str, ...]  # roster students without a graded folder (their cells are blank)
    not_in_roster: tuple[str, ...]  # graded folders no roster row matched


def read_roster(path: Path) -> list[dict]:
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:  # Canvas exports start with a BOM
            reader = csv.DictReader(handle)
            rows = list(reader)
            fields = set(reader.fieldnames or ())
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"cannot read the roster {path}: {exc}") from None
    if not fields & set(MATCH_BY):
        raise RosterError(f"the roster {path} needs a header with Student, ID, SIS User ID, SIS Login ID "
                          "(Canvas's columns) and optionally folder")
    # Canvas's export has a "Points Possible" row under the header: it is nobody.
    return [r for r in rows if (r.get("Student") or "").strip() != "Points Possible"
            and any((r.get(k) or "").strip() for k in MATCH_BY)]


def _topic_scores(sub: dict) -> dict[str, tuple[float, float]]:
    scores: dict[str, tuple[float, float]] = {}
    for ex in sub["exercises"]:
        got, out_of = scores.get(ex["topic"], (0.0, 0.0))
        scores[ex["topic"]] = (got + ex["score"], out_of + ex["max_score"])
    return scores


def _match(row: dict, ids: set[str]) -> str | None:
    for key in MATCH_BY:
        value = (row.get(key) or "").strip()
        if value in ids:
            return value
    return None


def _points(x: float) -> str:
    return f"{round(x, 6):g}"


def export(report: dict, roster: list[dict], *, headers: dict[str, str] | None = None) -> CanvasExport:
    subs = {s["id"]: s for s in report["submissions"]}
    topics = list(dict.fromkeys(ex["topic"] for s in report["submissions"] for ex in s["exercises"]))
    headers = {t: (headers or {}).get(t, t) for t in topics}
    possible: dict[str, float] = {}
    for sub in report["submissions"]:
        for topic, (_, out_of) in _topic_scores(sub).items():
            possible[topic] = max(possible.get(topic, 0.0), out_of)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*IDENTITY, *(headers[t] for t in topics)])
    writer.writerow(["Points Possible", "", "", "", "", *(_points(possible[t]) for t in topics)])
    matched, no_submission = set(), []
    for row in roster:
        sid = _match(row, set(subs))
        if sid is None:
            no_submission.append((row.get("Student") or row.get("SIS Login ID") or row.get("ID") or "?").strip())
            scores = {}
        else:
            matched.add(sid)
            scores = _topic_scores(subs[sid])
        writer.writerow([(row.get(k) or "").strip() for k in IDENTITY]
                        + [_points(scores[t][0]) if t in scores else "" for t in topics])
    return CanvasExport(buffer.getvalue(), tuple(no_submission), tuple(s for s in subs if s not in matched))
