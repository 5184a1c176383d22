# Developer entry points. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
LOCK := requirements.lock
PYTEST_ARGS ?=

.PHONY: demo test bench lock clean

# (Re)install whenever the lock or pyproject.toml changes: exactly the locked versions, checked
# against their hashes, then the package itself (without resolving anything again).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(VENV)/bin/python -m pip install --quiet --no-deps -e .
	$(VENV)/bin/python -m pip check
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

# Resolve the newest versions pyproject.toml's ranges allow (for Python 3.11 on Linux x86-64, the
# machines this runs on) into the lock, with hashes. Run `make test` after it: the lock is only
# kept when the suite passes.
lock:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet 'uv>=0.13,<1'
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --generate-hashes --upgrade \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu --output-file $(LOCK)

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache .coverage htmlcov
	find . -path ./.git -prune -o \( -name '*.egg-info' -o -name __pycache__ \) -prune -exec rm -rf {} +
