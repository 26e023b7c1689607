"""The shipped plan is what this machine draws: every scenario of every exercise, hidden ones too,
redrawn here and compared with autograde_tests/plans/ (tests/plans_alike.py: inputs byte for byte,
torch's float64 references within 1e-12 relative). Its key names neither the OS, the machine,
Python nor torch (disk_cache.versions), so one public plan serves every student; this test is what
shows that the machine running it, with its torch, still draws that plan. One test per topic, in the
topic's xdist group."""

from __future__ import annotations

import json

import pytest

from grader.engine import disk_cache, plan_cache, registry, shipped_plans
from grader.engine.plan_cache import SHIPPED
from tests.plans_alike import assert_same_plans

STALE = "autograde_tests/plans/ is stale: run `make plans` (python -m grader.engine.shipped_plans)"


@pytest.mark.parametrize("topic", registry.topics())
def test_every_scenario_redrawn_here_is_the_shipped_plan(topic, tmp_path):
    key = plan_cache.manifest(disk_cache.content_digest(), disk_cache.versions())
    assert json.loads((SHIPPED / plan_cache.MANIFEST).read_text()) == key, STALE
    built = tmp_path / "plans"
    assert shipped_plans.build(built, registry.select([topic])) == []
    assert_same_plans(built, SHIPPED, STALE)
