# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider contract: every operation an adapter may offer, declared once, with one signature.

An adapter subclasses :class:`ProviderAdapter`, names its provider (``provider``, ``label``), lists
the operations its API lacks in ``not_offered``, and implements every other operation. That one
list drives everything else: a call to an operation in it fails with :class:`OperationNotOffered`
before any request, the modules check it before they start (``offers``), and the docs are tested
against it. Every operation returns the common model (``model.py``): records, never a raw HTTP
answer, never a provider's field name. Provider request shapes, idempotency keys, password rules
and the order options a provider refuses live in the adapter too.
"""

from __future__ import annotations

import abc

from .._core.clock import provider_now
from .._core.journal import account_ref
from .._http.client import error_from_body
from .model import to_decimal

# Operation name -> how it reads in an error message.
OPERATIONS = {
    "create_account": "creating an account",
    "account": "reading the account",
    "health": "reading the service health",
    "reseller": "reading the reseller state",
    "list_api_keys": "listing API keys",
    "create_api_key": "minting API keys",
    "revoke_api_key": "revoking API keys",
    "catalog": "reading the catalog",
    "topup": "topping up the balance",
    "list_servers": "listing servers",
    "order_server": "ordering servers",
    "credentials": "reading server credentials",
    "rename_server": "renaming servers",
    "terminate_server": "terminating servers",
    "power": "power actions (start, stop, reboot)",
    "reinstall_server": "reinstalling servers",
    "reset_password": "rotating the root password",
    "stats": "live server statistics",
    "sso_link": "dashboard SSO links",
    "addons": "server add-ons",
}

# The registered providers: name -> {"label", "url", "key_env", "url_env", "adapter"}. registry.py fills
# it (a test may register a provider of its own); OperationNotOffered reads it to say who offers what.
PROVIDERS = {}


class OperationNotOffered(Exception):
    """Raised before any request when the provider's API has no such operation."""

    def __init__(self, provider, operation):
        self.provider = provider
        self.operation = operation
        offered_by = sorted(spec["label"] for spec in PROVIDERS.values() if operation in spec["adapter"].offered)
        hint = " (offered by: %s)" % ", ".join(offered_by) if offered_by else ""
        label = PROVIDERS[provider]["label"] if provider in PROVIDERS else provider
        super(OperationNotOffered, self).__init__(
            "%s does not offer %s through its API%s" % (label, OPERATIONS.get(operation, operation), hint))


def operation(name):
    """Mark a contract method as operation ``name`` (a key of OPERATIONS)."""
    if name not in OPERATIONS:
        raise ValueError("unknown operation %r" % name)

    def mark(method):
        method.operation = name
        return abc.abstractmethod(method)

    return mark


def _refusal(name, method_name):
    def refuse(self, *args, **kwargs):
        raise OperationNotOffered(self.provider, name)

    refuse.__name__ = method_name
    refuse.__doc__ = "Not offered by this provider: fails with OperationNotOffered before any request."
    refuse.operation = name
    refuse.refusal = True
    return refuse


