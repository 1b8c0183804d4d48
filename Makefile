# Tactful: `make run` sets everything up and starts the assistant; `make test`
# runs every check. PYTHON=/path/to/python3.10 overrides the interpreter.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
export TACTFUL_SHOP_DB_URL ?= sqlite:///$(CURDIR)/var/shop.db
export TACTFUL_TRACKER_DB ?= $(CURDIR)/var/tracker.db
export TACTFUL_POLICY_FILE ?= $(CURDIR)/policy.yml
export TACTFUL_ACTION_PORT ?= 5055
export TACTFUL_RASA_PORT ?= 5005
export TACTFUL_WEB_PORT ?= 8080
# Development-only defaults; production must set its own (see README).
export TACTFUL_JWT_SECRET ?= dev-only-jwt-secret-change-me-0123456789
export TACTFUL_ACTION_SECRET ?= dev-only-action-secret
export RASA_TOKEN ?= dev-only-rasa-token
export TACTFUL_HELPDESK_SECRET ?= dev-only-helpdesk-secret
export TACTFUL_SESSION_SECRET ?= dev-only-session-secret
export TACTFUL_LINK_SECRET ?= dev-only-link-secret
export TACTFUL_DASHBOARD_TOKEN ?= dev-only-dashboard-token
export TACTFUL_DASHBOARD_PORT ?= 8090
# No usage data leaves the machine (Rasa's telemetry is on by default).
export RASA_TELEMETRY_ENABLED ?= false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
TRAINING_FILES := config.yml domain.yml $(wildcard data/*.yml)

.PHONY: token run run-prod shell test lint typecheck validate policy-check unit e2e rasa-test nlu-test setup db model bench bench-stack clean web browser nginx

setup: $(VENV)/.installed db model web

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.10 found. Install it (pyenv install 3.10.13) or pass PYTHON=/path/to/python3.10"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

db: $(VENV)/.installed
	$(BIN)/python -m tactful db upgrade
	$(BIN)/python -m tactful demo load
	$(BIN)/python -m tactful mine
	$(BIN)/python -m tactful demo simulate --customers 200

# Retrain only when training data or configuration changed.
models/tactful.tar.gz: $(TRAINING_FILES) | $(VENV)/.installed
	$(BIN)/rasa train --fixed-model-name tactful --out models --quiet
	touch $@

model: models/tactful.tar.gz

web:
	@if [ -f web/package.json ]; then cd web && npm install --no-audit --no-fund --silent; fi

# Debian's chromium for the browser tests (installs only when missing).
browser:
	@scripts/ensure-chromium.sh

# Debian's nginx for the scale-out test (installs only when missing; never runs as a service).
nginx:
	@scripts/ensure-nginx.sh

# Print a signed customer token with this Makefile's secret: make token CUSTOMER=C001
CUSTOMER ?= C001
token: $(VENV)/.installed
	@$(BIN)/python -m tactful token $(CUSTOMER)

run: setup
	scripts/run.sh

shell: setup
	scripts/run.sh --shell

# The production profile against the local PostgreSQL, Redis and RabbitMQ,
# with its own generated secrets in var/prod.env (deploy/README.md).
run-prod: $(VENV)/.installed model
	scripts/run-prod.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy
	$(BIN)/lint-imports

policy-check: $(VENV)/.installed
	$(BIN)/python -m tactful policy check $(TACTFUL_POLICY_FILE)

# `--fail-on-warnings` still exits 0 on some warnings in 3.6.21: fail on any
# warning line it prints.
validate: $(VENV)/.installed
	@mkdir -p var
	@$(BIN)/rasa data validate --fail-on-warnings 2>&1 | tee var/validate.log; \
	status=$${PIPESTATUS[0]}; \
	if grep -E "UserWarning|WARNING" var/validate.log | grep -v -E "DeprecationWarning|tensorflow|absl|jax"; then echo "rasa data validate printed warnings"; exit 1; fi; \
	exit $$status

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not e2e and not browser" -q

e2e: $(VENV)/.installed model web browser nginx
	$(BIN)/python -m pytest -m "e2e or browser" -q

rasa-test: model
	$(BIN)/rasa test core --stories tests/test_stories.yml --model models/tactful.tar.gz --fail-on-prediction-errors --out results

# Held-out NLU examples (tests/nlu_heldout.yml); scripts/check-nlu.py holds the thresholds.
nlu-test: model
	$(BIN)/rasa test nlu --nlu tests/nlu_heldout.yml --model models/tactful.tar.gz --out results/nlu
	$(BIN)/python scripts/check-nlu.py results/nlu/intent_report.json

test: $(VENV)/.installed web browser nginx
	@mkdir -p var
	$(MAKE) lint typecheck policy-check validate
	$(MAKE) model
	$(MAKE) rasa-test
	$(MAKE) nlu-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_mining.py
	$(BIN)/python bench/eval_replies.py tests/blind/set_a.yml tests/blind/set_b.yml tests/blind/set_c.yml tests/blind/set_d.yml
	$(BIN)/python bench/bench_decision.py
	$(BIN)/python bench/bench_import.py
	$(MAKE) bench-stack

# The bare `rasa init` bot and Tactful side by side (PostgreSQL, Redis); ARGS="--levels 1,10 --keep".
bench-stack: $(VENV)/.installed model
	$(BIN)/python bench/bench_stack.py $(ARGS)

clean:
	rm -rf var models results
