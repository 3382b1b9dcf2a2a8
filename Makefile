# vitalsigns: `make run` builds everything on bundled sample data; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE ?= data/landing
HOME_DIR ?= data

.PHONY: run test install install-test sample bench ui clean lint lint-fix

$(BIN)/vitalsigns: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/vitalsigns

$(SAMPLE)/.vitalsigns-sample: | $(BIN)/vitalsigns
	$(BIN)/vitalsigns sample --out $(SAMPLE) --councils 2 --years 2 --scale 1

sample: $(SAMPLE)/.vitalsigns-sample

run: install sample
	$(BIN)/vitalsigns build --landing $(SAMPLE) --home $(HOME_DIR)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	cd dbt && VITALSIGNS_WAREHOUSE=$(CURDIR)/.lint.duckdb ../$(BIN)/sqlfluff lint models --processes 2

lint-fix: install
	$(BIN)/ruff check --fix .
	cd dbt && VITALSIGNS_WAREHOUSE=$(CURDIR)/.lint.duckdb ../$(BIN)/sqlfluff fix models --processes 2

bench: install
	$(BIN)/python benchmarks/run.py

ui: install sample
	$(BIN)/vitalsigns ui --landing $(SAMPLE) --home $(HOME_DIR)

clean:
	rm -rf data/warehouse data/published data/reports data/quarantine data/dagster data/dbt dbt/target
