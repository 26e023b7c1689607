# `make demo` and `make test` each work from a fresh clone: they build .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test stubs release bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(PY) -m grader.demo

test: $(VENV)/.installed
	$(PY) -m pytest -q

stubs: $(VENV)/.installed
	$(PY) -m grader.integrations.stubs

release: $(VENV)/.installed
	$(VENV)/bin/dlgrade release

bench: $(VENV)/.installed
	$(PY) benchmarks/grading_speed.py

clean:
	rm -rf $(VENV) demo_output
