# riskbrief — make is the one entry point. `make` (or `make help`) lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules
.DEFAULT_GOAL := help

PYTHON    ?= python3
RENDERER  ?= nbconvert
B         ?=
TEST_WORKERS ?= auto
# independent briefings build side by side: one job per core unless JOBS says otherwise
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
MAKEFLAGS += -j$(JOBS)
REBUILD   ?=
SITE      ?= build/site
VENV      := .venv
PY        := $(VENV)/bin/python
RISKBRIEF := $(VENV)/bin/riskbrief
BUILD     := build
STAMP_DIR := $(BUILD)/stamps/$(RENDERER)
VENV_STAMP := $(VENV)/.installed

BRIEFINGS := $(sort $(basename $(notdir $(wildcard params/*.yaml))))
STAMPS    := $(BRIEFINGS:%=$(STAMP_DIR)/%.stamp)
# Everything in the package feeds every briefing: code, templates, styles.
PKG_SRC   := $(shell find src/riskbrief -type f -not -path '*/__pycache__/*' -not -name '*.pyc')

.PHONY: help briefings briefing diff test lint lab clean bench lock verify evidence site

help: ## show this help
	@echo "riskbrief — versioned PDF and HTML briefings on the US–China AI race and AI safety"
	@echo
	@echo "usage: make <target> [B=<briefing>] [RENDERER=nbconvert|quarto] [JOBS=<n>]"
	@echo
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## /{printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "briefings: $(BRIEFINGS)"

# --- environment ---------------------------------------------------------------------------
# The virtual environment is a stamp rebuilt when the lock file changes; tools are called by path.
$(VENV_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	if git rev-parse --git-dir >/dev/null 2>&1; then $(VENV)/bin/nbstripout --install; fi
	$(PY) -c "import weasyprint" || { echo "WeasyPrint cannot load Pango: install it (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; exit 1; }
	touch $@

lock: $(VENV_STAMP) ## re-resolve requirements.lock from pyproject.toml (needs the package index)
	cp requirements.lock requirements.lock.tmp
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet \
		--custom-compile-command "make lock" -o requirements.lock.tmp
	mv -f requirements.lock.tmp requirements.lock

# --- briefings -----------------------------------------------------------------------------
# build/deps.mk says which project files each briefing is built from: the same input list the
# fingerprint hashes (riskbrief deps), so touching a data file or the assumptions log rebuilds
# exactly the briefings that use it.
NO_DEPS_GOALS := help test lint lab clean lock diff verify evidence
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),help)),)
-include $(BUILD)/deps.mk
endif

$(BUILD)/deps.mk: $(wildcard params/*.yaml) $(PKG_SRC) | $(VENV_STAMP)
	@mkdir -p $(@D)
	$(RISKBRIEF) deps > $@.tmp
	mv -f $@.tmp $@

# A briefing missing from reports/ (never built, or deleted) must be built: an empty rule
# for its `latest` pointer makes the stamp out of date when the pointer does not exist.
# (Explicit targets, so make does not treat them as intermediate files it may skip.)
LATEST := $(BRIEFINGS:%=reports/%/latest)
$(LATEST): ;

$(STAMP_DIR)/%.stamp: params/%.yaml $(PKG_SRC) requirements.lock reports/%/latest | $(VENV_STAMP)
	@mkdir -p $(@D)
	$(RISKBRIEF) build $* --renderer $(RENDERER)
	@touch $@

briefings: $(STAMPS) ## build every briefing in params/, JOBS at a time (first run creates .venv)

briefing: ## build one briefing: make briefing B=baseline
	@test -n "$(B)" || { echo "usage: make briefing B=<name>   (briefings: $(BRIEFINGS))"; exit 2; }
	@test -f params/$(B).yaml || { echo "no params/$(B).yaml   (briefings: $(BRIEFINGS))"; exit 2; }
	@$(MAKE) --no-print-directory $(STAMP_DIR)/$(B).stamp

diff: | $(VENV_STAMP) ## what changed between the latest two versions: make diff B=baseline
	@test -n "$(B)" || { echo "usage: make diff B=<name>   (briefings: $(BRIEFINGS))"; exit 2; }
	$(RISKBRIEF) diff $(B)

verify: | $(VENV_STAMP) ## check published files against their manifests: make verify [B=<name>] [REBUILD=1]
	$(RISKBRIEF) verify $(B) $(if $(REBUILD),--rebuild)

# The public site holds the PUBLIC briefings only, each at its latest version; it is rewritten
# whole (built aside, then renamed) after the briefings are up to date.
site: $(STAMPS) ## export PUBLIC briefings as an offline static site: make site [SITE=build/site]
	$(RISKBRIEF) site $(SITE)

# --- evidence from public datasets ---------------------------------------------------------
# The downloaded files live outside the project and are listed in data/evidence/sources.yaml.
# Every import re-hashes its sources and rewrites a table only when its content changes, so
# the tables' timestamps move only when the evidence does.
evidence: | $(VENV_STAMP) ## re-run every import in data/evidence/sources.yaml into data/evidence/
	$(RISKBRIEF) import --config data/evidence/sources.yaml

# --- development ---------------------------------------------------------------------------
# The W3C's Nu Html Checker for the conformance test: vnu.jar from the npm registry, pinned with
# its integrity hash in tools/vnu/package-lock.json (no install scripts run). Without npm the
# conformance test is skipped and says why; everything else still runs.
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): tools/vnu/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "installing the Nu Html Checker (tools/vnu, from the npm registry)"; \
		npm ci --prefix tools/vnu --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the HTML conformance test will be skipped"; fi

test: $(VENV_STAMP) $(VNU_JAR) ## run the test suite (unit, notebook, end-to-end), in parallel
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV_STAMP) ## ruff (lint and format check) over the package, tests and notebooks
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/ruff format --check src tests notebooks benchmarks

lab: $(VENV_STAMP) ## open JupyterLab on notebooks/ with the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(VENV_STAMP) ## time each build stage, no-op make, and the bare tools; analytics speed
	$(PY) benchmarks/bench_pipeline.py
	@for f in benchmarks/bench_*.py; do [ "$$f" = benchmarks/bench_pipeline.py ] || $(PY) "$$f"; done

clean: ## remove build/ (never reports/: published versions are kept)
	rm -rf $(BUILD)
