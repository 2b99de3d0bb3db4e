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
# a Dask scheduler's address (tcp://host:8786): run the notebooks and their Monte Carlo and
# Sobol evaluations on that cluster; empty: in this process
SCHEDULER ?=
SITE      ?= build/site
PORT      ?= 8765
LAB_ARGS  ?=
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

.PHONY: help briefings briefing diff status preview test lint lab clean bench lock verify evidence site

help: ## show this help
	@echo "riskbrief — versioned PDF and HTML briefings on the US–China AI race and AI safety"
	@echo
	@echo "usage: make <target> [B=<briefing>] [RENDERER=nbconvert|quarto] [JOBS=<n>] [SCHEDULER=<address>] [PORT=<n>] [LAB_ARGS=...]"
	@echo
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## /{printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "briefings: $(BRIEFINGS)"

# --- environment ---------------------------------------------------------------------------
# The virtual environment is a stamp rebuilt when the lock file changes; tools are called by path.
# The first run says what it is doing: the install takes a minute or two.
$(VENV_STAMP): requirements.lock pyproject.toml
	@echo "setting up $(VENV) (first run, or requirements.lock changed): a virtual environment for $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)
	@echo "installing the locked dependencies from requirements.lock (a minute or two)…"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@echo "installing riskbrief itself (editable: your edits to src/ take effect at once)"
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@if git rev-parse --git-dir >/dev/null 2>&1; then echo "installing the nbstripout git filter: notebooks are committed without outputs"; $(VENV)/bin/nbstripout --install; fi
	@$(PY) -c "import weasyprint" || { echo "WeasyPrint cannot load Pango: install it (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; exit 1; }
	@touch $@
	@echo "$(VENV) is ready"

# Starting from the current lock keeps every pin that still fits: only what must move moves.
lock: $(VENV_STAMP) ## re-resolve requirements.lock from pyproject.toml (needs the package index)
	cp requirements.lock requirements.lock.tmp
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet \
		--custom-compile-command "make lock" -o requirements.lock.tmp
	mv -f requirements.lock.tmp requirements.lock

# The package's modules compiled ahead, so no process (a build, a kernel, a test worker) compiles
# them again, even where PYTHONDONTWRITEBYTECODE keeps Python from saving what it compiles.
BYTECODE := $(BUILD)/bytecode.stamp
$(BYTECODE): $(PKG_SRC) | $(VENV_STAMP)
	@mkdir -p $(@D)
	@$(PY) -m compileall -q src/riskbrief
	@touch $@

# --- briefings -----------------------------------------------------------------------------
# build/deps.mk says which project files each briefing is built from: the same input list the
# fingerprint hashes (riskbrief deps), so touching a data file or the assumptions log rebuilds
# exactly the briefings that use it.
NO_DEPS_GOALS := help test lint lab clean lock diff verify evidence status preview
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),help)),)
-include $(BUILD)/deps.mk
endif

