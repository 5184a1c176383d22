# Developer entry points. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test bench clean

# (Re)install the package and its test extras whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --upgrade pip
	$(VENV)/bin/pip install -e '.[test]'
	touch $@

# The main job on the embedded store, then the service: web UI at http://127.0.0.1:8000/ (Ctrl-C stops it).
demo: $(STAMP)
	$(VENV)/bin/smartborder demo
	$(VENV)/bin/smartborder serve

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -rs $(PYTEST_ARGS)

bench: $(STAMP)
	@set -e; for script in $(sort $(wildcard benchmarks/*.py)); do \
		echo "== $$script"; \
		$(VENV)/bin/python "$$script"; \
	done

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache .coverage htmlcov
	find . -path ./.git -prune -o \( -name '*.egg-info' -o -name __pycache__ \) -prune -exec rm -rf {} +
