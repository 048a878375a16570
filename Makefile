# System Builder Hub. Every target sets up what it needs itself (a .venv from pyproject.toml),
# so `make demo` and `make test` work on a fresh clone. VENV may be overridden to keep two
# checkouts' environments apart (make test VENV=.venv-other).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS_VENV ?= .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed
DEMO_SPEC := examples/orders-api.yaml
DEMO_OUT := build/orders-api

.PHONY: help install tools web browsers demo check self-render test screens e2e lint format bench run migrate migrate-online api-types golden clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SBH needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv with SBH and its development tools

$(TOOLS_STAMP): tools/validators.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/validators.txt
	@touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP) ## Create .venv-tools with the validators of generated repositories (checkov, actionlint, ...)

WEB_STAMP := web/dist/index.html

$(WEB_STAMP): web/package.json web/package-lock.json $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts
	@if command -v npm >/dev/null; then \
		cd web && npm ci --no-audit --no-fund --silent && npm run build --silent; \
	else \
		echo "npm not found: the web app is not built (the API and the CLI work without it)"; \
	fi

web: $(WEB_STAMP) ## Build the web app into web/dist (served by sbh serve at /)

browsers: ## Install Debian's Chromium for the browser tests (they skip, saying why, without it)
	@scripts/install_chromium.sh

demo: $(STAMP) $(WEB_STAMP) ## Build the example specs into build/orders-api and build/shop (no credentials needed), and the web app
	$(BIN)/sbh build $(DEMO_SPEC) --out $(DEMO_OUT) --force
	$(BIN)/sbh build examples/shop.yaml --out build/shop --force
	@if [ -f $(WEB_STAMP) ]; then echo "The web app (System Builder, AI chat, dashboard): make run, then open http://127.0.0.1:8080/"; fi

check: demo $(TOOLS_STAMP) ## Run every validator on the demo repository
	SBH_TOOLS_BIN=$(TOOLS_VENV)/bin $(BIN)/sbh check $(DEMO_OUT)

self-render: $(STAMP) ## Re-render SBH's own infra/envs, setup-oidc.sh and workflows from deploy/sbh.yaml
	$(BIN)/python scripts/self_render.py
	$(BIN)/python scripts/module_readmes.py

test: $(STAMP) $(TOOLS_STAMP) $(WEB_STAMP) browsers ## Run the whole test suite, browser tests included (set SBH_TEST_DATABASE_URL to add PostgreSQL)
	SBH_TOOLS_BIN=$(TOOLS_VENV)/bin $(BIN)/python -m pytest

screens: $(STAMP) $(WEB_STAMP) browsers ## Run the browser tests and save a screenshot of each page to bench/screens/
	SBH_SCREENS=1 $(BIN)/python -m pytest tests/e2e -v

e2e: $(STAMP) ## sbh serve against a stateful fake GitHub: a spec issue ends in a built repository
	$(BIN)/python -m pytest tests/bot/test_github_end_to_end.py -v

lint: $(STAMP) ## ruff and mypy --strict on bot/ and renderers/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) $(TOOLS_STAMP) ## Benchmarks; results go to bench/results/*.json
	$(BIN)/python -m bench.render_bench
	$(BIN)/python -m bench.cli_bench
	$(BIN)/python -m bench.spec_work_bench
	SBH_TOOLS_BIN=$(TOOLS_VENV)/bin $(BIN)/python -m bench.check_bench
	$(BIN)/python -m bench.webhook_bench
	$(BIN)/python -m bench.github_limits_bench
	$(BIN)/python -m bench.probe_bench
	$(BIN)/python -m bench.fleet_bench

api-types: $(STAMP) ## Regenerate web/openapi.json from the service and the web app's API types from it
	$(BIN)/python scripts/export_openapi.py
	cd web && npm run --silent api-types

golden: $(STAMP) ## Regenerate the golden files of the rendered demo (review the diff!)
	SBH_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/renderers/test_golden.py tests/renderers/test_schema.py -q

run: $(STAMP) $(WEB_STAMP) ## Serve SBH on http://127.0.0.1:8080 with development settings (SQLite in .sbh/)
	SBH_ENV=$${SBH_ENV:-development} GITHUB_WEBHOOK_SECRET=$${GITHUB_WEBHOOK_SECRET:-dev-webhook-secret} \
		$(BIN)/sbh serve

migrate: $(STAMP) ## Apply database migrations to DATABASE_URL (alembic upgrade head)
	$(BIN)/alembic upgrade head

migrate-online: $(STAMP) ## Migrate as the deploy's one-off task does (`sbh migrate`: wait for the database, lock, upgrade)
	$(BIN)/sbh migrate --wait 60

clean: ## Remove everything a command can rebuild
	rm -rf $(VENV) $(TOOLS_VENV) build dist web/dist web/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
