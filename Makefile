# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test lint typecheck docs install clean mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/waffo-portal demo --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

docs: install
	$(BIN)/mkdocs build --strict --quiet

test: lint typecheck docs
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Mutation testing of the money, token, redirect, tax-id, billing-details and webhook-signature
# code ([tool.mutmut] in pyproject.toml; docs/mutation.md). Not part of `make test`: about
# 12 minutes on 2 cores. Prints the score per module and every survivor.
mutation: install
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python scripts/mutation_report.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