class ProviderAdapter(abc.ABC):
    """One provider's API behind the contract. See the module docstring."""

    provider = None  # the registry's name (the ``provider`` option's value)
    label = None  # how messages name the provider
    not_offered = frozenset()  # operations this provider's API lacks: the one place that says so
    offered = frozenset()  # derived: every operation but ``not_offered``
    # Cycle name -> (months, days) of one paid period (``runway`` does the arithmetic).
    billing_cycles = {}
    # True when the catalog is public (read without an API key).
    public_catalog = False
    # True when an order carries an Idempotency-Key derived from the request, so a re-run or a concurrent
    # run replays it (a replayed order's server may then be one listed before); False when an order has no
    # key, so callers journal an intent before it and look for a late server by name.
    keyed_orders = False
    # What the next run does about an order of unknown outcome, for a provider with keyed orders.
    replay_advice = None
    # Options an order needs on top of name, plan and os.
    order_requires = ()
    # How the provider compares server names, for messages.
    name_rule = "names compare exactly"
    # ``(body, text, status) -> (code, message)`` of an error answer (the client's common rules by default).
    error_from_body = staticmethod(error_from_body)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.provider is None:
            return
        unknown = set(cls.not_offered) - set(OPERATIONS)
        if unknown:
            raise TypeError("%s.not_offered names unknown operations: %s" % (cls.__name__, ", ".join(sorted(unknown))))
        cls.offered = frozenset(OPERATIONS) - frozenset(cls.not_offered)
        for method_name, name in contract_methods():
            if name in cls.offered:
                continue
            if method_name in cls.__dict__:
                raise TypeError("%s implements %s, which its not_offered declares absent" % (cls.__name__, method_name))
            setattr(cls, method_name, _refusal(name, method_name))

    def __init__(self, client):
        self.client = client
        self._catalog = None

    # -- what the provider offers ---------------------------------------------------------------

    def offers(self, name):
        """True when this provider offers operation ``name``."""
        return name in self.offered

    # -- account and keys -------------------------------------------------------------------------

    @operation("create_account")
    def create_account(self):
        """A new account (no auth): ``{"api_key", "login_token", "account"}`` (the secrets come once)."""

    @operation("account")
    def get_account(self):
        """The common account record."""

    @operation("health")
    def health(self):
        """The service's health as the API states it."""

    @operation("reseller")
    def get_reseller(self):
        """The account's reseller state as the API states it."""

    @operation("list_api_keys")
    def list_api_keys(self):
        """Every active key as a public record: ``id`` (str), ``name``, ``prefix``, ``created_at``, ``last_used_at``."""

    @operation("create_api_key")
    def create_api_key(self, name=None):
        """Mint a key (never repeated on a lost answer): ``{"api_key": the full key, once; "key": its record}``."""

    @operation("revoke_api_key")
    def revoke_api_key(self, key_id):
        """Revoke a key the caller found; a key already gone counts as revoked."""

    # -- catalog ----------------------------------------------------------------------------------

    @operation("catalog")
    def get_catalog(self):
        """The common catalog (plans, locations, os, cycles, coins, topup limits)."""

    def catalog(self):
        """The normalised catalog, read once per adapter."""
        if self._catalog is None:
            self._catalog = self.get_catalog()
        return self._catalog

    # -- top-ups ----------------------------------------------------------------------------------

    @operation("topup")
    def create_topup(self, amount, coin):
        """Ask for a classic invoice: a payment answer (``model.payment_answer``); never repeated."""

    @operation("topup")
    def request_payment_requirements(self, amount, coin):
        """Ask for a top-up without a payment: a payment answer whose ``payment_required`` says x402 was asked."""

    @operation("topup")
    def resend_payment(self, amount, coin, headers):
        """Send the top-up again with a signed x402 payment in ``headers``: a payment answer."""

    @operation("topup")
    def get_topup(self, ref):
        """The common top-up record."""

    # -- servers ----------------------------------------------------------------------------------

    @operation("list_servers")
    def list_servers(self):
        """Every server of the account (terminated ones included) as common records."""

    @operation("list_servers")
    def get_server(self, server_id):
        """One server as a common record (an ApiError with status 404 when there is none)."""

    @operation("credentials")
    def get_credentials(self, server_id):
        """``{"username", "password", "ip", "ssh_command"}`` of a server."""

    @operation("stats")
    def get_stats(self, server_id):
        """A running server's live usage as the API states it."""

    @operation("order_server")
    def order_server(self, order, known_ids=(), user_key=None):
        """Order the server ``order`` describes (see :meth:`order_request`); ``(server, root_password or None)``.

        ``known_ids`` are the ids listed before ordering (a lost answer's server is one not among them);
        ``user_key`` the user's ``idempotency_key``, part of a keyed order's key.
        """

    @operation("rename_server")
    def rename_server(self, server_id, name):
        """Give a server a new name; the renamed server."""

    @operation("terminate_server")
    def terminate_server(self, server_id):
        """Terminate a server the caller found; a server already gone counts as terminated."""

    @operation("power")
    def power(self, server_id, action):
        """``start``, ``stop`` or ``reboot``; never repeated on a lost answer."""

    @operation("reinstall_server")
    def reinstall_server(self, server_id, os_template, os_family=None, user_key=None):
        """Reinstall a server with an OS (wipes its disk)."""

    @operation("reset_password")
    def reset_password(self, server_id):
        """Rotate the root password: ``{"success", "message", "password"}``."""

    @operation("sso_link")
    def sso_link(self, next_path=None, server_id=None):
        """A single-use dashboard login link: ``{"url", "expires_in"}``."""

    @operation("addons")
    def list_addons(self, server_id):
        """``{"addons": [record...], "days_remaining", "billing_cycle_end", "provider_data"}``; each add-on
        record has ``id``, ``name``, ``description``, ``type``, ``price_usd``, ``prorated_price_usd``,
        ``owned`` and ``prorated_price`` (the exact Decimal the API sent, or None)."""

    @operation("addons")
    def purchase_addon(self, server_id, addon_id):
        """Buy an add-on (never repeated): ``{"charged" (exact Decimal or None), "charged_usd",
        "new_monthly_price_usd", "allocated_ip_count", "days_remaining"}``."""

    # -- rules the callers ask about --------------------------------------------------------------

    def check_order_options(self, params):
        """Fail (ModuleFailure) on order options this provider's API cannot honour; no request needed."""

    def order_request(self, request, params, os_item, cycle):
        """The order ``order_server`` takes: ``request`` (``plan``, ``location``, ``os``, ``name``) plus what
        this provider's order carries from ``params`` (the task's options)."""
        return request

    def generated_password(self, server, chosen_password=None):
        """The root password the provider generated for ``server`` when its order answer did not carry
        it (read from the credentials), or None when there is none to read yet or the user chose it."""
        if chosen_password:
            return None
        return self.get_credentials(server["id"]).get("password")

    def exact_balance(self, account):
        """An account record's balance as an exact Decimal (the API's own number where it has one)."""
        return to_decimal(account.get("balance_usd"))

    def server_revision(self, server):
        """A value that changes whenever the provider updates ``server`` (None when the API gives none)."""
        return None

    def fill_plan_specs(self, servers):
        """``servers`` with vcpu, ram_mb, disk_gb and bandwidth_gb from their catalog plan where
        the API leaves them out. Call it only where specs are wanted: it may read the catalog
        (once per adapter). The servers of a provider whose API gives specs come back as they are."""
        return servers

    @staticmethod
    def same_name(listed, wanted):
        """True when a listed server's name is the name asked for (exact, unless a provider says otherwise)."""
        return listed == wanted

    def find_servers_by_name(self, name, include_terminated=False, servers=None):
        """Every server whose name is ``name`` (terminated ones only when asked), among ``servers`` when
        given, else among those listed now."""
        servers = self.list_servers() if servers is None else servers
        return [server for server in servers
                if self.same_name(server["name"], name) and (include_terminated or server["status"] != "terminated")]

    # -- the connection ---------------------------------------------------------------------------

    @property
    def account(self):
        """A stable, non-secret reference to the account the API key opens (a hash, never the key)."""
        return account_ref(self.provider, self.client.api_key)

    def now(self):
        """The provider's time: the ``Date`` header of its last answer, else the local clock."""
        return provider_now(self.client)

    @property
    def rate_limiter(self):
        """The rate limiter this adapter's requests wait for (None: no limit), for pacing polls."""
        return self.client.rate_limiter

    def requests_sent(self):
        """How many requests this adapter has sent to the provider so far, retries included."""
        return self.client.request_count


def contract_methods():
    """``(method name, operation)`` of every operation method the contract declares."""
    return [(name, member.operation) for name, member in vars(ProviderAdapter).items()
            if callable(member) and getattr(member, "operation", None)]
