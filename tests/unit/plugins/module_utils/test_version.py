# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version in the User-Agent is the version the collection is released as."""

from __future__ import annotations

import os
import re

from ansible_collections.vpsfleet.cloud.plugins.module_utils._version import COLLECTION_VERSION

GALAXY_YML = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")


def test_the_collection_version_equals_the_galaxy_yml_version():
    with open(GALAXY_YML) as galaxy:
        declared = re.search(r"^version:\s*['\"]?([^'\"\s]+)", galaxy.read(), re.MULTILINE).group(1)
    assert COLLECTION_VERSION == declared
