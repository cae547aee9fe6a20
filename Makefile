# The one entry point for developer tasks. Every target bootstraps first, so
# each works on a fresh clone with no other step.

PYTHON ?= python3
VENV_PY := .venv/bin/python
# The bootstrapped tools and the generated Terraform CLI config, for every recipe.
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/.venv/bin:$(PATH)
export TF_CLI_CONFIG_FILE := $(CURDIR)/.tools/terraformrc
# Go's collector runs a quarter as often in Terraform, its provider and Terragrunt: each Terraform
# command of the tests and the demo then takes about a quarter less CPU (loading the provider's schema
# dominates it), for some tens of megabytes more memory per process.
export GOGC ?= 400
# pytest-xdist: a worker per core and one more. A slow test's Terraform, provider and emulator run in
# processes of their own, so the cores stay busy; more workers only make them share the cores (on 2
# cores, 4 workers took about 8% more CPU than 3 for the same tests). Tests that share a plan or a
# folder of the checkout run on one worker (their xdist_group, tests/conftest.py), and the longest of
# them start first (LONGEST_FIRST there).
# `make test PARALLEL=` runs everything in one process.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1)')
PARALLEL ?= -n $(WORKERS) --dist loadgroup --no-loadscope-reorder
# What a change to live/ alone can break, besides lint and the plan: the tests that read live/.
CONFIG_TESTS := tests/live tests/iam/test_ci_trust.py tests/iam/test_ci_permissions.py

.PHONY: help bootstrap demo test test-fast test-config test-botocore lint fmt docs lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

bootstrap: ## install or check every pinned tool (idempotent; seconds when done before)
	@$(PYTHON) -m ddb_warmer.build.bootstrap

demo: bootstrap ## the main job: deploy live/'s first environment to the local emulator, run warm ticks, report, tear down
	@$(VENV_PY) -m ddb_warmer.local.demo

# make test lints first (lint runs here once, not again inside pytest) and prints its slowest tests.
test: lint ## make lint, then every test: handler, package, workflows, Terragrunt plans/applies on the emulator
	@$(VENV_PY) -m pytest $(PARALLEL) --durations=15

test-fast: bootstrap ## the tests that need no emulator server or Terraform
	@$(VENV_PY) -m pytest $(PARALLEL) -m "not slow"

test-config: bootstrap ## the tests of what live/ holds (plans, state buckets, CI roles): the check of a live/-only pull request
	@$(VENV_PY) -m pytest $(PARALLEL) $(CONFIG_TESTS)

test-botocore: bootstrap ## the handler's tests on the oldest, the pinned and the newest botocore a python3.13 runtime may bring
	@$(VENV_PY) -m ddb_warmer.build.botocore_matrix

test-trees: bootstrap ## make test-config on five generated live/ trees, each as a fork would write it (about 15 min)
	@DDB_WARMER_TEST_TREES=1 $(VENV_PY) -m pytest -p no:randomly tests/tooling/test_generated_trees.py

lint: bootstrap ## ruff, mypy, terraform fmt, terragrunt hcl fmt, actionlint, checkov, at once (make test runs it first)
	@$(MAKE) --no-print-directory --jobs --output-sync=target $(LINTERS)

# The linters of `make lint`, each a target of its own so that they run at once (checkov and a cold
# mypy take most of the time); each needs the bootstrap `make lint` has already run.
LINTERS := lint-python lint-types lint-hcl lint-workflows lint-checkov
.PHONY: $(LINTERS)
lint-python:
	@$(VENV_PY) -m ruff check .
	@$(VENV_PY) -m ruff format --check .
lint-types:
	@$(VENV_PY) -m mypy
lint-hcl:
	@terraform fmt -check -recursive modules
	@terragrunt hcl fmt --check --working-dir live
	@terragrunt hcl fmt --check --file terragrunt.hcl
lint-workflows:
	@actionlint
lint-checkov:
	@$(VENV_PY) -m ddb_warmer.build.checkov

fmt: bootstrap ## format Python, Terraform and Terragrunt files
	@$(VENV_PY) -m ruff format .
	@terraform fmt -recursive modules
	@terragrunt hcl fmt --working-dir live
	@terragrunt hcl fmt --file terragrunt.hcl

docs: bootstrap ## regenerate the module README's inputs/outputs tables (terraform-docs)
	@terraform-docs modules/dynamodb-warmer
	@terraform-docs modules/github-oidc
	@terraform-docs modules/state-bucket

lock: ## re-pin requirements/*.txt (hashed, pip-compile) from requirements/*.in; Dependabot keeps them current
	rm -rf .venv-lock && $$($(PYTHON) -m ddb_warmer.build.bootstrap --print-python) -m venv .venv-lock
	.venv-lock/bin/pip install -q pip-tools
	for name in dev checkov lambda-runtime botocore-oldest botocore-runtime botocore-newest; do \
	  .venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	    --no-emit-find-links --upgrade --output-file requirements/$$name.txt requirements/$$name.in || exit 1; \
	done
	rm -rf .venv-lock

clean: ## remove build output and local run leftovers (keeps the tool cache)
	rm -rf dist .work
	find live -name .terragrunt-cache -type d -prune -exec rm -rf {} +
