#!/usr/bin/env bash
# Lint content and docs: plain ansible-lint at the root, plugin and collection docs, changelog,
# and ansible-doc rendering every module, plugin and role of the installed collection.
# Every check runs; the script fails if any of them failed.
# Usage: lint.sh VENV COLLECTION_COPY INSTALLED_COLLECTIONS_DIR
set -uo pipefail

venv=$(cd "$1" && pwd) copy=$(cd "$2" && pwd) installed=$(cd "$3" && pwd) root=$(pwd)
# The venv first on PATH: antsibull-docs runs ansible and ansible-doc by name.
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$installed ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
failures=0

check() {
    local name=$1
    shift
    echo "--- $name"
    if ! "$@"; then
        echo "FAILED: $name"
        failures=$((failures + 1))
    fi
}

# ansible-lint exactly as contributors run it: plainly, at the root, with no collections path of
# ours (.ansible-lint makes it install the collection itself). Only the schema download is skipped.
plain_ansible_lint() {
    (cd "$root" && env -u ANSIBLE_COLLECTIONS_PATH ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1 ansible-lint)
}
check "ansible-lint (plain, at the repository root)" plain_ansible_lint

# Run on the copy: it sits in an ansible_collections tree, which the plugin docs check needs.
lint_collection_docs() {
    (cd "$copy" && "$venv/bin/antsibull-docs" lint-collection-docs --plugin-docs .)
}
check "antsibull-docs lint-collection-docs" lint_collection_docs
check "antsibull-changelog lint" "$venv/bin/antsibull-changelog" lint

render_docs() {
    local plugin_type=$1 file name rendered=0
    for file in plugins/"$2"/*.py; do
        [ -f "$file" ] || continue
        name=$(basename "$file" .py)
        [ "$name" = __init__ ] && continue
        if ! "$venv/bin/ansible-doc" -t "$plugin_type" "vpsfleet.cloud.$name" >/dev/null; then
            echo "ansible-doc cannot render $plugin_type vpsfleet.cloud.$name"
            return 1
        fi
        rendered=$((rendered + 1))
    done
    echo "ansible-doc rendered $rendered $plugin_type plugin(s)"
}
check "ansible-doc modules" render_docs module modules
check "ansible-doc inventory plugins" render_docs inventory inventory
check "ansible-doc lookup plugins" render_docs lookup lookup
check "ansible-doc filter plugins" render_docs filter filter

# A role's documentation is its meta/argument_specs.yml, rendered as users see it.
render_role_docs() {
    local dir name rendered=0
    for dir in roles/*/; do
        name=$(basename "$dir")
        if ! "$venv/bin/ansible-doc" -t role "vpsfleet.cloud.$name" >/dev/null; then
            echo "ansible-doc cannot render role vpsfleet.cloud.$name"
            return 1
        fi
        rendered=$((rendered + 1))
    done
    echo "ansible-doc rendered $rendered role(s)"
}
check "ansible-doc roles" render_role_docs

[ "$failures" -eq 0 ] || { echo "$failures lint check(s) failed"; exit 1; }
echo "All lint checks passed"
