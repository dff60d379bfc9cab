# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version, kept in step with galaxy.yml (a unit test checks it)."""

from __future__ import annotations

COLLECTION_VERSION = "1.0.0"
