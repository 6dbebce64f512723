# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make demo PORT=8080` or `make demo ADDR=0.0.0.0` (to open it from a phone on the same network).
ADDR ?= 127.0.0.1
PORT ?= 8000
demo: $(STAMP)  ## migrate, load the demo district and serve at http://$(ADDR):$(PORT)
	SHEQUTONG_MODE=demo $(BIN)/shequtong demo --addr $(ADDR):$(PORT)

# Both cores (pytest-xdist), then the tests that subscribe to the one MQTT broker on their own
# (two subscribers at once would each see the other's devices). Exit code 5: none selected.
TEST_WORKERS ?= auto
test: $(STAMP)  ## the whole test suite (DATABASE_URL picks the database; SQLite by default)
	SHEQUTONG_MODE=test $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not mqtt" $(PYTEST_ARGS)
	SHEQUTONG_MODE=test $(BIN)/python -m pytest -m mqtt $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
