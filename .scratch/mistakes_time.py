import sys, time
from pathlib import Path
from grader.engine import registry, plan_cache
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, grade_submission
from tests.catalogue import topic_modules
topic = sys.argv[1]; root = Path(sys.argv[2]); root.mkdir(parents=True, exist_ok=True)
plan = make_plan(registry.select([topic]), include_hidden=True, cache=plan_cache.default_cache())
opts = GradingOptions()
t0 = time.perf_counter(); grade_submission(Path("solutions"), plan, submission_id="x", options=opts); print("pass", round(time.perf_counter()-t0,2))
t0 = time.perf_counter(); grade_submission(Path("solutions"), plan, submission_id="x", options=opts); print("pass", round(time.perf_counter()-t0,2))
mistakes = topic_modules()[topic].MISTAKES
which = [int(a) for a in sys.argv[3:]] or range(len(mistakes))
for i in which:
    v = mistakes[i]
    f = root / f"m{i}"; f.mkdir(exist_ok=True); (f / f"{topic}.py").write_text(v.source(topic))
    t0 = time.perf_counter()
    r = grade_submission(f, plan, submission_id="x", options=GradingOptions())
    print(f"{time.perf_counter()-t0:6.2f}s {r.score}/{r.max_score} {v.id}", flush=True)
