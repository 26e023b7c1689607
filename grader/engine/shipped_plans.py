"""Building the plans shipped in the package (autograde_tests/plans/, read by plan_cache): every
scenario of every exercise, hidden checks' too, drawn afresh and kept only if it reads back exactly.

`make plans` (python -m grader.engine.shipped_plans) after any change to autograde_tests/ or
grader/engine/: until then the shipped plans are ignored (every first self-check draws again) and
tests/test_plan_cache.py fails. The same content and versions give the same bytes, so running it
again changes nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from grader.engine import disk_cache, plan_cache


def build(folder: Path, exercises) -> list[str]:
    """Draws every scenario of `exercises` into the new folder `folder`, its manifest written last;
    returns the scenarios not kept (their reference failed, or they do not read back exactly)."""
    from grader.engine.examples import make_plan  # noqa: PLC0415  (imports hypothesis and torch)

    key = plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())
    folder.mkdir()
    shipped = plan_cache.PlanCache(folder, compressed=True)
    make_plan(exercises, include_hidden=True, cache=shipped)
    missing = [f"{ex.name}/{scenario.name}" for ex in exercises for index, scenario in enumerate(ex.scenarios)
               if shipped.load(ex.name, index, scenario.name) is None]
    (folder / plan_cache.MANIFEST).write_text(json.dumps(key, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for path in folder.iterdir():  # written through mkstemp (0600): the package's files are everyone's to read
        path.chmod(0o644)
    folder.chmod(0o755)
    return missing


def replace_shipped(target: Path = plan_cache.SHIPPED) -> list[str]:
    """Builds every exercise's plans beside `target`, then puts them in its place."""
    from grader.engine import registry  # noqa: PLC0415

    staging = Path(tempfile.mkdtemp(prefix=".plans-", dir=target.parent))
    try:
        missing = build(staging / "plans", registry.all_exercises())
        if target.exists():
            shutil.rmtree(target)
        (staging / "plans").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return missing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.engine.shipped_plans",
                                     description=f"Draw every exercise's plan into {plan_cache.SHIPPED} "
                                                 "(after any change to autograde_tests/ or grader/engine/).")
    parser.parse_args(argv)
    try:
        missing = replace_shipped()
    except OSError as exc:
        print(f"Error: could not write the shipped plans: {exc}", file=sys.stderr)
        return 1
    files = list(plan_cache.SHIPPED.glob("*.plan.z"))
    size = sum(path.stat().st_size for path in files)
    print(f"{plan_cache.SHIPPED}: {len(files)} scenario(s), {size / 1e6:.1f} MB, for "
          + ", ".join(plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())["versions"]))
    for name in missing:
        print(f"not shipped (drawn when graded): {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
