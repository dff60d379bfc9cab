"""Write a local intersphinx inventory for the Ansible docs, so the docs site builds offline.

The plugin pages antsibull-docs writes refer to a few pages of the Ansible documentation (common return
values, configuration settings and its environment variables). Intersphinx would download the Ansible
docs' objects.inv to resolve them; this writes the part the site uses instead, with the same targets
on docs.ansible.com, so the links work and no network is needed.

Usage: docs_offline_inventory.py RST_DIR OUTPUT_FILE
"""

from __future__ import annotations

import pathlib
import re
import sys
import zlib

# Labels of the Ansible docs that antsibull-docs' templates refer to, and where they are.
LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values",
                             "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
}
# ansible-core's settings and their environment variables are all on one page.
ENVVAR_PAGE = "reference_appendices/config.html#envvar-$"


def unescape(name):
    return name.replace("\\_", "_")


def main(rst_dir, output):
    texts = [path.read_text() for path in pathlib.Path(rst_dir).rglob("*.rst")]
    defined = set(unescape(name) for text in texts for name in re.findall(r"^\.\. envvar:: (\S+)", text, re.M))
    referenced = set(unescape(name) for text in texts for name in re.findall(r":envvar:`([^`<]+)`", text))
    lines = ["%s std:label -1 %s %s" % (label, uri, title) for label, (uri, title) in sorted(LABELS.items())]
    lines += ["%s std:envvar 1 %s -" % (name, ENVVAR_PAGE) for name in sorted(referenced - defined)]
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    pathlib.Path(output).write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))


if __name__ == "__main__":
    main(*sys.argv[1:])
