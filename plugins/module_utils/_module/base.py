# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every vpsfleet.cloud module is a short declaration on top of.

A module subclasses :class:`VpsModule`, names the operations it needs, and implements
``execute()``; the base owns the shared options, client and adapter construction, capability
checks, turning failures into ``fail_json`` with a structured ``failure``, and result/diff assembly.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .._http.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError
from .._providers.model import public_view
from .._providers.registry import (
    PROVIDERS, OperationNotOffered, build_adapter, offers, provider_api_key, provider_label, require)
from .._http.rate_limit import RATE_LIMIT_ENV, rate_limit_from_env
from .._core.errors import ModuleFailure  # noqa: F401  pylint: disable=unused-import  # modules import it from here
from .._core.resolve import InvalidChoice
from .._core.wait import WaitTimeout, wait_until


def provider_argument_spec():
    """The shared options, as documented in the ``vpsfleet.cloud.provider`` doc fragment."""
    return dict(
        provider=dict(type="str", required=True, choices=sorted(PROVIDERS)),
        api_key=dict(type="str", no_log=True),
        api_url=dict(type="str"),
        api_timeout=dict(type="float", default=30),
        api_retries=dict(type="int", default=5),
        api_retry_max_delay=dict(type="float", default=30),
        validate_certs=dict(type="bool", default=True),
        api_rate_limit=dict(type="float", fallback=(env_fallback, [RATE_LIMIT_ENV])),
    )


