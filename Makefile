# Development entry points for the vpsfleet.cloud collection.
# On a fresh machine `make demo` and `make test` install everything they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV312 := .venv312
BUILD := .build
COLLECTION_COPY := $(BUILD)/collections/ansible_collections/vpsfleet/cloud
INSTALLED := $(BUILD)/installed
# x402 SDK 1.0.0, the last with a protocol v1 server; the venv holds 2.x, so it lives apart and the
# integration tests run it in its own process.
X402_V1 := $(BUILD)/x402-v1

# The 3.12 venv only runs the ansible-core 2.21 sanity tests (2.21 needs Python >= 3.12).
VENV312_PACKAGES := -r requirements.txt "ansible-core>=2.21,<2.22" "pytest>=8,<10"

# Stamps carry a hash of what was installed, so an edited requirement file rebuilds the venv.
VENV_STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
VENV312_STAMP := $(VENV312)/.installed-$(shell (cat requirements.txt; echo '$(VENV312_PACKAGES)') | sha256sum | cut -c1-16)

.PHONY: help venv venv312 system-deps eda-deps machines-setup collection sandbox demo bench clean \
        test test-unit test-contract test-integration test-faults test-e2e sanity sanity-2.19 sanity-2.21 lint

help:
	@echo "make demo              start the sandbox, use the collection against it over SSH, stop it (root)"
	@echo "make test              every suite: unit, contract, integration, faults, e2e, sanity (2.19 + 2.21), lint"
	@echo "make test-unit | test-contract | test-integration | test-faults | test-e2e | sanity | lint"
	@echo "make test-faults       every money-moving operation under every fault kind, re-run twice (~2 min)"
	@echo "make test-e2e          the main job on sandbox SSH servers, from the installed collection (root)"
	@echo "make machines-setup    as root: host packages and cached Debian root for sandbox SSH servers"
	@echo "make sandbox           run the sandbox in the foreground (port \$$VPS_SANDBOX_PORT, default 8402)"
	@echo "make collection        copy, build and install the collection under $(BUILD)/"
	@echo "make bench             run the benchmarks, 8-11 minutes (results in bench-results/)"
	@echo "make clean             remove venvs and build output"

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	@scripts/make-venv.sh $(PYTHON) 3.11 $(VENV) $@ -r requirements-dev.txt

venv312:
	@if python312=$$(scripts/find-python312.sh); then \
	    $(MAKE) --no-print-directory $(VENV312_STAMP) PYTHON312="$$python312"; \
	else \
	    echo "Python 3.12 not found: skipping the ansible-core 2.21 sanity run"; \
	fi

$(VENV312_STAMP): requirements.txt
	@scripts/make-venv.sh $(PYTHON312) 3.12 $(VENV312) $@ $(VENV312_PACKAGES)

# Sandbox SSH servers need root; without it the suites that use them skip (or fail with
# VPSFLEET_REQUIRE_MACHINES=1) and say why.
machines-setup:
	@if [ "$$(id -u)" = 0 ]; then \
	    scripts/sandbox-machines-setup.sh; \
	else \
	    echo "not root: sandbox SSH servers cannot run, their tests will skip"; \
	fi

# shellcheck is a Debian package; ansible-test's shellcheck sanity test needs it.
system-deps:
	@if command -v shellcheck >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null) \
	        || echo "WARNING: could not install shellcheck; the shellcheck sanity test will be skipped"; \
	else \
	    echo "WARNING: not root, cannot apt-get install shellcheck; the shellcheck sanity test will be skipped"; \
	fi

# ansible-rulebook (in the venv) needs a Java 17+ runtime: Debian's default-jre-headless.
eda-deps:
	@scripts/eda-setup.sh

collection: venv
	@scripts/build-collection.sh $(VENV) $(COLLECTION_COPY) $(BUILD)/dist $(INSTALLED)

sandbox: venv
	PYTHONPATH=sandbox $(VENV)/bin/python -m vps_sandbox

demo: collection machines-setup eda-deps
	$(VENV)/bin/python scripts/demo.py

bench: venv
	@if [ -f scripts/bench.py ]; then \
	    $(VENV)/bin/python scripts/bench.py; \
	    echo "Benchmark results are in bench-results/"; \
	else \
	    echo "No benchmarks yet (scripts/bench.py); results will go to bench-results/"; \
	fi

test: venv venv312 system-deps collection
	@scripts/test-all.sh

test-unit: venv
	@scripts/pytest-suite.sh $(VENV) unit tests/unit

# tests/sandbox holds the SSH machine backend's tests.
test-contract: venv machines-setup
	@scripts/pytest-suite.sh $(VENV) contract tests/contract tests/sandbox

test-integration: collection eda-deps $(X402_V1)/x402/__init__.py
	@X402_V1_PATH=$(X402_V1) scripts/pytest-suite.sh $(VENV) integration tests/integration

$(X402_V1)/x402/__init__.py: $(VENV_STAMP)
	@$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --target $(X402_V1) "x402==1.0.0" \
	    2> >(grep -v "is neither a file nor a directory" >&2)

# Money safety: each money-moving operation under each fault kind, run, re-run at once, re-run after
# the late effect; prints the counts and fails on any double.
test-faults: venv
	@scripts/pytest-suite.sh $(VENV) faults tests/faults

# The main job on sandbox servers you can SSH into, its playbooks run from the collection installed
# from the built tarball; needs root (skipped with the reason otherwise).
test-e2e: venv collection machines-setup eda-deps
	@VPSFLEET_E2E_INSTALLED=1 scripts/pytest-suite.sh $(VENV) e2e tests/e2e

sanity: sanity-2.19 sanity-2.21

sanity-2.19: collection system-deps
	@scripts/sanity.sh $(VENV) 3.11 $(COLLECTION_COPY)

sanity-2.21: venv312 collection system-deps
	@if [ -x $(VENV312)/bin/ansible-test ]; then \
	    scripts/sanity.sh $(VENV312) 3.12 $(COLLECTION_COPY); \
	else \
	    echo "SKIPPED: ansible-core 2.21 sanity (Python 3.12 not found)"; \
	fi

lint: collection
	@scripts/lint.sh $(VENV) $(COLLECTION_COPY) $(INSTALLED)

clean:
	rm -rf $(VENV) $(VENV312) $(BUILD) .pytest_cache tests/output
