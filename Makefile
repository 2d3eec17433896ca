# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-out

.PHONY: run test install install-dev lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

## make run: create .venv, install, and run the demo against the bundled sample press day
run: install
	$(BIN)/diembao demo --out $(OUT)

## make test: install the dev extras and run the whole test suite
test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check monitor classifiers reports tests bench

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache *.egg-info
