# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The intent journal and the per-account order lock: money safety across runs.

Some money-moving requests carry no idempotency key (a VPSCrypto order, an API-key mint, a
classic invoice, an x402 payment). Before sending one, a module records an *intent* here; it
clears the intent once the outcome is known. An intent left behind says that an earlier run
does not know whether its request took effect, so a later run resolves it before acting again
(see docs/architecture.md, "Across runs").

The same directory holds one lock file per account, taken by runs that order servers so that
concurrent runs on one controller queue instead of ordering the same server twice.

Files are 0600 in a 0700 directory. Intents hold no API key and no password; the one secret they
may hold is an already-signed x402 payment, which can only pay the payee it names, once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not a POSIX controller
    HAS_FCNTL = False

JOURNAL_DIR_ENV = "VPSFLEET_JOURNAL_DIR"
DEFAULT_JOURNAL_DIR = "~/.ansible/vpsfleet/journal"
DEFAULT_PENDING_GRACE = 60
DEFAULT_LOCK_TIMEOUT = 120
LOCK_POLL_SECONDS = 0.2
PENDING_POLL_SECONDS = 2.0


def journal_argument_spec(lock=False):
    """The options of the modules that keep intents (``lock``: also the order lock's timeout)."""
    spec = dict(
        journal_dir=dict(type="path"),
        pending_grace=dict(type="int", default=DEFAULT_PENDING_GRACE),
        abandon_pending=dict(type="bool", default=False),
    )
    if lock:
        spec["lock_timeout"] = dict(type="int", default=DEFAULT_LOCK_TIMEOUT)
    return spec


def journal_directory(option=None):
    """The journal directory: the option, else ``$VPSFLEET_JOURNAL_DIR``, else the default."""
    chosen = option or os.environ.get(JOURNAL_DIR_ENV) or DEFAULT_JOURNAL_DIR
    return os.path.abspath(os.path.expanduser(chosen))


def account_ref(provider, api_key):
    """A stable, non-secret name for the account an API key opens (a hash, never the key)."""
    digest = hashlib.sha256(("vpsfleet-account\0%s\0%s" % (provider, api_key or "")).encode("utf-8")).hexdigest()
    return "%s-%s" % (provider, digest[:20])


def _subject_file(kind, subject):
    digest = hashlib.sha256(("%s\0%s" % (kind, subject)).encode("utf-8")).hexdigest()
    return "%s-%s.json" % (kind, digest[:24])


class JournalError(Exception):
    """The journal directory cannot be used (the message says which path and why)."""


class LockTimeout(Exception):
    """Another run held the account's order lock for longer than the timeout."""


class Journal(object):
    """Intents of one account in ``directory/<account>/``; :meth:`order_lock` serialises ordering runs."""

    def __init__(self, directory, account, clock=time.time, sleep=time.sleep):
        self.directory = directory
        self.account = account
        self.clock = clock
        self.sleep = sleep

    @property
    def account_dir(self):
        return os.path.join(self.directory, self.account)

    def _ensure_dir(self):
        # Only a directory made here is set to 0700: a journal_dir the user gave keeps its own mode.
        try:
            for path in (self.directory, self.account_dir):
                if not os.path.isdir(path):
                    os.makedirs(path, mode=0o700)
                    os.chmod(path, 0o700)
        except OSError as exc:
            raise JournalError("the intent journal directory %s cannot be used (%s); set journal_dir or %s to a"
                               " writable directory" % (self.directory, exc.strerror or exc, JOURNAL_DIR_ENV))

    def path_of(self, kind, subject):
        """Where the intent of ``kind`` for ``subject`` (a server name, a key label...) is kept."""
        return os.path.join(self.account_dir, _subject_file(kind, subject))

    def _write(self, path, intent, replace):
        """Write ``intent`` to ``path`` atomically (0600); unless ``replace``, never over an existing file."""
        handle, temporary = tempfile.mkstemp(dir=self.account_dir, prefix=".intent-")
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w") as stream:
                json.dump(intent, stream, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            if replace:
                os.replace(temporary, path)
            else:
                os.link(temporary, path)  # fails with EEXIST: another run's intent is never overwritten
                os.unlink(temporary)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def record(self, kind, subject, replace=False, **data):
        """Write an intent before the request is sent (atomically, 0600); returns it.

        Raises JournalError when an intent for ``subject`` already exists (another run's, still
        unresolved): it is never overwritten, and the request must not be sent. ``replace=True``
        is for the run that owns the entry, to replace it with what it now knows.
        """
        self._ensure_dir()
        intent = dict(data, kind=kind, subject=subject, account=self.account, recorded_at=self.clock())
        path = self.path_of(kind, subject)
        try:
            self._write(path, intent, replace=replace)
        except FileExistsError:
            raise JournalError("an unresolved intent for %s %r is already journaled in %s (another run's); it was"
                               " left as it is" % (kind, subject, path))
        intent["path"] = path
        return intent

    def update(self, kind, subject, **changes):
        """Add ``changes`` to the existing intent of ``kind`` for ``subject`` (atomically); returns it."""
        intent = self.find(kind, subject)
        if intent is None:
            raise JournalError("no intent for %s %r to update" % (kind, subject))
        intent.pop("path")
        intent.update(changes)
        self._write(self.path_of(kind, subject), intent, replace=True)
        intent["path"] = self.path_of(kind, subject)
        return intent

    def find(self, kind, subject):
        """The unresolved intent of ``kind`` for ``subject``, or None when there is none.

        Raises JournalError when the intent exists but cannot be read or parsed: an unreadable
        intent is no proof that nothing is pending.
        """
        path = self.path_of(kind, subject)
        try:
            with open(path) as stream:
                intent = json.load(stream)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise JournalError("the intent %s cannot be read (%s); an earlier run may have left a request of"
                               " unknown outcome. Check what it names, then delete the file" % (path, exc))
        if not isinstance(intent, dict):
            raise JournalError("the intent %s is not a journal entry; an earlier run may have left a request of"
                               " unknown outcome. Check what it names, then delete the file" % path)
        intent["path"] = path
        return intent

    def clear(self, kind, subject):
        """Forget the intent: its outcome is known."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path_of(kind, subject))

    @contextlib.contextmanager
    def order_lock(self, timeout):
        """Hold the account's advisory order lock; :class:`LockTimeout` after ``timeout`` seconds."""
        self._ensure_dir()
        path = os.path.join(self.directory, "%s.lock" % self.account)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + max(0, timeout)
            while HAS_FCNTL:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        "another run on this controller has held this account's lock %s (ordering servers, paying"
                        " a top-up or minting a key) for more than %d s, so nothing was ordered, paid or minted;"
                        " run again once it has finished, or raise lock_timeout" % (path, timeout))
                self.sleep(LOCK_POLL_SECONDS)
            yield
        finally:
            os.close(handle)  # closing releases the lock


def describe_age(intent, now):
    """``"recorded 42 s ago"`` for messages."""
    return "recorded %d s ago" % max(0, int(now - float(intent.get("recorded_at") or now)))


def wait_for_effect(look, grace, sleep=time.sleep, poll=PENDING_POLL_SECONDS):
    """Call ``look()`` until it returns something or ``grace`` seconds passed; its last answer."""
    deadline = time.monotonic() + max(0, grace)
    while True:
        found = look()
        if found or time.monotonic() >= deadline:
            return found
        sleep(min(poll, max(0.0, deadline - time.monotonic())))
