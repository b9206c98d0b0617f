"""`secretguard profiles`: the exec profiles in force here, and whether each is approved."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("profiles")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def profiles(fmt: str) -> int:
    """List exec profiles (user and project) with their approval state."""
    from secretguard.vault import approval
    from secretguard.vault import profiles as prof
    from secretguard.errors import SecretguardError

    root = prof.find_project_root(Path.cwd())
    invalid: dict[str, str] = {}
    found = prof.load_profiles(root, invalid)
    rows = []
    for name in sorted(found):
        p = found[name]
        try:
            state = approval.state(p, root)
        except SecretguardError as exc:  # no keyring: say so rather than guess
            state = f"unknown ({exc})"
        rows.append({"name": name, "source": p.source, "command": list(p.command), "approval": p.approval,
                     "state": state, "secrets": {env: str(ref) for env, ref in p.secrets},
                     "policies": list(p.policies), "ttl": p.ttl})
    if fmt == "json":
        click.echo(json.dumps({"project_root": str(root), "profiles": rows, "invalid": invalid}, indent=2))
        return 1 if invalid else 0
    for name, message in sorted(invalid.items()):
        click.echo(f"{name}: INVALID (not usable until fixed): {message}")
    if not rows and not invalid:
        click.echo(f"no profiles (user config: {prof.user_config_path()}; project: {root})")
        return 0
    for r in rows:
        click.echo(f"{r['name']}: {r['state']}  [{r['approval']}]  {' '.join(r['command'])}")
        click.echo(f"    from {r['source']}; policies {', '.join(r['policies'])}; ttl {r['ttl']}s; "
                   f"secrets {', '.join(r['secrets'])}")
    return 1 if invalid else 0
