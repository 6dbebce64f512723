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

demo: $(STAMP)  ## migrate, load the demo district and serve at http://127.0.0.1:8000
	SHEQUTONG_MODE=demo $(BIN)/shequtong demo

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
