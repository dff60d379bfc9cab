#!/usr/bin/env bash
# Prepares this host for ansible-rulebook (installed in the venv from requirements-dev.txt): it needs a
# Java 17+ runtime. Installs Debian's default-jre-headless (Java 17 on Debian 12, 21 on Debian 13) when none is found.
# Idempotent. Without root and without Java it only warns: the tests that run ansible-rulebook then skip.
set -euo pipefail

log() { printf '[eda-setup] %s\n' "$*"; }

java_major() {
    local java=$1
    "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

java_ok() {
    local java major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        java="$JAVA_HOME/bin/java"
    else
        java=$(command -v java) || return 1
    fi
    major=$(java_major "$java")
    [ -n "$major" ] && [ "$major" -ge 17 ]
}

if java_ok; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    log "WARNING: no Java 17+ runtime and not root: install default-jre-headless; the ansible-rulebook tests will skip"
    exit 0
fi
log "installing default-jre-headless (Java runtime for ansible-rulebook)"
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    default-jre-headless >/dev/null
java_ok || { log "WARNING: default-jre-headless is installed but no Java 17+ runtime answers"; exit 0; }
