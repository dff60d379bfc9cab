"""The secret sweep of every ansible run the tests make: what callbacks saw must hold no secret.

Runs get the ``result_recorder`` callback (tests/integration/callback_plugins), which appends every
task result, as callback plugins and so AWX job events receive it, to a JSON-lines file. After the
run, :func:`leaks` searches that file for every secret the test knows: API keys, root passwords,
login tokens and signed payment headers from the sandbox's state, and secret-named environment
variables (wallet keys). A secret may appear only under the result key a module documents for it
(``root_password``, ``credentials.password``, ``api_key``, ``login_token``), never in
``provider_data``, a message, a warning or an argument.
"""

from __future__ import annotations

import json
import pathlib
import re

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
CALLBACK_PLUGINS = REPO_ROOT / "tests" / "integration" / "callback_plugins"
RECORD_ENV = "VPSFLEET_RESULT_RECORD"
RECORDER = "result_recorder"
# Result keys a module documents as carrying a secret, returned when the task asks for it.
DOCUMENTED_SECRET_KEYS = frozenset(("root_password", "password", "api_key", "login_token"))
SECRET_ENV_NAME = re.compile(r"(API_KEY|WALLET_KEY|PRIVATE_KEY|PASSWORD|TOKEN|SECRET)$")
MIN_SECRET_LENGTH = 8


def recorder_environment(record_path, callback_plugins=None):
    """The environment that makes ansible-playbook (or ansible-runner) record every result to ``record_path``."""
    paths = [str(CALLBACK_PLUGINS)] + ([callback_plugins] if callback_plugins else [])
    return {"ANSIBLE_CALLBACK_PLUGINS": ":".join(paths), "ANSIBLE_CALLBACKS_ENABLED": RECORDER,
            RECORD_ENV: str(record_path)}


def environment_secrets(env):
    """The values of secret-named variables (``*_API_KEY``, ``VPSFLEET_WALLET_KEY``...) of an environment."""
    found = set()
    for name, value in (env or {}).items():
        if SECRET_ENV_NAME.search(name) and value and len(str(value)) >= MIN_SECRET_LENGTH:
            found.add(str(value))
            if str(value).startswith("0x"):
                found.add(str(value)[2:])  # a hex key is a secret with or without its prefix
    return found


def variable_secrets(variables):
    """The values of secret-named keys (``*api_key*``, ``*password*``, ``*wallet*key*``...) at any depth of
    extra variables, and every value of a mapping named like ``fleet_api_keys``."""
    found = set()
    if isinstance(variables, dict):
        for name, value in variables.items():
            if SECRET_ENV_NAME.search(str(name).upper()) or str(name).lower().endswith("api_keys"):
                found |= set(str(item) for item in _leaves(value) if len(str(item)) >= MIN_SECRET_LENGTH)
            else:
                found |= variable_secrets(value)
    elif isinstance(variables, list):
        for item in variables:
            found |= variable_secrets(item)
    return found


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


def recorded_events(record_path):
    """The recorded callback events, oldest first ([] when nothing was recorded)."""
    path = pathlib.Path(record_path)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _allowed(keys):
    return bool(keys) and keys[-1] in DOCUMENTED_SECRET_KEYS and "provider_data" not in keys


def _walk(value, keys):
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), keys
            yield from _walk(item, keys + [str(key)])
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, keys)
    elif value is not None:
        yield str(value), keys


def leaks(record_path, secrets):
    """``["<event> of task <name>: a secret at <path>"]`` for every known secret found where it must not be."""
    secrets = [secret for secret in set(secrets) if secret and len(secret) >= MIN_SECRET_LENGTH]
    found = []
    for event in recorded_events(record_path):
        for text, keys in _walk(event.get("result"), []):
            if _allowed(keys):
                continue
            for secret in secrets:
                if secret in text:
                    found.append("%s of task %r (host %s): a secret (%s...) at %s" % (
                        event.get("event"), event.get("task"), event.get("host"), secret[:4],
                        ".".join(keys) or "<top>"))
    return found