# It names only files that exist, so make never stops at a file it cannot find (the build says
# what is missing), and it is rewritten when a file appears in or leaves data/, notebooks/ or docs/.
$(BUILD)/deps.mk: $(wildcard params/*.yaml) $(PKG_SRC) $(shell find data notebooks docs -type d 2>/dev/null) $(BYTECODE) | $(VENV_STAMP)
	@mkdir -p $(@D)
	$(RISKBRIEF) deps > $@.tmp
	mv -f $@.tmp $@

# A briefing missing from reports/ (never built, or deleted) must be built: an empty rule
# for its `latest` pointer makes the stamp out of date when the pointer does not exist.
# (Explicit targets, so make does not treat them as intermediate files it may skip.)
LATEST := $(BRIEFINGS:%=reports/%/latest)
$(LATEST): ;

# A briefing that fails does not stop the others: its recipe keeps riskbrief's message in
# <stamp>.failed (and shows it at once) instead of failing, and `briefings`/`briefing` end by
# repeating every such message, so the tool's words are what the analyst reads last.
$(STAMP_DIR)/%.stamp: params/%.yaml $(PKG_SRC) requirements.lock reports/%/latest | $(VENV_STAMP)
	@mkdir -p $(@D)
	@rm -f $(STAMP_DIR)/$*.failed
	@if $(RISKBRIEF) build $* --renderer $(RENDERER) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) 2>$(STAMP_DIR)/$*.stderr; then \
	  cat $(STAMP_DIR)/$*.stderr >&2; rm -f $(STAMP_DIR)/$*.stderr; touch $@; \
	else \
	  mv -f $(STAMP_DIR)/$*.stderr $(STAMP_DIR)/$*.failed; cat $(STAMP_DIR)/$*.failed >&2; \
	fi

# $(call report-failures,<briefings>): repeat the message of each that failed; exit 2 if any did
define report-failures
failed=(); for b in $(1); do if [ -f $(STAMP_DIR)/$$b.failed ]; then failed+=("$$b"); fi; done; \
if (( $${#failed[@]} )); then \
  echo >&2; echo "riskbrief: $${#failed[@]} of $(words $(1)) briefing(s) not built: $${failed[*]}" >&2; \
  for b in "$${failed[@]}"; do cat $(STAMP_DIR)/$$b.failed >&2; done; exit 2; \
fi
endef

briefings: $(STAMPS) ## build every briefing in params/, JOBS at a time (first run creates .venv)
	@$(call report-failures,$(BRIEFINGS))

# An unknown name gets riskbrief's own message (with "did you mean").
briefing: | $(VENV_STAMP) ## build one briefing: make briefing B=baseline
	@test -n "$(B)" || { echo "usage: make briefing B=<name>   (briefings: $(BRIEFINGS))"; exit 2; }
	@test -f params/$(B).yaml || { $(RISKBRIEF) build $(B); exit 2; }
	@$(MAKE) --no-print-directory $(STAMP_DIR)/$(B).stamp
	@$(call report-failures,$(B))

diff: | $(VENV_STAMP) ## what changed between the latest two versions: make diff B=baseline
	@test -n "$(B)" || { echo "usage: make diff B=<name>   (briefings: $(BRIEFINGS))"; exit 2; }
	$(RISKBRIEF) diff $(B)

status: | $(VENV_STAMP) ## which briefings are stale, naming the inputs that changed: make status [B=<name>]
	@$(RISKBRIEF) status $(B) --renderer $(RENDERER)

preview: | $(VENV_STAMP) ## live HTML preview on 127.0.0.1, re-rendered on every save: make preview B=baseline [PORT=8765]
	@test -n "$(B)" || { echo "usage: make preview B=<name> [PORT=8765]   (briefings: $(BRIEFINGS))"; exit 2; }
	@$(RISKBRIEF) preview $(B) --port $(PORT)

verify: | $(VENV_STAMP) ## check published files against their manifests: make verify [B=<name>] [REBUILD=1]
	$(RISKBRIEF) verify $(B) $(if $(REBUILD),--rebuild)

# The public site holds the PUBLIC briefings only, each at its latest version; it is rewritten
# whole (built aside, then renamed) after the briefings are up to date; a briefing that failed
# to build stops the export with its message, so the site never holds a stale version unseen.
site: $(STAMPS) ## export PUBLIC briefings as an offline static site: make site [SITE=build/site]
	@$(call report-failures,$(BRIEFINGS))
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

# One test file per worker at a time, files in the order tests/conftest.py sorts them (the
# longest first): pytest-xdist would otherwise start the files with the most tests first.
test: $(VENV_STAMP) $(BYTECODE) $(VNU_JAR) ## run the test suite (unit, notebook, end-to-end), in parallel
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(VENV_STAMP) ## ruff (lint and format check) over the package, tests and notebooks
	$(VENV)/bin/ruff check src tests notebooks benchmarks
	$(VENV)/bin/ruff format --check src tests notebooks benchmarks

# As root (containers, cloud machines) JupyterLab needs --allow-root; without a display it
# cannot open a browser: it prints the address to open instead. LAB_ARGS passes anything else.
LAB_AS_ROOT    = $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_NO_BROWSER = $(shell [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ] || [ "$$(uname)" = Darwin ] || echo --no-browser)

lab: $(VENV_STAMP) ## JupyterLab on notebooks/ with the project's Python: make lab [LAB_ARGS="--port=8888"]
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_AS_ROOT) $(LAB_NO_BROWSER) $(LAB_ARGS)

bench: $(VENV_STAMP) ## time each build stage, no-op make, and the bare tools; analytics speed
	$(PY) benchmarks/bench_pipeline.py
	@for f in benchmarks/bench_*.py; do [ "$$f" = benchmarks/bench_pipeline.py ] || $(PY) "$$f"; done

clean: ## remove build/ (never reports/: published versions are kept)
	rm -rf $(BUILD)
