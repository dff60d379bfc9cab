#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_api_key
short_description: Mint and revoke VPSCrypto API keys
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - With O(state=present), makes sure the account has an API key labelled O(name), minting one if there is
    none. The new key is returned in RV(api_key) B(once); the API never shows it again.
  - With O(state=absent), revokes the key O(id), or every key labelled O(name).
  - Otwa Cloud keys cannot be managed through the API; with O(provider=otwa) the module fails before any
    request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITH_DIFF
  - vpsfleet.cloud.journal
  - vpsfleet.cloud.journal.LOCK
options:
  state:
    description:
      - V(present) mints a key labelled O(name) unless one exists; V(absent) revokes keys.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - Label of the key. Required with O(state=present).
      - The API does not make labels unique; the module treats the label as the key's identity. An existing
        key with this label (whoever minted it) counts as present, and its secret cannot be read again.
      - This works only while the API keeps the label it is given. When the minted key comes back with another
        label, the task warns, since the next run will not find it by O(name) and will mint another key.
    type: str
  id:
    description:
      - ID of the key to revoke with O(state=absent).
    type: str
notes:
  - In check mode, reports what would be minted or revoked; changes nothing. The diff holds the labels of the
    account's keys before and after.
  - The returned RV(api_key) is a secret. Set C(no_log=true) on the task, and register the result, so it
    stays out of logs and callbacks.
  - Revoking the key the task itself authenticates with is refused (its prefix is compared), so a play
    cannot lock itself out; revoke it with another key.
  - Minting is not repeated when its answer is lost, since a second request would mint a second key. The task
    then fails saying a key may have been minted; its secret is lost with the answer, yet the key works and,
    being labelled O(name), makes the next run report it as present. List the keys with
    M(vpsfleet.cloud.vps_api_key_info), revoke that orphan by its ID (O(state=absent) with O(id)), and run
    again to mint a key whose secret you get.
seealso:
  - module: vpsfleet.cloud.vps_api_key_info
  - module: vpsfleet.cloud.vps_account
"""

EXAMPLES = r"""
- name: Give the CI pipeline its own key
  vpsfleet.cloud.vps_api_key:
    provider: vpscrypto
    name: ci-pipeline
  register: ci_key
  no_log: true

- name: Revoke every key labelled ci-pipeline
  vpsfleet.cloud.vps_api_key:
    provider: vpscrypto
    name: ci-pipeline
    state: absent

- name: Revoke one key by ID (for example a key whose mint answer was lost)
  vpsfleet.cloud.vps_api_key:
    provider: vpscrypto
    id: "17"
    state: absent
"""

RETURN = r"""
api_key:
  description: The full new key. Shown once by the API.
  returned: when a key was minted
  type: str
key:
  description: The key labelled O(name) (the first one, when several carry the label).
  returned: with O(state=present), except in check mode when a key would be minted
  type: dict
  contains:
    id:
      description: Key ID.
      type: str
    name:
      description: Label.
      type: str
    prefix:
      description: The first characters of the key, enough to recognise it.
      type: str
    created_at:
      description: When the key was minted.
      type: str
    last_used_at:
      description: When the key was last used, or V(null).
      type: str
revoked:
  description: IDs of the keys revoked (or, in check mode, that would be).
  returned: with O(state=absent)
  type: list
  elements: str
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.api_keys import (
    is_key_in_use, key_record, keys_matching, list_key_records,
)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import JournalError, journal_argument_spec, wait_for_effect
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.order_guard import UsesJournal, order_lock
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import provider_api_key


MINT_INTENT = "api_key"


def labels(keys):
    return {"keys": sorted("%s (%s)" % (key["name"], key["prefix"]) for key in keys)}


