"""The instructor's class report and the students' feedback pages: self-contained HTML from Jinja2 templates.

Everything is inline (CSS, the few lines of JavaScript that sort tables, the matplotlib plots as SVG),
so a page opens from a file, offline, and can be mailed or uploaded as it is.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from grader.reports import plots
from grader.reports.summary import topics

MAX_CHART_BARS = 20  # beyond this many exercises the chart shows topics (the table still has every exercise)


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("grader.reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = lambda x: f"{x:g}" if isinstance(x, (int, float)) else "-"
    env.filters["percent"] = lambda x: f"{100 * x:.0f}%"
    return env


def highlighted(code: str, spans: list[list[int]]) -> Markup:
    """The code with each [start, end) character span wrapped in <mark>."""
    parts, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        parts += [escape(code[at:start]), Markup("<mark>"), escape(code[start:end]), Markup("</mark>")]
        at = end
    parts.append(escape(code[at:]))
    return Markup("").join(parts)


def _pair_view(pair: dict) -> dict:
    evidence = pair["evidence"]
    if pair["kind"] != "structural":
        return pair
    sides = [highlighted(code, spans) for code, spans in zip(evidence["code"], evidence["matches"])]
    return {**pair, "sides": sides}


def _pairs_by_students(pairs: list[dict]) -> list[dict]:
    """One entry per pair of students with the evidence of each kind; pairs flagged both ways first."""
    grouped: dict[frozenset, dict] = {}
    for pair in pairs:
        entry = grouped.setdefault(frozenset(pair["students"]), {"students": sorted(pair["students"]), "kinds": {}})
        entry["kinds"][pair["kind"]] = _pair_view(pair)
    return sorted(grouped.values(), key=lambda e: (-len(e["kinds"]), -max(p["score"] for p in e["kinds"].values()),
                                                  e["students"]))


def _groups(pairs: list[dict]) -> list[list[str]]:
    """Students linked by flagged pairs, as groups (a copy of a copy links three students)."""
    groups: list[set[str]] = []
    for pair in pairs:
        linked = [g for g in groups if g & set(pair["students"])]
        merged = set(pair["students"]).union(*linked)
        groups = [g for g in groups if g not in linked] + [merged]
    return sorted(sorted(g) for g in groups)


def _status_of(exercise: dict) -> str:
    if exercise["status"] != "graded":
        return exercise["status"]
    if all(c["passed"] for c in exercise["checks"]):
        return "full"
    return "partial" if exercise["score"] > 0 else "zero"


def _without_hint_lines(check: dict) -> dict:
    """The check with its message minus the `hint:` lines, which the page shows as call-outs."""
    lines = {f"  hint: {h}" for h in check.get("hints", ())}
    return {**check, "message": "\n".join(l for l in check["message"].splitlines() if l not in lines)}


def _student_view(sub: dict, *, show_hidden: bool) -> dict:
    exercises = []
    for ex in sub["exercises"]:
        failed = [_without_hint_lines(c) for c in ex["checks"] if not c["passed"] and (show_hidden or not c["hidden"])]
        hidden_failed = sum(1 for c in ex["checks"] if not c["passed"] and c["hidden"] and not show_hidden)
        exercises.append({**ex, "state": _status_of(ex), "failed": failed, "hidden_failed": hidden_failed})
    return {**sub, "exercises": exercises}


def _mistakes(misconceptions: list[dict]) -> list[dict]:
    """Misconceptions grouped by hint text (one mistake can fire on several checks), most students first."""
    grouped: dict[str, dict] = {}
    for m in misconceptions:
        row = grouped.setdefault(m["hint"], {"hint": m["hint"], "students": [], "where": []})
        row["students"] += [s for s in m["students"] if s not in row["students"]]
        row["where"].append(f"{m['exercise']} ({m['check']})")
    return sorted(grouped.values(), key=lambda r: -len(r["students"]))


def class_report(report: dict, summary: dict) -> str:
    """The instructor's page."""
    scores = [s["score"] for s in report["submissions"]]
    hardest = sorted((c for c in summary["checks"] if c["attempted"] and c["pass_rate_attempted"] < 1),
                     key=lambda c: (c["pass_rate_attempted"], -c["attempted"]))
    many = len(summary["exercises"]) > MAX_CHART_BARS
    chart_rows = topics(summary["exercises"]) if many else summary["exercises"]
    return _environment().get_template("class.html.j2").render(
        report=report, summary=summary, run=summary["run"],
        histogram=Markup(plots.score_histogram(scores, report["max_score"])) if scores else "",
        exercise_chart=Markup(plots.exercise_means(chart_rows)) if chart_rows else "",
        chart_title="Mean score per topic" if many else "Mean score per exercise",
        hardest=hardest[:8], mistakes=_mistakes(summary["misconceptions"]), pairs=_pairs_by_students(summary["similar_pairs"]), groups=_groups(summary["similar_pairs"]),
        students=[_student_view(s, show_hidden=True) for s in report["submissions"]])


def student_page(submission: dict) -> str:
    """One student's scores and feedback. Hidden checks show as failed without their message: their
    inputs are what makes them hidden."""
    return _environment().get_template("student.html.j2").render(student=_student_view(submission, show_hidden=False))
