# The README's commands. Everything runs in .venv, created and filled from constraints.txt on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NB ?= $(NOTEBOOKS)
LINTED := chapter5_utils tests notebooks benchmarks tools

.PHONY: help install run test lint lab outputs clean

help:
	@echo "make run      execute every notebook into build/ (executed copy + HTML), with timings"
	@echo "make test     ruff, unit tests and strict nbval over notebooks/"
	@echo "make lab      JupyterLab on notebooks/ (LAB_ARGS='--no-browser --allow-root' in a container)"
	@echo "make outputs  re-execute the committed notebooks in place (NB=notebooks/02_….ipynb for one)"
	@echo "make clean    remove build/ and .venv/"

# Re-install only when the dependency lists change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,lab]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --out build $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)

# Two test processes on two cores: one thread each unless OMP_NUM_THREADS says otherwise
# (two threads each would oversubscribe the cores; the outputs are the same either way).
test: lint
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/python -m pytest -n 2 --dist loadscope

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

outputs: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --inplace $(NB)

clean:
	rm -rf build $(VENV)
