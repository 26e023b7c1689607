import sys, time
from pathlib import Path
from grader.engine import registry, plan_cache
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from grader.engine.shrinking import ShrinkBudget
from tests.catalogue import topic_modules
topic, index, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
v = topic_modules()[topic].MISTAKES[index]
plan = make_plan(registry.select([v.exercise]), include_hidden=True, cache=plan_cache.default_cache())
f = Path(sys.argv[4]); f.mkdir(parents=True, exist_ok=True); (f / f"{topic}.py").write_text(v.source(topic))
t0 = time.perf_counter()
r = grade_submission(f, plan, submission_id="x", options=GradingOptions(shrink=ShrinkBudget(calls=calls)))
print(v.id, round(time.perf_counter() - t0, 2))
for e in r.exercises:
    for c in e.checks:
        if not c.passed: print("---", c.name, "\n", c.message)
