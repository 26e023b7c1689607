# `make demo` and `make test` each work from a fresh clone: they build .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test stubs plans release generated bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(PY) -m grader.demo

# Two processes (CI has 2 cores); a topic's tests stay in one of them (tests/conftest.py). First the
# students' venvs (no torch; one per Python 3.10-3.13 found, built once under .venv-students/) that
# tests/test_student_platforms.py runs the self-check in.
test: $(VENV)/.installed
	$(PY) -m tests.student_venvs
	$(PY) -m pytest -q -n 2 --dist loadgroup

stubs: $(VENV)/.installed
	$(PY) -m grader.integrations.stubs

# The plans shipped in the package (autograde_tests/plans/), which a first self-check reads instead of
# drawing: after any change to autograde_tests/ or grader/engine/ (a stale one fails tests/test_plan_cache.py).
plans: $(VENV)/.installed
	$(PY) -m grader.engine.shipped_plans

release: $(VENV)/.installed plans
	$(VENV)/bin/dlgrade release

# Everything generated from solutions/ and autograde_tests/, each checked against a fresh build by a
# test: run after adding or changing an exercise.
generated: stubs release
	$(PY) -m grader.integrations.contract_doc

bench: $(VENV)/.installed
	$(PY) -m benchmarks.grading_speed

clean:
	rm -rf $(VENV) .venv-students demo_output
