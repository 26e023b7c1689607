"""The report's plots, drawn by matplotlib as SVG text to inline in the HTML (no files, no network)."""

from __future__ import annotations

import io
import os

os.environ.setdefault("MPLBACKEND", "Agg")  # never a GUI backend: reports are built on servers

import matplotlib  # noqa: E402

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

BLUE, GREY = "#3b6ea8", "#d9dee5"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "dlgrade"}):  # text stays text; stable ids
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={k: None for k in ("Date", "Creator", "Format", "Type")})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG sits inside HTML


def score_histogram(scores: list[float], max_score: float) -> str:
    """Students per band of 10% of the maximum score."""
    figure = Figure(figsize=(5.2, 2.4))
    axes = figure.add_subplot()
    shares = [100 * s / max_score if max_score else 0 for s in scores]
    axes.hist(shares, bins=[i * 10 for i in range(11)], color=BLUE, edgecolor="white")
    axes.set_xlim(0, 100)
    axes.set_xlabel("score (% of maximum)")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def exercise_means(rows: list[dict]) -> str:
    """One horizontal bar per row (exercise or topic): mean score as a share of its points, grey up to 100%."""
    rows = [r for r in rows if r["max_score"]]
    figure = Figure(figsize=(5.2, 0.3 * len(rows) + 0.7))
    axes = figure.add_subplot()
    names = [r["name"] for r in rows][::-1]
    means = [100 * r["mean"] / r["max_score"] for r in rows][::-1]
    axes.barh(names, [100] * len(rows), color=GREY)
    axes.barh(names, means, color=BLUE)
    axes.set_xlim(0, 100)
    axes.set_xlabel("mean score (% of the points)")
    axes.tick_params(axis="y", length=0)
    axes.spines[["top", "right", "left"]].set_visible(False)
    return _svg(figure)
