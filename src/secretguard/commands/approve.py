"""`secretguard approve PROFILE`: a human, at a terminal, approves a profile and its pinned files."""

from __future__ import annotations

from pathlib import Path

import click


def _describe(profile, fingerprint) -> list[str]:  # noqa: ANN001
    lines = [f"profile {profile.name!r} from {profile.source}",
             f"  command:  {' '.join(profile.command)}",
             f"  policies: {', '.join(profile.policies)}   ttl: {profile.ttl}s   max_ttl: {profile.max_ttl}s",
             f"  approval: {profile.approval}   mask: {'on' if profile.mask else 'off'}   env: {profile.env}"]
    if profile.env_allow:
        lines.append(f"  env_allow: {', '.join(profile.env_allow)}")
    lines.append("  secrets:")
    lines += [f"    {env} = {ref}" for env, ref in profile.secrets]
    if fingerprint.pins:
        lines.append("  pinned files:")
        lines += [f"    {pin}  sha256:{digest[:16]}" for pin, digest in fingerprint.pins]
    return lines


@click.command("approve")
@click.argument("name", metavar="PROFILE")
@click.option("--revoke", is_flag=True, help="Withdraw the approval instead.")
def approve(name: str, revoke: bool) -> int:
    """Approve PROFILE (and the current bytes of its pinned files) for `secretguard exec`.

    Needs a terminal on stdin: an agent working through a pipe cannot approve for itself.
    """
    from secretguard.vault import approval
    from secretguard.audit import log as audit
    from secretguard.vault import profiles

    root = profiles.find_project_root(Path.cwd())
    found = profiles.load_profiles(root)
    if name not in found:
        raise click.UsageError(f"no profile named {name!r} (profiles: {', '.join(sorted(found)) or 'none'})")
    profile = found[name]
    if revoke:
        removed = approval.revoke(profile, root)
        click.echo(f"approval of {name!r} withdrawn" if removed else f"{name!r} was not approved")
        return 0
    from secretguard.vault.human import refusal

    why = refusal()
    if why:
        click.echo(f"secretguard: refused: {why}", err=True)
        audit.record("approve", repo=root, profile=name, outcome="refused", reason=why, project=str(root))
        return 1
    fingerprint = approval.fingerprint(profile, root)
    click.echo("\n".join(_describe(profile, fingerprint)))
    click.echo(f"  project:  {root}")
    if not click.confirm("Approve this profile?", default=False):
        click.echo("not approved")
        return 1
    fingerprint = approval.approve(profile, root)
    audit.record("approve", repo=root, profile=name, digest=fingerprint.digest, project=str(root))
    click.echo(f"approved {name!r} (digest {fingerprint.digest[:16]})")
    return 0
