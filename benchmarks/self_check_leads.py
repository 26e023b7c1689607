"""How often an honest mistake shows as a hard-coding lead, and which checks the two kinds of inputs disagree on.

Every catalogued mistake (tests/catalogue/) is graded on the public inputs of the self-check and on
the secret inputs of a grading key (no shrinking: verdicts only). Printed, per topic and in all:
- leads: mistakes the class report would list as "passes the inputs of the self-check, fails new
  ones" (a check failed on the secret inputs passes on the public ones), with the checks; an honest
  student with that mistake shows so, so this rate is what the docs quote;
- missed on public: a catalogued check meant to catch the mistake passes on the public inputs (a
  weak check: the self-check tells the student nothing is wrong);
- missed on secret: the same on the secret inputs (the grade misses the mistake).
Several keys (--keys) show how much the figures depend on one draw. Nothing is asserted.

Usage (from the repository root): python -m benchmarks.self_check_leads [--keys 2] [--topic softmax]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.engine import registry
from grader.engine.examples import grading_plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.engine.inputs import PUBLIC, Inputs
from grader.engine.shrinking import ShrinkBudget
from tests.catalogue import topic_modules

OPTIONS = GradingOptions(timeout=60, shrink=ShrinkBudget(calls=0))


def _grade(folder: Path, plan):
    return grade_submission(folder, plan, submission_id=folder.name, options=OPTIONS).exercises[0]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1, help="grading keys to try (each a fixed, known key)")
    parser.add_argument("--topic", action="append", default=[], help="only these topics (repeatable)")
    args = parser.parse_args(argv)
    modules = {t: m for t, m in topic_modules().items() if not args.topic or t in args.topic}
    started = time.monotonic()
    totals = {"mistakes": 0, "leads": 0, "missed on public": 0, "missed on secret": 0}
    for key_index in range(args.keys):
        inputs = Inputs(bytes([key_index + 1]) * 16)
        print(f"\nGrading key {key_index + 1} (id {inputs.key_id})")
        for topic, module in modules.items():
            mistakes = list(module.MISTAKES)
            names = sorted({m.exercise for m in mistakes})
            exercises = [registry.exercise(name) for name in names]
            secret = grading_plan(exercises, inputs=inputs)
            public = grading_plan(exercises, inputs=PUBLIC)
            plans = {name: (_one(secret, name), _one(public, name)) for name in names}

            def grade(indexed, root):
                index, variant = indexed
                folder = Path(root) / f"{topic}{index}"
                folder.mkdir()
                (folder / f"{topic}.py").write_text(variant.source(topic))
                on_secret, on_public = plans[variant.exercise]
                return variant, _grade(folder, on_secret), _grade(folder, on_public)

            with tempfile.TemporaryDirectory() as root, ThreadPoolExecutor(max_workers=2) as pool:
                graded = list(pool.map(lambda item: grade(item, root), enumerate(mistakes)))
            leads, weak_public, weak_secret = [], [], []
            for variant, on_secret, on_public in graded:
                passed_public = {c.name for c in on_public.checks if c.passed}
                passed_secret = {c.name for c in on_secret.checks if c.passed}
                if on_secret.passes_public_inputs_only:
                    leads.append((variant.id, on_secret.passes_public_inputs_only))
                weak_public += [(variant.id, c) for c in variant.loses if c in passed_public and c not in passed_secret]
                weak_secret += [(variant.id, c) for c in variant.loses if c in passed_secret and c not in passed_public]
            print(f"  {topic:14s} {len(mistakes):4d} mistakes  {len(leads):3d} leads  "
                  f"{len(weak_public):3d} missed on public  {len(weak_secret):3d} missed on secret")
            for what, rows in (("lead", leads), ("missed on public", weak_public), ("missed on secret", weak_secret)):
                for name, checks in rows:
                    print(f"      {what}: {name}: {checks if isinstance(checks, str) else '; '.join(checks)}")
            totals["mistakes"] += len(mistakes)
            totals["leads"] += len(leads)
            totals["missed on public"] += len(weak_public)
            totals["missed on secret"] += len(weak_secret)
    share = totals["leads"] / totals["mistakes"] if totals["mistakes"] else 0.0
    print(f"\nAll: {totals['mistakes']} mistake gradings, {totals['leads']} leads ({share:.1%}), "
          f"{totals['missed on public']} checks missed on public inputs only, "
          f"{totals['missed on secret']} on secret inputs only; {time.monotonic() - started:.0f} s")


def _one(plan, name: str):
    """The plan of one exercise (with its public companion)."""
    from dataclasses import replace  # noqa: PLC0415

    exercise = next(ex for ex in plan.exercises if ex.name == name)
    public = _one(plan.public, name) if plan.public else None
    return replace(plan, exercises=(exercise,), scenarios={name: plan.scenarios[name]}, public=public)


if __name__ == "__main__":
    main()
