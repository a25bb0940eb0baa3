# The two quickstart commands: `make lab` (set up, open the labs) and `make test` (set up, run every check).
# Both build their own virtual environment in .venv, so nothing installed by hand hides a missing step.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests run on as many workers as the machine has cores; nbval keeps each notebook on one worker.
WORKERS ?= auto

.PHONY: lab test lint release benchmark clean

$(BIN)/dcai: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,site]"
	touch $@

lab: $(BIN)/dcai
	$(BIN)/jupyter lab labs/

lint: $(BIN)/dcai
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One BLAS thread per kernel in the tests: the workers already use every core, and oversubscribed
# threads make each lab several times slower.
test: export OMP_NUM_THREADS = 1
test: export OPENBLAS_NUM_THREADS = 1
test: export MKL_NUM_THREADS = 1
test: lint
	$(BIN)/dcai release --check
	$(BIN)/python -m pytest -p no:cacheprovider -n $(WORKERS) --dist loadgroup tests
	$(BIN)/python -m pytest -p no:cacheprovider -n $(WORKERS) --dist loadfile --nbval-lax solutions

release: $(BIN)/dcai
	$(BIN)/dcai release

benchmark: $(BIN)/dcai
	$(BIN)/python benchmarks/run_labs.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
