# clo-xl: the two commands of the README, and a few helpers.
#   make demo   install clo-xl into .venv and run the main job on the embedded PostgreSQL
#   make test   install the test needs (LibreOffice too, when run as root) and run lint, types and tests
#   make test-fast   lint, types and the tests that need neither PostgreSQL nor LibreOffice (~3 minutes on an idle 2-core machine)
#   make lock   re-resolve requirements/*.lock after a dependency changed in pyproject.toml (commit both)
#   make docs   build the documentation site with warnings as errors (part of make test)
#   make wheel-demo   build the wheel, install it alone in a fresh virtualenv, run clo-xl demo in an empty folder
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# two pytest workers (pytest-xdist): the suite is safe under it (each worker starts its own embedded
# servers in its own temp folders); a file's tests stay on one worker so session fixtures are built once
# per file group. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS    ?=
XDIST  := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)
FAST_MARKERS := not postgres and not libreoffice and not slow
# every install takes its versions from the lock files, so a dependency's release cannot move a number
# between two runs of the same commit; `make lock` keeps existing pins and adds what pyproject.toml gained
# (UPGRADE="--upgrade-package numpy" moves one on purpose)
LOCK_RUN  := requirements/run.lock
LOCK_TEST := requirements/test.lock
UPGRADE   ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet \
	--custom-compile-command "make lock" $(UPGRADE)

.PHONY: demo test test-fast pytest-fast lint typecheck docs pytest bench workbook install install-test lock \
	wheel-demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK_RUN)
	$(BIN)/python -m pip install --quiet --no-deps -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK_TEST)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	bash scripts/system-deps.sh
	touch $(VENV)/.test-deps

# the fast lane installs the test extras only when the lock changed, and never LibreOffice
$(VENV)/.test-deps: pyproject.toml $(LOCK_TEST) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK_TEST)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

lock:
	$(UV_COMPILE) --extra test --extra cluster --extra docs -o $(LOCK_TEST)
	$(UV_COMPILE) -c $(LOCK_TEST) -o $(LOCK_RUN)

demo: install
	$(BIN)/clo-xl demo

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy
	$(BIN)/mypy --config-file mypy-tests.ini tests bench workbook

docs:
	$(BIN)/mkdocs build --strict --quiet --site-dir build/site

pytest:
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

pytest-fast:
	$(BIN)/python -m pytest $(XDIST) -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

test: install-test lint typecheck docs pytest

test-fast: $(VENV)/.test-deps lint typecheck pytest-fast

wheel-demo: install-test
	bash scripts/wheel-demo.sh

bench: install
	$(BIN)/clo-xl bench

workbook: install-test
	$(BIN)/python workbook/build.py

clean:
	rm -rf $(VENV) clo-xl-out build dist .pytest_cache .mypy_cache .ruff_cache
