"""`secretguard logout`: forget the login kept for VAULT_ADDR (and revoke tokens secretguard obtained)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("logout")
@click.option("--revoke/--no-revoke", default=None, help="Revoke the token in Vault too (default: yes for "
              "userpass and AppRole logins, no for a token you gave).")
def logout(revoke: bool | None) -> int:
    """Remove the Vault login from the OS keyring."""
    from secretguard.audit import log as audit
    from secretguard.vault import keystore
    from secretguard.vault import client as vault
    from secretguard.errors import SecretguardError

    settings = vault.settings_from_env()
    stored = keystore.load_login(settings.keyring_key)
    if stored is None:
        click.echo(f"not logged in to {settings.addr}")
        return 0
    token, method = stored
    revoked = None
    if revoke or (revoke is None and method in ("userpass", "approle")):
        try:
            vault.revoke_self(settings, token)
            revoked = True
        except SecretguardError as exc:
            revoked = False
            click.echo(f"secretguard: warning: {exc}", err=True)
    keystore.forget_login(settings.keyring_key)
    audit.record("logout", repo=Path.cwd(), addr=settings.addr, method=method, revoked=revoked)
    click.echo(f"logged out of {settings.addr}" + (" (token revoked)" if revoked else ""))
    return 0
