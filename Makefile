# Development entry points for the vpsfleet.cloud collection.
# On a fresh machine `make demo` and `make test` install everything they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV312 := .venv312
# The other supported ansible-core versions: 2.18 on Python 3.11, 2.20 on Python 3.12 (sanity and
# the smoke run; 2.19 is .venv's, 2.21 is .venv312's).
VENV218 := .venv-core2.18
VENV220 := .venv-core2.20
VENV218_PACKAGES := -r requirements.txt "ansible-core>=2.18,<2.19"
VENV220_PACKAGES := -r requirements.txt "ansible-core>=2.20,<2.21"
CORE_VENVS := 2.18=$(VENV218) 2.19=$(VENV) 2.20=$(VENV220) 2.21=$(VENV312)
# galaxy-importer pins its own ansible-core and ansible-lint: it gets a venv of its own.
VENV_IMPORTER := .venv-importer
IMPORTER_PACKAGES := "galaxy-importer>=0.4.44,<0.5"
# The docs site's tools (Sphinx, its theme, myst-parser) stay out of .venv as well.
VENV_DOCS := .venv-docs
DOCS = $(BUILD)/docs
BUILD := .build
COLLECTION_COPY := $(BUILD)/collections/ansible_collections/vpsfleet/cloud
INSTALLED := $(BUILD)/installed
VERSION = $(shell sed -n 's/^version: *//p' galaxy.yml)
# x402 SDK 1.0.0, the last with a protocol v1 server; the venv holds 2.x, so it lives apart and the
# integration tests run it in its own process.
X402_V1 := $(BUILD)/x402-v1

# The 3.12 venv only runs the ansible-core 2.21 sanity tests (2.21 needs Python >= 3.12).
VENV312_PACKAGES := -r requirements.txt "ansible-core>=2.21,<2.22" "pytest>=8,<10"

# Stamps carry a hash of what was installed, so an edited requirement file rebuilds the venv.
VENV_STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
VENV312_STAMP := $(VENV312)/.installed-$(shell (cat requirements.txt; echo '$(VENV312_PACKAGES)') | sha256sum | cut -c1-16)
VENV218_STAMP := $(VENV218)/.installed-$(shell (cat requirements.txt; echo '$(VENV218_PACKAGES)') | sha256sum | cut -c1-16)
VENV220_STAMP := $(VENV220)/.installed-$(shell (cat requirements.txt; echo '$(VENV220_PACKAGES)') | sha256sum | cut -c1-16)
VENV_DOCS_STAMP := $(VENV_DOCS)/.installed-$(shell cat requirements-docs.txt | sha256sum | cut -c1-16)
VENV_IMPORTER_STAMP := $(VENV_IMPORTER)/.installed-$(shell echo '$(IMPORTER_PACKAGES)' | sha256sum | cut -c1-16)

.PHONY: help venv venv312 system-deps eda-deps machines-setup collection sandbox demo bench clean \
        test test-unit test-contract test-integration test-faults test-e2e sanity sanity-2.19 sanity-2.21 lint \
        venv-importer galaxy-importer venv-docs docs browser test-docs venv218 venv220 test-versions \
        test-release release

help:
	@echo "make demo              start the sandbox, use the collection against it over SSH, stop it (root)"
	@echo "make test              every suite: unit, contract, integration, faults, e2e, sanity and smoke on"
	@echo "                       ansible-core 2.18-2.21, lint, galaxy-importer, release, docs site"
	@echo "make test-unit | test-contract | test-integration | test-faults | test-e2e | sanity | lint"
	@echo "make test-faults       every money-moving operation under every fault kind, re-run twice (~2 min)"
	@echo "make test-e2e          the main job on sandbox SSH servers, from the installed collection (root)"
	@echo "make machines-setup    as root: host packages and cached Debian root for sandbox SSH servers"
	@echo "make sandbox           run the sandbox in the foreground (port \$$VPS_SANDBOX_PORT, default 8402)"
	@echo "make collection        copy, build and install the collection under $(BUILD)/"
	@echo "make bench             run the benchmarks, 8-11 minutes (results in bench-results/)"
	@echo "make test-versions     sanity on ansible-core 2.18 and 2.20, smoke runs of the tarball on 2.18-2.21"
	@echo "make galaxy-importer   the built tarball through Galaxy's importer with Automation Hub's rules"
	@echo "make docs              the docs site (plugin pages and guides) into $(DOCS)/build/html"
	@echo "make test-docs         build the docs site and check pages rendered by headless Chromium"
	@echo "make release [VERSION=X.Y.Z]  changelog, tarball and its checks for a release, into dist/"
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

