"""The docs site's sources: every prose doc is a page of the site, and every page has its prose doc."""

from __future__ import annotations

import pathlib

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCSITE = REPO / "docs" / "docsite"


def toctree_pages():
    index = yaml.safe_load((DOCSITE / "extra-docs.yml").read_text())
    return [entry if isinstance(entry, str) else entry["ref"]
            for section in index["sections"] for entry in section["toctree"]]


def test_every_markdown_doc_is_a_page_of_the_docs_site():
    prose = sorted(path.stem for path in (REPO / "docs").glob("*.md"))
    assert sorted(toctree_pages()) == prose
    assert sorted(path.stem for path in (DOCSITE / "rst").glob("*.rst")) == prose


def test_each_page_includes_its_own_markdown_doc_under_its_label():
    for page in (DOCSITE / "rst").glob("*.rst"):
        text = page.read_text()
        assert ".. _ansible_collections.vpsfleet.cloud.docsite.%s:" % page.stem in text, page.name
        assert ".. vpsfleet-prose:: %s.md" % page.stem in text, page.name
