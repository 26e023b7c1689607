"""What a regrade changed: two JSON reports compared student by student, check by check."""

from __future__ import annotations

from dataclasses import dataclass, field


def _points(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Flip:
    exercise: str
    check: str
    now_passed: bool | None  # None: the check is only in the old report


@dataclass(frozen=True)
class StudentChange:
    student: str
    old_score: float
    new_score: float
    flips: tuple[Flip, ...] = ()
    statuses: tuple[tuple[str, str, str], ...] = ()  # (exercise, old status, new status)


@dataclass(frozen=True)
class ReportDiff:
    changed: tuple[StudentChange, ...] = ()
    added: tuple[str, ...] = ()  # students only in the new report
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def nothing_changed(self) -> bool:
        return not (self.changed or self.added or self.removed or self.notes)


def _checks(sub: dict) -> dict[tuple[str, str], bool]:
    return {(ex["name"], c["name"]): bool(c["passed"]) for ex in sub["exercises"] for c in ex["checks"]}


def _student(old: dict, new: dict) -> StudentChange | None:
    before, after = _checks(old), _checks(new)
    flips = [Flip(ex, check, after.get((ex, check))) for (ex, check), passed in before.items()
             if after.get((ex, check)) != passed]
    flips += [Flip(ex, check, passed) for (ex, check), passed in after.items() if (ex, check) not in before]
    old_status = {ex["name"]: ex["status"] for ex in old["exercises"]}
    statuses = [(ex["name"], old_status[ex["name"]], ex["status"]) for ex in new["exercises"]
                if ex["name"] in old_status and old_status[ex["name"]] != ex["status"]]
    if not flips and not statuses and old["score"] == new["score"]:
        return None
    return StudentChange(new["id"], old["score"], new["score"], tuple(flips), tuple(statuses))


def compare(old: dict, new: dict) -> ReportDiff:
    before = {s["id"]: s for s in old["submissions"]}
    after = {s["id"]: s for s in new["submissions"]}
    changes = [_student(before[sid], after[sid]) for sid in after if sid in before]
    notes = []
    if old.get("max_score") != new.get("max_score"):
        notes.append(f"maximum score {old.get('max_score')} -> {new.get('max_score')}")
    return ReportDiff(tuple(c for c in changes if c), tuple(sid for sid in after if sid not in before),
                      tuple(sid for sid in before if sid not in after), sum(c is None for c in changes), tuple(notes))


def _flip_text(flip: Flip) -> str:
    change = "now passes" if flip.now_passed else "no longer in the report" if flip.now_passed is None else "now fails"
    return f"    {flip.exercise}: {flip.check}: {change}"


def diff_text(diff: ReportDiff) -> str:
    if diff.nothing_changed:
        return f"No changes: {diff.unchanged} student(s), the same scores and the same checks passed."
    lines = [f"Changed: {len(diff.changed)} student(s); unchanged: {diff.unchanged}."]
    lines += [f"Note: {note}" for note in diff.notes]
    for change in sorted(diff.changed, key=lambda c: (-abs(c.new_score - c.old_score), c.student)):
        delta = change.new_score - change.old_score
        lines.append(f"{change.student}: {_points(change.old_score)} -> {_points(change.new_score)} "
                     f"({'+' if delta >= 0 else ''}{_points(round(delta, 6))})")
        lines += [f"    {ex}: status {a} -> {b}" for ex, a, b in change.statuses]
        lines += [_flip_text(flip) for flip in change.flips]
    if diff.added:
        lines.append(f"Only in the new report: {', '.join(diff.added)}")
    if diff.removed:
        lines.append(f"Only in the old report: {', '.join(diff.removed)}")
    return "\n".join(lines)
