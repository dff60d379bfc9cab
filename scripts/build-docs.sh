#!/usr/bin/env bash
# Build the collection's docs site: antsibull-docs renders the plugin pages of the installed
# collection and its extra docs (docs/docsite/), whose pages include the Markdown prose docs (docs/*.md),
# and Sphinx builds the HTML. Offline: no intersphinx inventory is downloaded. Any Sphinx warning fails.
# Usage: build-docs.sh DOCS_VENV INSTALLED_COLLECTIONS_DIR OUTPUT_DIR
set -euo pipefail

venv=$(cd "$1" && pwd) installed=$(cd "$2" && pwd) out=$3
collection=$installed/ansible_collections/vpsfleet/cloud
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$installed ANSIBLE_NOCOLOR=1

rm -rf "$out"
mkdir -p "$out"
chmod 700 "$out"  # antsibull-docs writes only into a directory no one else can write to
site=$(cd "$out" && pwd)

antsibull-docs sphinx-init --use-current --squash-hierarchy --dest-dir "$site" \
    --project vpsfleet.cloud --title "vpsfleet.cloud" --html-short-title "vpsfleet.cloud" \
    --copyright "vpsfleet maintainers" --no-add-antsibull-docs-version vpsfleet.cloud >/dev/null
cat >> "$site/conf.py" <<'PY'

# vpsfleet.cloud: built offline. The few Ansible docs targets the plugin pages link to come from a
# local inventory (scripts/docs_offline_inventory.py), so no intersphinx inventory is downloaded.
import os.path
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/',
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ansible_devel.inv')),
}

# The prose pages (docs/docsite/rst/) include the Markdown docs with the vpsfleet-prose directive:
# a Sphinx include of /_prose/<name>.md read by myst-parser. Only .rst files are pages of their own.
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext'}
myst_heading_anchors = 3
exclude_patterns = ['_prose']


def setup(app):
    from myst_parser.sphinx_ import Parser
    from sphinx.directives.other import Include

    class ProseInclude(Include):
        def run(self):
            self.arguments[0] = '/_prose/' + self.arguments[0]
            self.options['parser'] = Parser
            return super().run()

    app.add_directive('vpsfleet-prose', ProseInclude)
PY

mkdir -p "$site/rst"
chmod og-w "$site/rst"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --cleanup everything --use-current \
    --squash-hierarchy --dest-dir "$site/rst" vpsfleet.cloud

# The prose docs, with links between them pointing at their pages and other relative links at the
# repository (the files they name are not part of the site).
mkdir -p "$site/rst/_prose"
"$venv/bin/python" - "$collection/docs" "$site/rst/_prose" <<'PY'
import pathlib
import re
import sys

source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
pages = {path.name for path in source.glob("*.md")}
REPOSITORY = "https://github.com/vpsfleet/vpsfleet.cloud/blob/main/docs/"


def rewrite(match):
    link = match.group(1)
    if re.match(r"^([a-z]+:|#)", link):
        return match.group(0)
    path, hash_sign, anchor = link.partition("#")
    if path in pages:
        return "](%s.rst%s%s)" % (path[:-3], hash_sign, anchor)
    return "](%s%s)" % (REPOSITORY, link)


for page in source.glob("*.md"):
    (target / page.name).write_text(re.sub(r"\]\(([^)\s]+)\)", rewrite, page.read_text()))
PY

"$venv/bin/python" "$(dirname "$0")/docs_offline_inventory.py" "$site/rst" "$site/ansible_devel.inv"

start=$SECONDS
sphinx-build -M html "$site/rst" "$site/build" -c "$site" -W --keep-going -q
echo "Docs site built in $((SECONDS - start)) s without warnings: $site/build/html/index.html"
