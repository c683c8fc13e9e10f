# The two commands: `make report` renders the example design documents, `make test` runs every check.
# Both create .venv from pyproject.toml when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PARAMS ?= $(wildcard params/*.yaml)
REPORT_FLAGS ?=

.PHONY: bytecode report test test-fast lint typecheck pytest bench browser shellcheck libreoffice clean-venv plotly-js reference-docx golden

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# An editable install installs no data files: the nbconvert template is linked where a wheel
	@# puts it, so `jupyter nbconvert --template srmkit_document` finds it by name here too.
	mkdir -p $(VENV)/share/jupyter/nbconvert/templates
	ln -sfn $(CURDIR)/srmkit/templates/srmkit_document $(VENV)/share/jupyter/nbconvert/templates/srmkit_document
	touch $(STAMP)

# srmkit's bytecode, written once: pip compiles the dependencies at install but not an editable
# package, and where PYTHONDONTWRITEBYTECODE is set every process (a kernel, a CLI
# run) compiled srmkit again, about 0.2 s each. Only changed files are compiled again.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q srmkit

# A Chrome/Chromium for PDF printing and browser tests: use an installed one; as root with apt,
# install Debian's chromium; otherwise say how to get one (`make report` then writes HTML only).
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	   || command -v google-chrome >/dev/null 2>&1 || [ -n "$$SRMKIT_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for PDF printing ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "No Chrome, Chromium or Edge found: PDF and Word will be skipped. Install one (sudo apt-get install chromium) or set SRMKIT_CHROMIUM."; \
	fi

# shellcheck for the tests of the build book's naviseccli scripts: use an installed one; as root
# with apt, install Debian's shellcheck; otherwise say how to get one (make test then fails).
shellcheck:
	@if command -v shellcheck >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's shellcheck for the script tests ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; \
	else \
	  echo "No shellcheck found: the script tests need it. Install it (sudo apt-get install shellcheck)."; \
	fi

# LibreOffice for the tests that open the Word documents as a customer without Word does: use an
# installed one; as root with apt, install Debian's libreoffice-writer-nogui; otherwise say how to
# get one (make test then fails).
libreoffice:
	@if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's libreoffice-writer-nogui for the Word tests ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null; \
	else \
	  echo "No LibreOffice found: the Word tests need it. Install it (sudo apt-get install libreoffice-writer-nogui)."; \
	fi

# Every example scenario's documents and the index; srmkit report itself writes HTML only (and
# says so) when no browser is found.
report: $(STAMP) browser bytecode
	$(BIN)/srmkit report $(PARAMS) $(REPORT_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check srmkit tests bench notebooks
	$(BIN)/ruff format --check srmkit tests bench notebooks

typecheck: $(STAMP)
	$(BIN)/mypy srmkit

# Every test, on every core (make test; CI runs it through .ci/run).
pytest: $(STAMP) browser shellcheck libreoffice bytecode
	SRMKIT_REQUIRE_BROWSER=1 SRMKIT_REQUIRE_SHELLCHECK=1 SRMKIT_REQUIRE_LIBREOFFICE=1 $(BIN)/python -m pytest -n auto

# The inner loop: everything but the end-to-end runs (notebooks executed, documents rendered or
# opened in Chromium, the wheel, 10,000 servers, signals, concurrency); lint and types are left to
# make test.
test-fast: $(STAMP) bytecode
	$(BIN)/python -m pytest -n auto -m "not slow and not notebook and not browser"

# Lint and types run beside the suite (it leaves a core idle about a third of its time).
test: $(STAMP) browser shellcheck libreoffice
	$(MAKE) --no-print-directory -j3 lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench

# Rewrite tests/golden/ from the current code: a change to a golden output is a decision, named in
# the commit (git diff tests/golden shows it).
golden: $(STAMP)
	SRMKIT_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_golden.py

clean-venv:
	rm -rf $(VENV)

# Development only: refresh the vendored plotly.js basic bundle to the release plotly (Python) ships.
plotly-js: $(STAMP)
	version=$$($(BIN)/python -c "import plotly.offline as o; print(o.get_plotlyjs_version())"); \
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent plotly.js-basic-dist-min@$$version >/dev/null && \
	tar xzf plotly.js-basic-dist-min-$$version.tgz && \
	cp package/plotly-basic.min.js package/LICENSE $(CURDIR)/srmkit/data/plotly/ && rm -rf $$tmp

# Development only: rewrite srmkit/data/reference.docx, the Word styles of the DOCX documents.
reference-docx: $(STAMP)
	$(BIN)/python tools/make_reference_docx.py
