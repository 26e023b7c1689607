import sys, time
from pathlib import Path
from grader.engine import registry, plan_cache
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, GradingStats, grade_submission
topic = sys.argv[1]
plan = make_plan(registry.select([topic]), include_hidden=True, cache=plan_cache.default_cache())
for i in range(3):
    stats = GradingStats()
    t0 = time.perf_counter(); c0 = time.process_time()
    r = grade_submission(Path("solutions"), plan, submission_id="x", options=GradingOptions(stats=stats))
    print("pass wall", round(time.perf_counter() - t0, 2), "cpu", round(time.process_time() - c0, 2), "student", round(stats.student_seconds, 2), r.score, r.max_score)
