"""All sandbox state behind one lock: accounts, keys, servers, top-ups, ledger, wallets, idempotency, jobs."""

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import addresses, renewals, timefmt, tokens
from .config import default_config
from .errors import fail

CENT = Decimal("0.01")
KEY_PREFIXES = {"vpscrypto": "vpsk_", "otwa": "otwa_"}
OTWA_SCOPES = ("account:read", "servers:read", "servers:write", "servers:destroy", "billing:read")
OTWA_DEFAULT_SCOPES = ["account:read", "servers:read", "servers:write", "billing:read"]
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
REQUEST_LOG_LIMIT = 100_000


def money(value):
    """value as a Decimal rounded to cents (accepts str, int, float, Decimal)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Account:
    provider: str
    id: object
    balance: Decimal
    created_at: float
    scopes: list = None
    tier: str = "standard"
    reseller: dict = None
    email: str = ""


@dataclass
class ApiKey:
    secret: str
    provider: str
    account_id: object
    id: int
    name: str
    scopes: list
    created_at: float
    last_used_at: float = None
    revoked: bool = False

    @property
    def prefix(self):
        """The first characters shown in key listings."""
        return self.secret[: len(KEY_PREFIXES[self.provider]) + 6]


@dataclass
class Server:
    key: str
    provider: str
    id: object
    account_id: object
    plan: str
    location: str
    os: str
    hostname: str
    label: str
    cycle: str
    price: Decimal
    status: str
    ip: str
    password: str
    created_at: float
    expires_at: float = None
    additional_ips: list = field(default_factory=list)
    addons: list = field(default_factory=list)
    provisioned: bool = False
    updated_at: float = None
    generation: int = 0
    # The status a renewal the balance could not cover suspended (None when not suspended for that).
    status_before_suspension: str = None

    @property
    def visible_ip(self):
        """The primary IP once the server has been provisioned and until it is terminated."""
        return self.ip if self.provisioned and self.status != "terminated" else None

    @property
    def visible_additional_ips(self):
        """Add-on IP entries, visible under the same rule as the primary IP."""
        return list(self.additional_ips) if self.visible_ip else []


@dataclass
class Topup:
    ref: str
    account_id: int
    status: str
    amount: Decimal
    coin: str
    deposit_address: str
    deposit_amount: str
    deposit_coin: str
    deposit_network: str
    qr_data_uri: str
    expires_at: float
    transaction: str = None


@dataclass
class Job:
    """A time-driven transition of one server, due at `due` (wall-clock seconds)."""

    due: float
    server_key: str
    generation: int
    kind: str
    params: dict = field(default_factory=dict)


class Store:
    """Every piece of mutable sandbox state. Callers hold `lock` around any read or write."""

    def __init__(self, **config_overrides):
        self.lock = threading.RLock()
        self._config_overrides = config_overrides
        self.reset()

    def reset(self):
        """Forget everything, back to the startup config."""
        with self.lock:
            self.config = default_config(**self._config_overrides)
            self.accounts = {}
            self.keys = {}
            self.servers = {}
            self.topups = {}
            self.ledger = []
            self.wallets = {}
            self.x402_payments = {}
            self.x402_payment_ids = {}
            self.idempotency = {}
            self.jobs = {}
            self.request_log = deque(maxlen=REQUEST_LOG_LIMIT)
            self.rate_windows = {}
            # server key -> monotonic time from which GET /servers lists it (config list_lag)
            self.listed_from = {}
            # (provider, bearer, Idempotency-Key) of keyed requests being carried out
            self.keys_in_flight = set()
            self.keys_done = threading.Condition(self.lock)
            self.primary_ips = addresses.primary_pool()
            self.additional_ips = addresses.additional_pool()
            self._counters = {"vpscrypto_account": 1000, "key": 0, "vpscrypto_server": 0, "ledger": 0}
            # Billing time runs this many seconds ahead of the wall clock (POST /_sandbox/clock).
            self.clock_offset = 0.0
            # No renewal is due before this billing moment (kept as servers are added and renewed).
            self.next_renewal_at = float("inf")

    def billing_now(self):
        """The sandbox's billing time: the wall clock plus the offset the clock API has added."""
        return timefmt.now() + self.clock_offset

    def next_id(self, counter):
        """The next integer of a named sequence."""
        self._counters[counter] += 1
        return self._counters[counter]

    # Accounts and keys

    def create_account(self, provider, balance_usd=0, scopes=None, tier="standard", reseller=None):
        """A new account with one API key; returns (account, key)."""
        if provider == "vpscrypto":
            account_id, scopes = self.next_id("vpscrypto_account"), None
        else:
            account_id = str(uuid.uuid4())
            scopes = list(OTWA_DEFAULT_SCOPES if scopes is None else scopes)
            unknown = [scope for scope in scopes if scope not in OTWA_SCOPES]
            if unknown:
                fail(400, f"unknown scopes {unknown}; valid scopes: {', '.join(OTWA_SCOPES)}")
        account = Account(provider, account_id, money(balance_usd), timefmt.now(), scopes, tier, reseller,
                          email=f"user-{str(account_id)[:8]}@sandbox.invalid")
        self.accounts[(provider, account_id)] = account
        if account.balance:  # so that the ledger adds up to every balance
            self._book(account, "opening", account.balance, "Opening balance", None)
        return account, self.add_key(account)

    def add_key(self, account, name=None):
        """Mint one more API key for the account."""
        key = ApiKey(tokens.api_key(KEY_PREFIXES[account.provider]), account.provider, account.id,
                     self.next_id("key"), name, account.scopes, timefmt.now())
        self.keys[key.secret] = key
        return key

    def authenticate(self, provider, secret):
        """The live key of this provider with this secret (marked used), else None."""
        key = self.keys.get(secret or "")
        if key is None or key.revoked or key.provider != provider:
            return None
        key.last_used_at = timefmt.now()
        return key

    def authenticate_any(self, secret):
        """The live key with this secret, whatever its provider (not marked used), else None."""
        key = self.keys.get(secret or "") if isinstance(secret, str) else None
        return key if key is not None and not key.revoked else None

    def account_of(self, key):
        """The account an API key belongs to."""
        return self.accounts[(key.provider, key.account_id)]

    # Money

    def _book(self, account, kind, amount, description, reference, at=None):
        entry = {
            "id": self.next_id("ledger"), "provider": account.provider, "account": account.id, "kind": kind,
            "amount_usd": float(amount), "balance_after_usd": float(account.balance),
            "description": description, "reference": reference,
            "at": timefmt.iso(self.billing_now() if at is None else at),
        }
        self.ledger.append(entry)
        return entry

    def can_afford(self, account, amount):
        """True when the balance covers amount."""
        return account.balance >= money(amount)

    def charge(self, account, amount, description, reference):
        """Deduct amount; the caller has checked can_afford."""
        amount = money(amount)
        account.balance -= amount
        return self._book(account, "charge", amount, description, reference)

    def credit(self, account, amount, description, reference):
        """Add amount to the balance."""
        amount = money(amount)
        account.balance += amount
        entry = self._book(account, "credit", amount, description, reference)
        renewals.resume_covered(self, account)
        return entry

    def charge_renewal(self, account, server, at):
        """Deduct one cycle of the server's price as a `renewal` entry dated `at`; the caller has
        checked can_afford."""
        account.balance -= server.price
        return self._book(account, "renewal", server.price, f"Renewal of server {server.id} ({server.cycle})",
                          server.id, at=at)

    # Servers and their time-driven transitions

    def add_server(self, server):
        """Register a server (its key must be unique)."""
        self.servers[server.key] = server
        if self.config["list_lag"]:
            self.listed_from[server.key] = time.monotonic() + self.config["list_lag"]
        if server.expires_at is not None:
            self.next_renewal_at = min(self.next_renewal_at, server.expires_at)
        return server

    def listed(self, servers):
        """The servers a list endpoint shows: one younger than ``list_lag`` is not listed yet."""
        moment = time.monotonic()
        return [server for server in servers if self.listed_from.get(server.key, 0) <= moment]

    def servers_of(self, provider, account_id):
        """The account's servers in creation order."""
        return [s for s in self.servers.values() if s.provider == provider and s.account_id == account_id]

    def schedule(self, server, delay, kind, **params):
        """Replace the server's pending transition with `kind`, due after delay seconds."""
        server.generation += 1
        self.jobs[server.key] = Job(timefmt.now() + delay, server.key, server.generation, kind, params)

    def pop_due_jobs(self, moment):
        """Remove and return the transitions due at `moment`."""
        due = [job for job in self.jobs.values() if job.due <= moment]
        for job in due:
            del self.jobs[job.server_key]
        return due

    def release_ips(self, server):
        """Forget the server's addresses (pools never hand them out again until reset)."""
        server.ip = None
        server.additional_ips = []

    # Idempotency

    def cached_answer(self, scope):
        """The (status, body) remembered for an idempotency scope within 24 h, else None."""
        hit = self.idempotency.get(scope)
        if hit and timefmt.now() - hit[0] < IDEMPOTENCY_TTL_SECONDS:
            return hit[1], hit[2]
        return None

    def remember_answer(self, scope, status, body):
        """Keep an answer for replays of the same idempotency scope."""
        self.idempotency[scope] = (timefmt.now(), status, body)