class VpsModule(object):
    """Base of every module: subclasses set ``operations`` and implement ``execute()``.

    ``operations`` lists the operations (see ``_providers/contract.py``) this module needs for the
    chosen state; they are checked before any request. Override :meth:`required_operations`
    when they depend on the parameters.
    """

    operations = ()
    # False for the few operations the APIs serve without a key (account creation, catalog, health).
    needs_api_key = True
    # Key under which the main resource is returned (e.g. ``server``).
    represent = None
    # Result keys holding a secret the provider can show again (e.g. a root password): a failed
    # task prints its whole result, so they are left out of a failure unless the task is no_log.
    secrets_shown_again = ()

    def __init__(self, module, params=None):
        """``params`` replaces the module's parameters, for a part of a module that works on one
        provider account of several (``vps_fleet``'s ``accounts``)."""
        self.module = module
        self.params = module.params if params is None else params
        self.provider = self.params["provider"]
        self.provider_label = provider_label(self.provider) if self.provider else None
        self.result = {"changed": False}
        # True once the provider has changed something for this task (not merely planned it).
        self.effected = False
        self.before = None
        self.after = None
        self._adapter = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def build_module(cls, argument_spec, **kwargs):
        """An AnsibleModule with the shared options merged in and check mode on by default."""
        spec = provider_argument_spec()
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        return AnsibleModule(argument_spec=spec, **kwargs)

    @property
    def adapter(self):
        """The provider adapter, built on first use (so capability errors come before it)."""
        if self._adapter is None:
            if not HAS_REQUESTS:
                self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
            api_key = provider_api_key(self.provider, self.params.get("api_key"))
            if api_key:
                # A key read from the environment is as secret as one given as an option.
                self.module.no_log_values.add(api_key)
            try:
                rate_limit = rate_limit_from_env(self.params.get("api_rate_limit"), environ={})
            except ValueError as exc:
                raise ModuleFailure(str(exc))
            self._adapter = build_adapter(
                self.provider, api_key=api_key, api_url=self.params.get("api_url"),
                timeout=self.params["api_timeout"], retries=self.params["api_retries"],
                retry_max_delay=self.params["api_retry_max_delay"],
                validate_certs=self.params["validate_certs"], log=self.module.debug, rate_limit=rate_limit)
        return self._adapter

    def offers(self, operation):
        """True when the chosen provider offers ``operation`` (no request, no adapter needed)."""
        return offers(self.provider, operation)

    def require_api_key(self):
        """Fail clearly when neither ``api_key`` nor the provider's environment variable is set."""
        if not provider_api_key(self.provider, self.params.get("api_key")):
            raise ModuleFailure("no API key for %s: set api_key or the environment variable %s" % (
                self.provider_label, PROVIDERS[self.provider]["key_env"]))

    # -- the run --------------------------------------------------------------------------

    def required_operations(self):
        return self.operations

    def execute(self):
        """Do the module's work, filling ``self.result``; override in every module."""
        raise ModuleFailure("%s does not implement execute()" % type(self).__name__)

    def run(self):
        """Check capabilities, execute, and exit with the result (or fail with a clear message).

        A failure keeps what the run already did: ``changed`` is true only when the provider changed
        something before the failure (an order that timed out while waiting was still placed), and
        the result gathered so far (the server) is kept.
        """
        try:
            self.check_requirements()
            self.execute()
        except OperationNotOffered as exc:
            self.fail(str(exc), failure={"operation": exc.operation, "provider": exc.provider})
        except InvalidChoice as exc:
            self.fail(str(exc), choices=exc.choices)
        except WaitTimeout as exc:
            extra = {}
            if isinstance(exc.last, dict) and self.represent:
                extra[self.represent] = exc.last
            self.fail(str(exc), **extra)
        except ApiError as exc:
            self.fail_api(exc)
        except ModuleFailure as exc:
            self.fail(exc.msg, **exc.result)
        self.exit()

    def check_requirements(self):
        """Refuse an operation the provider does not offer, or a missing API key, before any request."""
        for operation in self.required_operations():
            require(self.provider, operation)
        if self.needs_api_key:
            self.require_api_key()

    def fail(self, msg, **extra):
        """fail_json with ``msg``, the result gathered so far, and ``extra`` on top of it."""
        result = dict(self.result, changed=self.effected)
        result.update(extra)
        result.pop("msg", None)
        withheld = self.withhold_secrets(result) if not self.module.no_log else []
        if withheld:
            msg += " (%s left out of this failure, which Ansible prints; read it again with %s)" % (
                ", ".join(withheld), "vpsfleet.cloud.vps_server_info and include_credentials=true")
        self.module.fail_json(msg=msg, **result)

    def withhold_secrets(self, result):
        """Remove from a failure's ``result`` the secrets the provider can show again; their names."""
        withheld = [key for key in self.secrets_shown_again if key in result]
        for key in withheld:
            del result[key]
        return withheld

    def fail_api(self, error, msg=None):
        """fail_json for an ApiError, with hints for the statuses users meet most."""
        text = self.api_error_text(error)
        if msg:
            text = "%s: %s" % (msg, text)
        self.fail(text, failure=error.to_failure(), exception=traceback.format_exc())

    def api_error_text(self, error):
        """An ApiError as a message, with a hint for the statuses users meet most."""
        hint = ""
        if error.status == 401:
            hint = " (check api_key, or the environment variable %s)" % PROVIDERS[self.provider]["key_env"]
        elif error.status == 403:
            hint = " (the API key lacks the permission this operation needs)"
        return "%s%s" % (error, hint)

    def exit(self):
        if self.module._diff and (self.before is not None or self.after is not None):
            self.result["diff"] = {"before": self.before or {}, "after": self.after or {}}
        self.module.exit_json(**self.result)

    # -- helpers for modules ----------------------------------------------------------------

    @property
    def check_mode(self):
        return self.module.check_mode

    def mark_changed(self):
        """The task changes something (or, in check mode, would): what a successful run reports."""
        self.result["changed"] = True

    def record_effect(self):
        """The provider has changed something for this task: a failure from here on reports changed."""
        self.effected = True

    def set_diff(self, before, after):
        """Record before/after states (server dicts lose ``provider_data``)."""
        self.before = public_view(before) if isinstance(before, dict) else before
        self.after = public_view(after) if isinstance(after, dict) else after

    def wait(self, poll, done, timeout, what, describe=None):
        """:func:`wait_until` with the module's polling defaults."""
        return wait_until(poll, done, timeout, what=what, describe=describe)
