"""`secretguard status`: who the kept login is, its policies and remaining TTL; never the token."""

from __future__ import annotations

import click


def _duration(seconds: int) -> str:
    if seconds <= 0:
        return "no expiry"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v) or "0s"


@click.command("status")
def status() -> int:
    """Show the Vault login kept in the OS keyring. Exit 1 when not logged in or expired."""
    from secretguard.vault import keystore
    from secretguard.vault import client as vault

    settings = vault.settings_from_env()
    click.echo(f"vault:    {settings.addr}" + (f" (namespace {settings.namespace})" if settings.namespace else ""))
    click.echo(f"keyring:  {keystore.backend_name()}")
    stored = keystore.load_login(settings.keyring_key)
    if stored is None:
        click.echo("login:    none; run `secretguard login`")
        return 1
    token, method = stored
    try:
        info = vault.lookup_self(settings, vault.client(settings, token))
    except vault.TokenInvalid as exc:
        click.echo(f"login:    expired or revoked ({method}); run `secretguard login`")
        click.echo(f"secretguard: {exc}", err=True)
        return 1
    click.echo(f"login:    {info.display_name or '?'} via {method}")
    if info.entity_id:
        click.echo(f"entity:   {info.entity_id}")
    click.echo(f"policies: {', '.join(info.policies) or 'none'}")
    click.echo(f"ttl:      {_duration(info.ttl)}" + (f" (expires {info.expire_time})" if info.expire_time else ""))
    return 0
