# vitalsigns: `make run` builds everything on bundled sample data; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE ?= data/landing
HOME_DIR ?= data
# the CLD return needs Liquid Logic data in the CLD era: a second sample through March 2025, its own home
CLD_SAMPLE ?= data/landing-cld-era
CLD_HOME ?= data/cld-era
CLD_PERIOD ?= 2024-Q4

.PHONY: run test install install-test sample bench ui docs clean contract cld-return lint lint-fix java

$(BIN)/vitalsigns: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/vitalsigns

$(SAMPLE)/.vitalsigns-sample: | $(BIN)/vitalsigns
	$(BIN)/vitalsigns sample --out $(SAMPLE) --councils 2 --years 2 --scale 1 --unitary

sample: $(SAMPLE)/.vitalsigns-sample

run: install sample
	$(BIN)/vitalsigns build --landing $(SAMPLE) --home $(HOME_DIR)
	$(MAKE) --no-print-directory cld-return

$(CLD_SAMPLE)/.vitalsigns-sample: | $(BIN)/vitalsigns
	$(BIN)/vitalsigns sample --out $(CLD_SAMPLE) --councils 2 --years 2 --scale 0.1 --end 2025-03

# one CLD return per sample council (2024-Q4 = January-March 2025): built from the Liquid Logic feeds,
# checked, and set beside the ASCOF the feeds give directly (hence the build of that sample first)
cld-return: install $(CLD_SAMPLE)/.vitalsigns-sample
	$(BIN)/vitalsigns build --landing $(CLD_SAMPLE) --home $(CLD_HOME)
	for la in $$($(BIN)/python -c "from dagster_project.cld_return.build import councils; print(' '.join(councils('$(CLD_SAMPLE)')))"); do \
		$(BIN)/vitalsigns cld-return --la $$la --period $(CLD_PERIOD) --landing $(CLD_SAMPLE) --home $(CLD_HOME) || exit 1; done

# Java 17 for the Spark engine (pyspark; docs/spark.md), from Debian where it is missing and apt-get is
# available; without it the Spark tests skip and say why
java:
	@command -v java >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) || \
		echo "openjdk-17-jre-headless not installed: the Spark engine tests will skip"

test: install java
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	cd dbt && VITALSIGNS_WAREHOUSE=$(CURDIR)/.lint.duckdb ../$(BIN)/sqlfluff lint models --processes 2

lint-fix: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	cd dbt && VITALSIGNS_WAREHOUSE=$(CURDIR)/.lint.duckdb ../$(BIN)/sqlfluff fix models --processes 2

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
	rm -rf data/warehouse data/published data/reports data/quarantine data/dagster data/dbt data/docs dbt/target $(CLD_HOME)
