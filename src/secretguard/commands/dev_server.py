"""`secretguard dev-server`: a local OpenBao dev server with a demo secret and a demo profile."""

from __future__ import annotations

import secrets
import signal

import click

STEPS = """\
In another terminal:

  export VAULT_ADDR={addr}
  secretguard approve demo
  secretguard exec -- printenv DEMO_PASSWORD          # on a terminal: the value
  secretguard exec -- printenv DEMO_PASSWORD | cat    # piped, as an agent reads it: *****

Ctrl-C stops the server; everything in it is forgotten."""


@click.command("dev-server")
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--write-profile/--no-write-profile", default=True, show_default=True,
              help="Add the demo profile to the user config if it has no 'demo' profile.")
def dev_server(port: int, write_profile: bool) -> int:
    """Run an OpenBao dev server on loopback in the foreground, logged in, with a demo secret."""
    from secretguard.vault import devserver
    from secretguard.vault import keystore
    from secretguard.vault import profiles
    from secretguard.vault import client as vault

    bao = devserver.find_bao()
    keystore.get_backend()  # the demo login goes to the keyring: fail before starting anything
    port = port or devserver.free_port()
    addr = f"http://127.0.0.1:{port}"
    root_token = secrets.token_urlsafe(24)
    proc = devserver.start(bao, port, root_token)
    key = vault.VaultSettings(addr=addr).keyring_key
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        # Only signal here: the main thread is inside proc.wait(), which holds Popen's waitpid lock.
        nonlocal stopping
        stopping = True
        proc.terminate()

    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        devserver.wait_healthy(proc, addr)
        devserver.seed(addr, root_token, secrets.token_urlsafe(18))
        keystore.save_login(key, root_token, "dev-server")
        click.echo(f"OpenBao dev server on {addr} (in memory); logged in: its root token is in the OS keyring")
        user_config = profiles.user_config_path()
        if write_profile and "demo" not in profiles.load_user_profiles():
            user_config.parent.mkdir(parents=True, exist_ok=True)
            with user_config.open("a", encoding="utf-8") as fh:
                fh.write(("\n" if user_config.stat().st_size else "") + devserver.DEMO_PROFILE)
            click.echo(f"added the demo profile to {user_config}:\n")
        else:
            click.echo(f"the demo profile (add it to {user_config} if it is not there):\n")
        click.echo("  " + devserver.DEMO_PROFILE.replace("\n", "\n  ").rstrip())
        click.echo(STEPS.format(addr=addr))
        proc.wait()
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        devserver.stop(proc)
        try:
            keystore.forget_login(key)
        except Exception:  # noqa: BLE001 - the token died with the server anyway
            pass
    if stopping:
        click.echo("dev server stopped")
        return 0
    click.echo(f"secretguard: the dev server exited with code {proc.returncode}", err=True)
    return 2
