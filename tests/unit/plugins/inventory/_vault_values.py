# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vault-encrypted values in YAML, and a loader that decrypts them the way the CLI sets it up."""

from __future__ import annotations

from ansible.parsing import vault
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret

SECRETS = [("default", VaultSecret(b"vault-password"))]


def vault_loader(monkeypatch):
    """A DataLoader holding the vault secret; on 2.19+ the secret is also made ambient, as the CLI does."""
    loader = DataLoader()
    loader.set_vault_secrets(SECRETS)
    if hasattr(vault, "VaultSecretsContext"):
        monkeypatch.setattr(vault.VaultSecretsContext, "_current", vault.VaultSecretsContext(SECRETS))
    return loader


def vault_yaml(plaintext, indent):
    """``plaintext`` encrypted, as a YAML ``!vault |`` value whose lines are indented by ``indent`` spaces."""
    ciphertext = VaultLib(SECRETS).encrypt(plaintext).decode()
    return "!vault |\n" + "".join(" " * indent + line + "\n" for line in ciphertext.splitlines())
