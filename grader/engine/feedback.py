"""The text a student reads when a check fails.

It says what went wrong on which input (shrunk by hypothesis to a small one), the worst element with
expected and actual values, and, when the output matches a known mistake, a hint naming it. It never
shows the reference implementation.
"""

from __future__ import annotations

from grader.engine import formatting
from grader.engine.outcomes import NotReturned, readable, unfinished
from grader.engine.spec import Check, Failure, Outcome


def hints(check: Check, example: dict, outcome: Outcome, expected: dict) -> tuple[list[str], list[str]]:
    """The texts of the hints that apply, and the faults of those that raised (the grader's own)."""
    found, faults = [], []
    if unfinished(outcome.error):
        return found, faults  # an unfinished stub has no mistake to name (some hints do judge errors, e.g. division by zero)
    outcome = readable(outcome)
    for hint in check.hints:
        try:
            if hint.text not in found and hint.applies(example, outcome, expected):
                found.append(hint.text)
        except NotReturned:
            continue  # it names a mistake in a part that did not come back: the failure says why
        except Exception as exc:
            faults.append(f"a hint of the check {check.name!r} raised {type(exc).__name__}: {exc}")
    return found, faults


def check_message(example: dict, failure: Failure, hint_texts: list[str], faults: list[str] = (), *, shrunk: bool,
                  every_input: bool, note: str | None = None) -> str:
    """The message; `faults` are the grader faults met while judging it (hints that raised); `note`
    says why the input was not shrunk, when another function's failure explains this one."""
    label = "on every input, for example" if every_input else "failing input (shrunk)" if shrunk else "failing input"
    lines = [failure.summary, f"  {label}:", formatting.example(example)]
    lines += [f"  {detail}" for detail in failure.details]
    lines += [f"  hint: {text}" for text in hint_texts]
    lines += [f"  {note}"] if note else []
    lines += [f"  grader error (not your fault): {fault}" for fault in faults]
    return "\n".join(lines)


def static_message(failure: Failure) -> str:
    return "\n".join([failure.summary, *(f"  {d}" for d in failure.details)])