venv218: $(VENV218_STAMP)

$(VENV218_STAMP): requirements.txt
	@scripts/make-venv.sh $(PYTHON) 3.11 $(VENV218) $@ $(VENV218_PACKAGES)

venv220:
	@if python312=$$(scripts/find-python312.sh); then \
	    $(MAKE) --no-print-directory $(VENV220_STAMP) PYTHON312="$$python312"; \
	else \
	    echo "Python 3.12 not found: skipping ansible-core 2.20"; \
	fi

$(VENV220_STAMP): requirements.txt
	@scripts/make-venv.sh $(PYTHON312) 3.12 $(VENV220) $@ $(VENV220_PACKAGES)

venv-docs: $(VENV_DOCS_STAMP)

$(VENV_DOCS_STAMP): requirements-docs.txt
	@scripts/make-venv.sh $(PYTHON) 3.11 $(VENV_DOCS) $@ -r requirements-docs.txt

venv-importer: $(VENV_IMPORTER_STAMP)

$(VENV_IMPORTER_STAMP):
	@scripts/make-venv.sh $(PYTHON) 3.11 $(VENV_IMPORTER) $@ $(IMPORTER_PACKAGES)

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

test: venv venv312 venv218 venv220 venv-importer venv-docs system-deps collection
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

# Sanity on ansible-core 2.18 and 2.20 (in parallel) and the smoke run of the installed tarball on
# 2.18, 2.19, 2.20 and 2.21 against the sandbox.
test-versions: venv venv312 venv218 venv220 collection system-deps
	@scripts/test-versions.sh $(VENV) $(COLLECTION_COPY) "$(CORE_VENVS)"

# The docs site: plugin pages and prose docs, built offline; any Sphinx warning fails the build.
docs: collection venv-docs
	@scripts/build-docs.sh $(VENV_DOCS) $(INSTALLED) $(DOCS)

# Chromium (Debian package) renders the docs site in the browser tests.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	    (apt-get -o DPkg::Lock::Timeout=600 update -qq \
	        && apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null) \
	        || echo "WARNING: could not install chromium; the docs browser tests will fail"; \
	else \
	    echo "WARNING: not root, cannot apt-get install chromium; the docs browser tests will be skipped"; \
	fi

# The built site rendered by headless Chromium, its text checked.
test-docs: docs browser
	@scripts/pytest-suite.sh $(VENV) docs tests/docs

# Galaxy's and Automation Hub's import checks on the built tarball: no error and no warning; and
# what the tarball ships (COPYING, the version, no tests/).
galaxy-importer: collection venv-importer
	@$(VENV)/bin/python scripts/check_tarball.py $(BUILD)/dist/vpsfleet-cloud-$(VERSION).tar.gz
	@scripts/galaxy-importer.sh $(VENV_IMPORTER) $(BUILD)/dist/vpsfleet-cloud-$(VERSION).tar.gz

# The release checks: galaxy-importer on the tarball, and `make release` tried in a scratch copy.
test-release: galaxy-importer
	@scripts/pytest-suite.sh $(VENV) release tests/release

# A release of the version in galaxy.yml, or of VERSION=X.Y.Z (set first): the changelog generated
# from the fragments, the tarball built and checked (galaxy-importer with Hub's rules) into dist/.
release: venv venv-importer
	@scripts/release.sh $(VENV) $(VENV_IMPORTER) $(VERSION)

clean:
	rm -rf $(VENV) $(VENV312) $(VENV218) $(VENV220) $(VENV_IMPORTER) $(VENV_DOCS) $(BUILD) .pytest_cache tests/output
