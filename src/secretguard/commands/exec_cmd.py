"""`secretguard exec [--profile NAME] -- CMD [ARG...]`: one approved command, short-lived secrets.

The run itself is secretguard.vault.run; inside a sealed session it goes to the broker outside.
"""

from __future__ import annotations

import click

@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--profile", "-p", "profile_name", metavar="NAME", help="The profile to use (default: the one "
              "whose command pattern matches).")
@click.option("--mask/--no-mask", default=None, help="Force masking of secret values in stdout/stderr, also on "
              "a terminal (--mask); or turn it off (--no-mask: needs a terminal on stdin or mask = false).")
@click.option("--vault-token-from-env", is_flag=True, help="Use VAULT_TOKEN from the environment instead of the "
              "keyring login (for CI: a token in the environment is readable by everything that shares it).")
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True, metavar="-- CMD [ARG...]")
def exec_(profile_name: str | None, mask: bool | None, vault_token_from_env: bool, argv: tuple[str, ...]) -> int:
    """Run CMD with the secrets of an approved profile in its environment only."""
    import os

    if os.environ.get("SECRETGUARD_BROKER"):
        from secretguard.session.client import exec_through_broker

        return exec_through_broker(list(argv), profile_name, mask)
    from secretguard.vault.run import run_exec

    return run_exec(list(argv), profile_name, mask, vault_token_from_env)
