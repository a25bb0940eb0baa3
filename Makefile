# The two quickstart commands: `make lab` (set up, open the labs) and `make test` (set up, run every check).
# Both build their own virtual environment in .venv, so nothing installed by hand hides a missing step.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests run on as many workers as the machine has cores; nbval keeps each notebook on one worker.
WORKERS ?= auto

.PHONY: lab formgrader test test-cpus lint release benchmark site clean

$(BIN)/dcai: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,site]"
	touch $@

# The student's JupyterLab: jupyter_config/student/ (first on JUPYTER_CONFIG_PATH, for this command only) keeps
# nbgrader's Validate button and assignment list and turns off the instructor's formgrader, create-assignment and
# course-list panels. tests/test_browser.py runs this very target, with LAB_DIR set to a copy of labs/ and LAB_ARGS
# to a port and token, so what it drives in a browser is what students get.
LAB_DIR ?= labs
LAB_ARGS ?=
# One thread for the numerical libraries in every kernel the server starts (unless you set them): the labs' models
# are small, and two threads on a core that something else uses run several times slower (docs/benchmarks.md).
# `dcai check` and `dcai execute` give their kernels the same (course/notebooks.py's ONE_THREAD_ENV).
lab formgrader: export OMP_NUM_THREADS ?= 1
lab formgrader: export OPENBLAS_NUM_THREADS ?= 1
lab formgrader: export MKL_NUM_THREADS ?= 1
lab: $(BIN)/dcai
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config/student$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(BIN)/jupyter lab $(LAB_ARGS) $(LAB_DIR)

# The instructor's JupyterLab, every nbgrader panel on, at the repository root, where nbgrader_config.py names
# solutions/ as the source and labs/ as the release (formgrader, create assignment, course list, validate).
formgrader: $(BIN)/dcai
	$(BIN)/jupyter lab $(LAB_ARGS)

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

# The torch labs' committed outputs under the kernels torch picks on other CPUs (ATEN_CPU_CAPABILITY): nbval accepts
# a number within the lab's output_tolerance and nothing else (docs/self-learners.md). `make test` covers the
# machine's own kernels; CI runs both.
TORCH_SOLUTIONS := $(shell grep -l torch solutions/*/*.ipynb)
test-cpus: export OMP_NUM_THREADS = 1
test-cpus: export OPENBLAS_NUM_THREADS = 1
test-cpus: export MKL_NUM_THREADS = 1
test-cpus: $(BIN)/dcai
	for capability in default avx2; do \
		echo "nbval of the torch labs with ATEN_CPU_CAPABILITY=$$capability"; \
		ATEN_CPU_CAPABILITY=$$capability $(BIN)/python -m pytest -p no:cacheprovider -q -n $(WORKERS) \
			--dist loadfile --nbval-lax $(TORCH_SOLUTIONS) || exit 1; \
	done

release: $(BIN)/dcai
	$(BIN)/dcai release

benchmark: $(BIN)/dcai
	$(BIN)/python benchmarks/run_labs.py
	$(BIN)/python benchmarks/run_labs.py --busy 1
	$(BIN)/python benchmarks/claims.py

# The course site for self-learners: the solutions with their committed outputs (never re-run), hidden tests
# stripped, as static HTML in build/site/html; it prints where to open it.
site: $(BIN)/dcai
	$(BIN)/dcai site build/site

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
