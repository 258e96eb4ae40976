# clo-xl: the two commands of the README, and a few helpers.
#   make demo   install clo-xl into .venv and run the main job on the embedded PostgreSQL
#   make test   install the test needs (LibreOffice too, when run as root) and run lint, types and tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench workbook install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	bash scripts/system-deps.sh

demo: install
	$(BIN)/clo-xl demo

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest

test: install-test lint typecheck pytest

bench: install
	$(BIN)/clo-xl bench

workbook: install-test
	$(BIN)/python workbook/build.py

clean:
	rm -rf $(VENV) clo-xl-out .pytest_cache .mypy_cache .ruff_cache
