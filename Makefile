# The README's commands. Everything runs in .venv, created and filled from constraints.txt on first use;
# `make test-min` uses its own .venv-min, filled from constraints-min.txt (the lowest versions allowed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
BOOK_STAMP := $(VENV)/.installed-book
BOOK_NPM := build/book-npm
VENV_MIN := .venv-min
STAMP_MIN := $(VENV_MIN)/.installed
# Two test processes on two cores: one thread each unless OMP_NUM_THREADS says otherwise
# (two threads each would oversubscribe the cores; the outputs are the same either way).
PYTEST = OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(1)/python -m pytest -n 2 --dist loadscope
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NB ?= $(NOTEBOOKS)
LINTED := chapter5_utils tests notebooks benchmarks tools

.PHONY: help install run test test-kernel-path test-min lint lab outputs translations book test-book clean

help:
	@echo "make run      execute every notebook into build/ (executed copy + HTML), with timings"
	@echo "make test     ruff, unit tests and strict nbval over notebooks/"
	@echo "make test-kernel-path  strict nbval over notebooks/ on PyTorch's portable CPU kernels"
	@echo "make test-min unit tests and every notebook at the lowest versions pyproject.toml allows (.venv-min/)"
	@echo "make lab      JupyterLab on notebooks/ (LAB_ARGS='--no-browser --allow-root' in a container)"
	@echo "make outputs  re-execute the committed notebooks in place (NB=notebooks/02_….ipynb for one)"
	@echo "make translations  update translations/ko/*.po from the notebooks, then build notebooks/ko/"
	@echo "make book     the web book of the chapter, English and Korean, into build/book/ (open build/book/index.html)"
	@echo "make test-book  build the web book, then test it in headless Chromium (screenshots in build/book-screens/)"
	@echo "make clean    remove build/, .venv/ and .venv-min/"

# Re-install only when the dependency lists change. The tests need no JupyterLab: `make lab` adds it.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,lab]"
	@touch $(LAB_STAMP)

$(STAMP_MIN): pyproject.toml constraints-min.txt
	@test -x $(VENV_MIN)/bin/python || $(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_MIN)/bin/python -m pip install --quiet -c constraints-min.txt -e ".[test]"
	@touch $(STAMP_MIN)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --out build $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)

test: lint
	$(call PYTEST,$(BIN))

# The notebooks again on PyTorch's portable CPU kernels instead of the AVX2/AVX-512 ones: a printed
# number whose last digit depends on the kernel path fails here.
test-kernel-path: $(STAMP)
	ATEN_CPU_CAPABILITY=default $(BIN)/python -c "import torch; c = torch.backends.cpu.get_cpu_capability(); \
	print('PyTorch CPU kernels:', c); assert c == 'DEFAULT', c"
	ATEN_CPU_CAPABILITY=default $(call PYTEST,$(BIN)) notebooks

# The unit tests and strict nbval, as in `make test` (without ruff), at the lowest versions allowed:
# the committed outputs must read the same there (see the README). The variable quiets a debugger
# notice that ipykernel 6.29's kernels print at start-up.
test-min: $(STAMP_MIN)
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(call PYTEST,$(VENV_MIN)/bin)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

outputs: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --inplace $(NB)

# The Korean edition: catalogues follow the English notebooks, then notebooks/ko/ is rebuilt from them.
translations: $(STAMP)
	$(BIN)/python tools/translate.py update
	$(BIN)/python tools/translate.py build

# The web book: Sphinx + myst-nb over the committed notebooks (nothing is executed), MathJax from the
# npm package that book/package-lock.json pins; the `book` extra adds Sphinx and Playwright to .venv.
$(BOOK_STAMP): $(STAMP) constraints-book.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -c constraints-book.txt -e ".[test,book]"
	@touch $(BOOK_STAMP)

$(BOOK_NPM)/.installed: book/package.json book/package-lock.json
	mkdir -p $(BOOK_NPM) && cp book/package.json book/package-lock.json $(BOOK_NPM)/
	cd $(BOOK_NPM) && npm ci --silent --no-audit --no-fund
	@touch $@

book: $(BOOK_STAMP) $(BOOK_NPM)/.installed
	$(BIN)/python book/build.py

# Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).
test-book: book
	$(BIN)/ruff check book
	$(BIN)/python -m pytest -p no:nbval -o addopts="-p no:cacheprovider" book/tests

clean:
	rm -rf build $(VENV) $(VENV_MIN)
