"""`secretguard login`: obtain a Vault token and keep it in the OS keyring, keyed by VAULT_ADDR."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


def _read_secret(prompt: str) -> str:
    """Hidden prompt at a terminal; otherwise the first line of stdin (for scripts and tests)."""
    if os.isatty(0):
        return click.prompt(prompt, hide_input=True, err=True).strip()
    if sys.stdin is None:
        raise click.UsageError(f"{prompt}: no terminal and no stdin to read it from")
    return sys.stdin.readline().strip()


@click.command("login")
@click.option("--method", type=click.Choice(["token", "userpass", "approle"]), default="token", show_default=True)
@click.option("--username", help="userpass: the user name.")
@click.option("--role-id", help="approle: the role id (the secret id is read like a password).")
@click.option("--mount", help="Where the auth method is mounted (default: its name).")
def login(method: str, username: str | None, role_id: str | None, mount: str | None) -> int:
    """Log in to VAULT_ADDR and keep the token in the OS keyring (never in a file, never in the env).

    The secret (token, password or AppRole secret id) is prompted for at a terminal, or read from
    the first line of stdin.
    """
    from secretguard.audit import log as audit
    from secretguard.vault import keystore
    from secretguard.vault import client as vault

    settings = vault.settings_from_env()
    keystore.get_backend()  # fail before asking for anything when there is nowhere safe to keep it
    if method == "token":
        token = _read_secret("Vault token")
    elif method == "userpass":
        if not username:
            raise click.UsageError("--method userpass needs --username")
        token = vault.login_userpass(settings, username, _read_secret("Password"), mount or "userpass")
    else:
        if not role_id:
            raise click.UsageError("--method approle needs --role-id")
        token = vault.login_approle(settings, role_id, _read_secret("Secret id"), mount or "approle")
    if not token:
        raise click.UsageError("no token given")
    try:
        info = vault.lookup_self(settings, vault.client(settings, token))
    except vault.TokenInvalid:
        raise vault.VaultError(f"{settings.addr} refused this token (invalid, expired or revoked): nothing was "
                               "stored") from None
    keystore.save_login(settings.keyring_key, token, method)
    audit.record("login", repo=Path.cwd(), addr=settings.addr, namespace=settings.namespace, method=method,
                 accessor=info.accessor, display_name=info.display_name, policies=list(info.policies))
    click.echo(f"logged in to {settings.addr} as {info.display_name or '?'} "
               f"(policies: {', '.join(info.policies) or 'none'}); the token is kept in the OS keyring")
    return 0