class ApiKeyModule(UsesJournal, VpsModule):
    represent = "key"

    def required_operations(self):
        if self.params["state"] == "present":
            return ("list_api_keys", "create_api_key")
        return ("list_api_keys", "revoke_api_key")

    def execute(self):
        if self.params["state"] == "present" and not self.check_mode:
            # One run at a time per account on this controller: the later one then finds the key and mints none.
            with order_lock(self, self.journal):
                self.ensure_present(list_key_records(self.adapter))
            return
        keys = list_key_records(self.adapter)
        if self.params["state"] == "present":
            self.ensure_present(keys)
        else:
            self.ensure_absent(keys)

    def ensure_present(self, keys):
        existing = keys_matching(keys, name=self.params["name"])
        if not existing and not self.check_mode:
            existing = self.resolve_pending_mint(self.params["name"])
        elif existing and not self.check_mode:
            self.journal.clear(MINT_INTENT, self.params["name"])
        if existing:
            self.result["key"] = existing[0]
            if len(existing) > 1:
                self.module.warn("%d API keys are labelled %r; returning the first" % (len(existing), self.params["name"]))
            return
        self.mark_changed()
        if self.check_mode:
            self.set_diff(labels(keys), {"keys": labels(keys)["keys"] + ["%s (new)" % self.params["name"]]})
            return
        minted = self.mint(self.params["name"])
        self.record_effect()
        self.result["api_key"] = minted.get("api_key")
        self.result["key"] = key_record(minted)
        self.set_diff(labels(keys), labels(keys + [self.result["key"]]))
        if self.result["key"]["name"] != self.params["name"]:
            self.module.warn(
                "the new API key %s came back labelled %r, not %r: the API did not keep the label, so the module"
                " cannot be idempotent by name and the next run will mint another key. Revoke unwanted keys by id"
                % (self.result["key"]["id"], self.result["key"]["name"], self.params["name"]))

    def resolve_pending_mint(self, name):
        """An earlier run's mint of ``name`` whose answer was lost: look for its key before minting again.

        Returns the keys found (the late mint landed: its secret was lost with the answer), or ``[]``
        when there was no such intent or it is abandoned; fails when the key has not appeared.
        """
        try:
            intent = self.journal.find(MINT_INTENT, name)
        except JournalError as exc:
            raise ModuleFailure("nothing was minted: %s" % exc)
        if intent is None:
            return []
        if self.params["abandon_pending"]:
            self.journal.clear(MINT_INTENT, name)
            self.module.warn("abandon_pending: dropped the unresolved mint of API key %r an earlier run left (journal"
                             " entry %s); a key with that label may still appear" % (name, intent["path"]))
            return []
        found = wait_for_effect(lambda: keys_matching(list_key_records(self.adapter), name=name),
                                self.params["pending_grace"])
        if not found:
            raise ModuleFailure(
                "an earlier run minted API key %r but lost the answer, and no key with that label has appeared within"
                " %d s (pending_grace); nothing was minted, so no key is doubled. List the keys (vps_api_key_info):"
                " once it appears, run again; if you are sure it was not minted, run again with abandon_pending=true"
                " (journal entry %s)" % (name, self.params["pending_grace"], intent["path"]))
        self.journal.clear(MINT_INTENT, name)
        self.module.warn("API key %r (%s) was minted by an earlier run whose answer was lost, so its secret is"
                         " unknown; revoke it (vps_api_key state=absent id=%s) and run again for a key you can use"
                         % (name, found[0]["prefix"], found[0]["id"]))
        return found

    def mint(self, name):
        try:
            self.journal.record(MINT_INTENT, name, label=name)
        except (JournalError, OSError) as exc:
            raise ModuleFailure("nothing was minted: the intent could not be journaled (%s)" % exc)
        try:
            minted = self.adapter.create_api_key(name)
        except ApiError as exc:
            if not exc.outcome_unknown:
                self.journal.clear(MINT_INTENT, name)
                raise
            raise ModuleFailure(
                "the answer to minting API key %r was lost (%s); a key may have been minted and its secret lost"
                " with the answer. The mint is kept in the intent journal: the next run looks for a key labelled %r"
                " (pending_grace) before it would mint another. If one appears, revoke it (vps_api_key state=absent"
                " id=...) since its secret is lost" % (name, exc, name), failure=exc.to_failure())
        self.journal.clear(MINT_INTENT, name)
        return minted

    def ensure_absent(self, keys):
        doomed = keys_matching(keys, key_id=self.params["id"], name=self.params["name"])
        own_key = provider_api_key(self.provider, self.params["api_key"])
        for key in doomed:
            if is_key_in_use(key, own_key):
                raise ModuleFailure("refusing to revoke API key %s (%s): this task authenticates with it; revoke it"
                                    " with another key" % (key["id"], key["prefix"]))
        self.result["revoked"] = [key["id"] for key in doomed]
        if not doomed:
            return
        self.mark_changed()
        remaining = [key for key in keys if key not in doomed]
        self.set_diff(labels(keys), labels(remaining))
        if self.check_mode:
            return
        for key in doomed:
            self.adapter.revoke_api_key(key["id"])
            self.record_effect()


def main():
    module = VpsModule.build_module(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str"),
            id=dict(type="str"),
            **journal_argument_spec(lock=True)
        ),
        required_if=[("state", "present", ("name",)), ("state", "absent", ("id", "name"), True)],
        mutually_exclusive=[("id", "name")],
    )
    ApiKeyModule(module).run()


if __name__ == "__main__":
    main()
