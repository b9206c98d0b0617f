"""`secretguard baseline`: accept today's findings so that scans report only new ones."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Baseline file (default: .secretguard-baseline.json at the root).")
@click.option("--update", is_flag=True, help="Keep accepted findings still present, drop gone ones, add new ones.")
@click.option("--import-detect-secrets", "ds_baseline", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Carry over findings a detect-secrets .secrets.baseline audited as `is_secret: false`.")
@click.option("--file", "files", multiple=True, metavar="FILE",
              help="Accept only new findings in FILE (repeatable); accepted ones elsewhere are kept.")
@click.option("--exclude", "excludes", multiple=True, metavar="PATTERN")
def baseline(path: Path | None, output: Path | None, update: bool, ds_baseline: Path | None,
             files: tuple[str, ...], excludes: tuple[str, ...]) -> int:
    """Write the current content findings under PATH (default: .) into a baseline file.

    Credential files (.env, key files, ...) cannot be baselined: they are refused by name."""
    import dataclasses

    from secretguard.scan import baseline as baseline_mod
    from secretguard.settings import DEFAULT_BASELINE
    from secretguard.errors import SecretguardError
    from secretguard.scan.engine import ScanOptions, scan_workspace

    root = (path or Path.cwd()).absolute()
    target = output or root / DEFAULT_BASELINE
    if target.exists() and not update:
        raise SecretguardError(f"{target} exists: use --update to refresh it")
    old = baseline_mod.load(target) if target.exists() else None
    salt = old.salt if old else baseline_mod.new_salt()
    # Scan without the old baseline (so everything present is seen), under its salt (so
    # fingerprints compare). A detect-secrets import accepts what it audited as false: the
    # findings that its baseline suppresses.
    plain = ScanOptions(excludes=excludes, use_cache=False, use_baseline=False, salt=salt)
    current = scan_workspace([root], plain).findings
    if ds_baseline is not None:
        with_ds = dataclasses.replace(plain, use_baseline=True, baseline=ds_baseline)
        still_reported = {f.fingerprint for f in scan_workspace([root], with_ds).findings}
        kept = old.fingerprints if old else frozenset()
        current = [f for f in current if f.fingerprint not in still_reported or f.fingerprint in kept]
    current = [f for f in current if f.path != _rel(target, root)]
    credential_files = sorted({f.path for f in current if f.credential_file})
    current = [f for f in current if not f.credential_file]
    if files:
        wanted = {_rel(Path(f).absolute(), root) or f for f in files}
        kept_before = old.fingerprints if old else frozenset()
        current = [f for f in current if f.path in wanted or f.fingerprint in kept_before]
    text = baseline_mod.render(current, salt)
    baseline_mod.write(target, text)
    if old:
        now = {f.fingerprint for f in current}
        kept, dropped = len(old.fingerprints & now), len(old.fingerprints - now)
        click.echo(f"secretguard: updated {target}: kept {kept}, dropped {dropped}, added {len(now - old.fingerprints)}")
    else:
        click.echo(f"secretguard: wrote {target} with {len({f.fingerprint for f in current})} accepted finding(s)")
    if credential_files:
        shown = ", ".join(credential_files[:5]) + (" …" if len(credential_files) > 5 else "")
        click.echo(f"secretguard: not accepted: credential files are refused by name whatever a baseline says "
                   f"({shown}); move them out of the tree, or list a test fixture in `exclude`", err=True)
    _record(root, target)
    return 0


def _rel(target: Path, root: Path) -> str:
    try:
        return target.absolute().relative_to(root).as_posix()
    except ValueError:
        return ""


def _record(root: Path, target: Path) -> None:
    from secretguard.audit import log as audit

    audit.record("config", repo=root, action="baseline", file=str(target))
