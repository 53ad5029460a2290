# Two commands for a fresh machine (see README):
#   make run   - create .venv on first use, install, start the app at http://localhost:8501
#   make test  - same venv plus test tools and Debian's Chromium, then the whole test suite
# Everything else here is a helper for those two.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONSTRAINTS := .ci/constraints.txt
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test test-fast load bench validate audit chromium nginx intranet clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run dashboard/serve.py --server.port $(PORT)

# Debian's chromium: installed when missing and we are root; otherwise a browser on PATH
# or in BROWSER_PATH is used. Without one the browser/export tests skip saying why; under
# CI=true this target (and any such test) fails instead.
chromium:
	@sh .ci/ensure-chromium

# Debian's nginx for the intranet deployment: installed when missing and we are root.
nginx:
	@sh .ci/ensure-nginx

# Intranet deployment in the foreground (deploy/README.md): INTRANET_REPLICAS replicas behind
# nginx at http://127.0.0.1:8080/dashboard/ (INTRANET_PORT). Ctrl-C stops everything.
intranet: $(STAMP) nginx
	$(BIN)/python deploy/intranet.py

# Everything but the load suite (unit, AppTest, export, browser end-to-end and security, the
# intranet deployment); no network (the dependency audit is `make audit`). Under CI=true no
# browser or nginx is a failure.
test: $(STAMP) chromium nginx
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# Load: 10 concurrent browser sessions x 3 cycles, server memory per cycle (~5 min here).
load: $(STAMP) chromium
	$(BIN)/python -m pytest -m slow -s $(PYTEST_ARGS)

# Quick loop while developing: no browser, no load tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow and not export" $(PYTEST_ARGS)

bench: $(STAMP) chromium
	$(BIN)/python -m tests.bench

# Known-vulnerability audit of the locked set (.ci/constraints.txt), see tests/audit.py.
# Needs pypi.org, so it is not part of `make test`. pip-audit --strict runs first; if it
# cannot finish (a package it cannot look up ends the run), the audit falls back to PyPI's
# project JSON, which covers only pins at their latest release. Coverage (checked / not
# covered / unreachable) is always printed and never fails the audit.
# Exit: 0 none known among checked pins, 1 vulnerability found, 3 registry unreachable.
audit: $(STAMP)
	$(BIN)/python -m tests.audit

validate: $(STAMP)
	$(BIN)/dashboard validate

clean:
	rm -rf $(VENV) .pytest_cache
