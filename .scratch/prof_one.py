"""Profile grading one failing student in process."""
import cProfile, pstats, sys, time
from pathlib import Path
from grader.engine import registry, plan_cache
from grader.engine.examples import make_plan
from grader.engine.grading import GradingOptions, GradingStats, grade_submission
from tests.catalogue import topic_modules

topic, index = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
plan = make_plan(registry.select([topic]), include_hidden=True, cache=plan_cache.default_cache())
print("plan", time.perf_counter() - t0, flush=True)
variant = topic_modules()[topic].MISTAKES[index]
folder = Path(sys.argv[3]) / f"m{index}"
folder.mkdir(parents=True, exist_ok=True)
(folder / f"{topic}.py").write_text(variant.source(topic))
stats = GradingStats()
opts = GradingOptions(stats=stats)
# one passing first (warm)
prof = cProfile.Profile()
t0 = time.perf_counter(); c0 = time.process_time()
prof.enable()
result = grade_submission(folder, plan, submission_id="x", options=opts)
prof.disable()
print(variant.id, "wall", time.perf_counter() - t0, "parent cpu", time.process_time() - c0,
      "student s", stats.student_seconds, "round trips", stats.round_trips)
for e in result.exercises:
    print(" ", e.name, e.score, e.max_score)
pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
