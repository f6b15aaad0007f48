# The README's commands. Everything runs in .venv, created and filled from constraints.txt on first use;
# `make test-min` uses its own .venv-min, filled from constraints-min.txt (the lowest versions allowed),
# and `make test-colab` its own .venv-colab on Python 3.13, filled from constraints-colab.txt (Colab's versions).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
BOOK_STAMP := $(VENV)/.installed-book
BOOK_NPM := build/book-npm
VENV_MIN := .venv-min
STAMP_MIN := $(VENV_MIN)/.installed
VENV_COLAB := .venv-colab
STAMP_COLAB := $(VENV_COLAB)/.installed
# Colab's Python: pyenv's 3.13 where pyenv has one, else python3.13 on the PATH; or name it, PYTHON_COLAB=...
PYTHON_COLAB ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13) \
	$(shell command -v python3.13 2>/dev/null))
# Two test processes on two cores: one thread each unless OMP_NUM_THREADS says otherwise
# (two threads each would oversubscribe the cores; the outputs are the same either way).
PYTEST = OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(1)/python -m pytest -n 2 --dist loadscope
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NB ?= $(NOTEBOOKS)
LINTED := chapter5_utils tests notebooks benchmarks tools

.PHONY: help install run test test-kernel-path test-min test-colab lint lab outputs translations book test-book clean

help:
	@echo "make run      execute every notebook into build/ (executed copy + HTML), with timings"
	@echo "make test     ruff, unit tests and strict nbval over notebooks/"
	@echo "make test-kernel-path  strict nbval over notebooks/ on PyTorch's portable CPU kernels"
	@echo "make test-min unit tests and every notebook at the lowest versions pyproject.toml allows (.venv-min/)"
	@echo "make test-colab  unit tests and every notebook, English and Korean, at Colab's versions (.venv-colab/, Python 3.13)"
	@echo "make lab      JupyterLab on notebooks/ (LAB_ARGS='--no-browser --allow-root' in a container)"
	@echo "make outputs  re-execute the committed notebooks in place (NB=notebooks/02_….ipynb for one)"
	@echo "make translations  update translations/ko/*.po from the notebooks, then build notebooks/ko/"
	@echo "make book     the web book of the chapter, English and Korean, into build/book/ (open build/book/index.html)"
	@echo "make test-book  build the web book, then test it in headless Chromium (screenshots in build/book-screens/)"
	@echo "make clean    remove build/, .venv/, .venv-min/ and .venv-colab/"

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

# Colab's versions are installed exactly (-r, not -c): its ipykernel 6.17.1 is older than the test extra's
# floor, so the test tools come from constraints-colab.txt too. torch 2.11.0 from PyPI is its CUDA build
# (about 5 GB with the nvidia packages; it runs on the CPU): a few minutes the first time.
$(STAMP_COLAB): pyproject.toml constraints-colab.txt
	@test -n "$(PYTHON_COLAB)" || { echo "make test-colab needs Python 3.13, as on Colab: install it \
	(pyenv install 3.13, or your system's python3.13 package), or name one: make test-colab PYTHON_COLAB=/path/to/python3.13"; \
	exit 1; }
	@test -x $(VENV_COLAB)/bin/python || $(PYTHON_COLAB) -m venv $(VENV_COLAB)
	$(VENV_COLAB)/bin/python -c "import sys; assert sys.version_info[:2] == (3, 13), sys.version"
	$(VENV_COLAB)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_COLAB)/bin/python -m pip install --quiet -r constraints-colab.txt -e .
	@touch $(STAMP_COLAB)

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

# The unit tests and strict nbval over notebooks/ at Colab's versions, then strict nbval over the Korean
# edition, which pyproject.toml's norecursedirs leaves out of the first run: named file by file, it runs.
test-colab: $(STAMP_COLAB)
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(call PYTEST,$(VENV_COLAB)/bin)
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(call PYTEST,$(VENV_COLAB)/bin) $(sort $(wildcard notebooks/ko/*.ipynb))

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

# Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it), or another
# Chromium-based browser named by CHROMIUM=/path.
test-book: book
	$(BIN)/ruff check book
	$(BIN)/python -m pytest -p no:nbval -o addopts="-p no:cacheprovider" book/tests

clean:
	rm -rf build $(VENV) $(VENV_MIN) $(VENV_COLAB)
