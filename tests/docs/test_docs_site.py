"""The docs site as a reader sees it: pages rendered by headless Chromium, their text checked.

``make docs`` builds the site into .build/docs/build/html (``make test-docs`` builds it and runs
these tests). Chromium loads each page from disk and prints the DOM it rendered (``--dump-dom``);
the tests read the visible text of that DOM, so a page that exists but renders no options table,
no examples or no return values fails.
"""

from __future__ import annotations

import html.parser
import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SITE = REPO / ".build" / "docs" / "build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# make test-docs installs Chromium when run as root; only without root may it be missing.
pytestmark = pytest.mark.skipif(CHROMIUM is None and os.geteuid() != 0,
                                reason="Chromium is not installed, and only root can install it (make test-docs)")


class _VisibleText(html.parser.HTMLParser):
    """Collects the text a reader sees (outside script, style and head), split at the headings."""

    HIDDEN = {"script", "style", "head", "template", "noscript"}
    # Text in separate blocks (cells, paragraphs, lines) is separated; inline elements such as the
    # spans of highlighted code are not, so "name:" stays "name:".
    BLOCKS = {"p", "div", "td", "th", "tr", "li", "dt", "dd", "pre", "br", "table", "section", "ul", "ol"}
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}

    def __init__(self):
        super().__init__()
        self.hidden_depth = 0
        self.blocks = [[0, "", []]]  # [heading level, heading text, text parts under it]
        self.in_heading = False
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        if tag in self.HEADINGS:
            self.blocks.append([self.HEADINGS[tag], "", []])
            self.in_heading = True
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag in self.BLOCKS:
            self.blocks[-1][2].append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in self.BLOCKS:
            self.blocks[-1][2].append(" ")
        if tag in self.HEADINGS:
            self.in_heading = False

    def handle_data(self, data):
        if self.hidden_depth:
            return
        if self.in_heading:
            self.blocks[-1][1] += data
        else:
            self.blocks[-1][2].append(data)


def _squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


class RenderedPage:
    """The visible text and links of a page's main content (navigation and sidebar left out)."""

    def __init__(self, dom):
        assert 'role="main"' in dom, "no main content in the rendered page"
        parser = _VisibleText()
        parser.feed(dom[dom.index('role="main"'):])
        # A heading ends with its permalink sign (a pilcrow or an icon font character).
        self.blocks = [(level, _squeeze(re.sub("[\u00b6\ue000-\uf8ff]", "", heading)), _squeeze("".join(parts)))
                       for level, heading, parts in parser.blocks]
        self.text = " ".join(heading + " " + text for dummy, heading, text in self.blocks)
        self.headings = [heading for dummy, heading, dummy in self.blocks if heading]
        self.links = parser.links

    def section(self, heading):
        """The text under a heading, down to the next heading of the same or a higher level."""
        found = [index for index, block in enumerate(self.blocks) if block[1] == heading]
        assert found, "no heading %r; the page has %s" % (heading, self.headings)
        level, dummy, text = self.blocks[found[0]]
        parts = [text]
        for sub_level, sub_heading, sub_text in self.blocks[found[0] + 1:]:
            if sub_level <= level:
                break
            parts += [sub_heading, sub_text]
        return " ".join(parts)


def render(page):
    assert CHROMIUM, "Chromium is not installed (Debian package chromium; make test-docs installs it)"
    path = SITE / page
    assert path.is_file(), "%s is missing: build the site with make docs" % path
    command = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run", "--dump-dom", path.as_uri()]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<html" in result.stdout, result.stderr[-2000:]
    return RenderedPage(result.stdout)


@pytest.fixture(scope="module")
def vps_server_page():
    return render("vps_server_module.html")


@pytest.fixture(scope="module")
def inventory_page():
    return render("vps_inventory.html")


def test_the_vps_server_page_shows_its_options_table(vps_server_page):
    options = vps_server_page.section("Parameters")
    for expected in ("Parameter", "Comments", "api_key", "wait_timeout", "Default: 600",
                     "Choices:", '"present" ← (default)', '"rebuilt"', "integer", "string"):
        assert expected in options, expected


def test_the_vps_server_page_shows_the_attributes_from_the_shared_fragment(vps_server_page):
    attributes = vps_server_page.section("Attributes")
    for expected in ("check_mode", "diff_mode", "platform", "action_group", "group/vpsfleet.cloud.vps", "Support: full"):
        assert expected in attributes, expected


def test_the_vps_server_page_shows_its_examples(vps_server_page):
    examples = vps_server_page.section("Examples")
    assert "vpsfleet.cloud.vps_server:" in examples
    assert "provider:" in examples


def test_the_vps_server_page_shows_its_return_values(vps_server_page):
    returned = vps_server_page.section("Return Values")
    for expected in ("Key", "Description", "root_password", "Returned:"):
        assert expected in returned, expected


def test_the_inventory_page_shows_options_requirements_and_examples(inventory_page):
    assert "vpsfleet.cloud.vps inventory" in inventory_page.text
    assert "requests" in inventory_page.section("Requirements")
    options = inventory_page.section("Parameters")
    for expected in ("credentials", "cache_credentials", '"lazy"', "VPSCRYPTO_API_KEY", "api_timeout", "float"):
        assert expected in options, expected
    examples = inventory_page.section("Examples")
    assert examples.count("plugin: vpsfleet.cloud.vps") == 3


def test_a_prose_page_renders_its_markdown_with_links_to_the_other_pages():
    page = render("docsite/awx.html")
    assert "vpsfleet.cloud in AWX / Automation Controller" in page.text
    assert "Credential types" in page.text and "Job templates" in page.text
    assert "collections/requirements.yml" in page.text  # a YAML block of the Markdown source
    assert "## " not in page.text  # headings were parsed, not shown as Markdown
    pages = set(link.split("#")[0] for link in page.links)
    assert {"x402.html", "inventory.html"} <= pages, sorted(pages)


def test_the_index_lists_the_prose_guides_and_the_plugins():
    page = render("index.html")
    for expected in ("Guides", "Architecture", "AWX", "vps_server module", "vps inventory"):
        assert expected in page.text, expected
