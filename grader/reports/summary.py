"""The class at a glance, as data: what the HTML report shows and `--summary-json` writes.

Computed from a JSON report (the dict `autograde --json` writes), so it works on old reports too.
Rates are over every student of the report: a missing exercise counts as failing its checks.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

STATUSES = ("graded", "missing", "error", "timeout")
# Run details a report may carry at its top level (shown when present).
RUN_FIELDS = ("dlgrade_version", "date", "sandbox", "inputs", "key_id", "options", "submissions_dir")


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def exercises(report: dict) -> list[dict]:
    """Per exercise, in report order: mean score, share of full marks, status counts."""
    rows: dict[str, dict] = {}
    for sub in report["submissions"]:
        for ex in sub["exercises"]:
            row = rows.setdefault(ex["name"], {"name": ex["name"], "topic": ex["topic"], "max_score": ex["max_score"],
                                               "scores": [], "full": 0, "status_counts": Counter()})
            row["scores"].append(ex["score"])
            row["full"] += ex["status"] == "graded" and all(c["passed"] for c in ex["checks"])
            row["status_counts"][ex["status"]] += 1
    return [{"name": r["name"], "topic": r["topic"], "max_score": r["max_score"],
             "mean": round(statistics.fmean(r["scores"]), 4), "full_marks_share": _share(r["full"], len(r["scores"])),
             "status_counts": {s: r["status_counts"].get(s, 0) for s in STATUSES}} for r in rows.values()]


def checks(report: dict) -> list[dict]:
    """Per check of every exercise, in report order: how many students pass it, among all and among
    those who scored on the exercise (`attempted`: an untouched stub or a missing function says nothing
    about what the class understood)."""
    rows: dict[tuple[str, str], dict] = {}
    for sub in report["submissions"]:
        for ex in sub["exercises"]:
            for check in ex["checks"]:
                row = rows.setdefault((ex["name"], check["name"]), {
                    "exercise": ex["name"], "check": check["name"], "points": check["max_points"],
                    "hidden": check["hidden"], "passed": 0, "students": 0, "attempted": 0, "passed_attempted": 0})
                row["passed"] += bool(check["passed"])
                row["students"] += 1
                if ex["score"] > 0:
                    row["attempted"] += 1
                    row["passed_attempted"] += bool(check["passed"])
    return [{**row, "pass_rate": _share(row["passed"], row["students"]),
             "pass_rate_attempted": _share(row["passed_attempted"], row["attempted"])} for row in rows.values()]


def topics(rows: list[dict]) -> list[dict]:
    """Exercise rows summed per topic (for the chart of a large assignment)."""
    found: dict[str, dict] = {}
    for row in rows:
        topic = found.setdefault(row["topic"], {"name": row["topic"], "mean": 0.0, "max_score": 0.0})
        topic["mean"] += row["mean"]
        topic["max_score"] += row["max_score"]
    return list(found.values())


def misconceptions(report: dict) -> list[dict]:
    """Every hint that fired: which check of which exercise, and the students it fired for (most first)."""
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for sub in report["submissions"]:
        for ex in sub["exercises"]:
            for check in ex["checks"]:
                for hint in check.get("hints", ()):
                    students = found[(hint, ex["name"], check["name"])]
                    if sub["id"] not in students:
                        students.append(sub["id"])
    rows = [{"hint": h, "exercise": e, "check": c, "students": s} for (h, e, c), s in found.items()]
    return sorted(rows, key=lambda r: -len(r["students"]))


def self_check_only(report: dict) -> list[dict]:
    """Students whose code passes checks on the self-check's public inputs and fails the same checks
    on the secret inputs they were graded on (results.ExerciseResult.passes_public_inputs_only): a
    lead, never a verdict (a mistake the public inputs happen to miss shows the same way)."""
    rows = []
    for sub in report["submissions"]:
        found = [{"exercise": ex["name"], "checks": list(ex["passes_public_inputs_only"])}
                 for ex in sub["exercises"] if ex.get("passes_public_inputs_only")]
        if found:
            rows.append({"student": sub["id"], "exercises": found,
                         "checks": sum(len(item["checks"]) for item in found)})
    return sorted(rows, key=lambda row: (-row["checks"], row["student"]))


def summary(report: dict, similar_pairs: list[dict] | None = None) -> dict:
    scores = [sub["score"] for sub in report["submissions"]]
    return {
        "students": len(scores),
        "max_score": report.get("max_score"),
        "mean": round(statistics.fmean(scores), 4) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "run": {k: report[k] for k in RUN_FIELDS if k in report},
        "exercises": exercises(report),
        "checks": checks(report),
        "misconceptions": misconceptions(report),
        "similar_pairs": similar_pairs if similar_pairs is not None else [],
        "passes_self_check_inputs_only": self_check_only(report),
    }
