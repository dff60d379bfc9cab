#!/usr/bin/env bash
# Copy the collection's files into an ansible_collections tree (ansible-test needs a real copy,
# not a symlink), build the tarball from that copy and install it.
# Usage: build-collection.sh VENV COPY_DIR DIST_DIR INSTALL_DIR
set -euo pipefail

venv=$1 copy=$2 dist=$3 installed=$4

# Tracked files plus untracked ones that are not ignored (so local work is included), minus
# anything the ignore rules exclude even if tracked, and files deleted in the work tree.
list_collection_files() {
    git ls-files -z --cached --others --exclude-standard \
        | sort -zu \
        | { git check-ignore -z --no-index --stdin --verbose --non-matching || true; } \
        | awk 'BEGIN { RS = "\0"; ORS = "\0" }
               NR % 4 == 1 { source = $0 } NR % 4 == 0 { if (source == "") print $0 }' \
        | while IFS= read -r -d '' path; do [ -f "$path" ] && printf '%s\0' "$path"; done
}

rm -rf "$copy" "$dist"
mkdir -p "$copy" "$dist" "$installed"
list_collection_files | xargs -0 cp --parents -t "$copy"
echo "Copied $(find "$copy" -type f | wc -l) files into $copy"
# ansible-test lists files with git from the nearest .git upwards; without one of its own the copy
# would be seen as ignored files of the enclosing checkout and every sanity target skipped.
git init --quiet "$copy"

"$venv/bin/ansible-galaxy" collection build --force --output-path "$dist" "$copy" >/dev/null
tarball=$(ls "$dist"/vpsfleet-cloud-*.tar.gz)
ANSIBLE_COLLECTIONS_PATH="$installed" \
    "$venv/bin/ansible-galaxy" collection install --force --offline -p "$installed" "$tarball" >/dev/null
echo "Built $tarball and installed it into $installed"
