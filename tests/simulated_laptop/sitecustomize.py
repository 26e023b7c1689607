"""Run at start-up by every interpreter of a test with this folder on PYTHONPATH (the grading process
and every worker it spawns): an interpreter as on Windows in what dlgrade's worker relies on, without
the forkserver start method (multiprocessing.get_context("forkserver") raises ValueError) and without
the resource module (import resource raises ImportError). Used by tests/test_student_platforms.py."""

import multiprocessing.context
import sys

sys.modules["resource"] = None
multiprocessing.context._concrete_contexts.pop("forkserver", None)
