# clo-xl: the two commands of the README, and a few helpers.
#   make demo   install clo-xl into .venv and run the main job on the embedded PostgreSQL
#   make test   install the test needs (LibreOffice too, when run as root) and run lint, types and tests
#   make test-fast   lint, types and the tests that need neither PostgreSQL nor LibreOffice (< 2 minutes)
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

.PHONY: demo test test-fast pytest-fast lint typecheck pytest bench workbook install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	bash scripts/system-deps.sh
	touch $(VENV)/.test-deps

# the fast lane installs the test extras only when pyproject.toml changed, and never LibreOffice
$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/clo-xl demo

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

pytest-fast:
	$(BIN)/python -m pytest $(XDIST) -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

test: install-test lint typecheck pytest

test-fast: $(VENV)/.test-deps lint typecheck pytest-fast

bench: install
	$(BIN)/clo-xl bench

workbook: install-test
	$(BIN)/python workbook/build.py

clean:
	rm -rf $(VENV) clo-xl-out .pytest_cache .mypy_cache .ruff_cache
