"""Trace one student's shrinks: when does each improvement happen?"""
import sys, time
from pathlib import Path
from grader.engine import registry, plan_cache, shrinking
from grader.engine.examples import make_plan, example_key
from grader.engine.grading import GradingOptions, grade_submission
from tests.catalogue import topic_modules

orig = shrinking.shrink
def traced(exercise, scenario, verify, *, start, cache, run_one, budget, references):
    t0 = time.perf_counter()
    log = []
    n = {"eval": 0, "calls": 0}
    def run_one2(ex, e):
        n["calls"] += 1
        return run_one(ex, e)
    # wrap check.verify to see evaluations
    class C:
        pass
    import dataclasses
    pass
    def v(ex, out, exp):
        n["eval"] += 1
        f = verify(ex, out, exp)
        if f is not None:
            size = sum(getattr(a, "size", 1) for a in ex.values())
            log.append((n["eval"], n["calls"], round(time.perf_counter() - t0, 2), size))
        return f
    c2 = v
    r = orig(exercise, scenario, c2, start=start, cache=cache, run_one=run_one2, budget=budget, references=references)
    print(f"{exercise.name}/{scenario.name}: total {time.perf_counter()-t0:.2f}s evals {n['eval']} calls {n['calls']}")
    changes=[l for i,l in enumerate(log) if i==0 or l[3]!=log[i-1][3]]
    print("   size changes (eval#, call#, t, size):", changes, "last", log[-1] if log else None)
    return r
import grader.engine.grading as g
g.shrink = traced
topic, index = sys.argv[1], int(sys.argv[2])
plan = make_plan(registry.select([topic]), include_hidden=True, cache=plan_cache.default_cache())
variant = topic_modules()[topic].MISTAKES[index]
folder = Path(sys.argv[3]) / f"m{index}"
folder.mkdir(parents=True, exist_ok=True)
(folder / f"{topic}.py").write_text(variant.source(topic))
t0 = time.perf_counter()
result = grade_submission(folder, plan, submission_id="x", options=GradingOptions())
print(variant.id, time.perf_counter() - t0)
