# vitalsigns: `make run` builds everything on bundled sample data; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE ?= data/landing
HOME_DIR ?= data

.PHONY: run test install install-test sample bench ui docs clean contract

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

bench: install
	$(BIN)/python benchmarks/run.py

docs: install   # the dbt documentation site -> $(HOME_DIR)/docs/static_index.html (opens without a server)
	$(BIN)/vitalsigns docs --home $(HOME_DIR)

ui: install sample
	$(BIN)/vitalsigns ui --landing $(SAMPLE) --home $(HOME_DIR)

# regenerate what restates the extract contract (dbt sources, staging tests, code macros,
# docs/extracts.md) from dagster_project/contracts.py; tests/test_contract_codegen.py checks it
contract: install
	$(BIN)/python -m dagster_project.contract_codegen

clean:
	rm -rf data/warehouse data/published data/reports data/quarantine data/dagster data/dbt data/docs dbt/target
