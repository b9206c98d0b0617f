"""Precision on real code: popular projects as they ship, scanned with default settings.

Run: python benchmarks/realworld.py [--cache DIR] [--only NAME[,NAME...]] [--template] [--details]

Downloads a pinned list of PyPI sdists and npm tarballs (exact versions, checked against sha256) with
the ordinary clients (`pip download`, `npm pack`), caches them under ~/.cache/secretguard-bench/
(or --cache), scans each with the installed secretguard (`scan DIR --format json --no-cache`, default
settings, isolated XDG dirs) and prints per project: files, findings by confidence tier, whether the
agent session gate would block (a high or medium finding), seconds.

Every finding is judged in benchmarks/realworld-labels.jsonl, keyed by project, path, rule and line:
  secret        a live-looking credential (nothing in a released package should be one)
  fixture       credential material made for tests, examples or documentation: a test suite's key
                pair, a mock service's token, a documented example key (RFC 6749's, Stripe's)
  not-a-secret  not credential material at all: an identifier, a hash, a nonce, a placeholder,
                base64 of something else (the detector misread the text)
Findings without a label are printed (--template prints them as JSONL lines to fill in), and so are
labels that no longer match a finding. The totals: projects the gate blocks although none of their
findings is a live-looking secret (target 0-1), and the not-a-secret share of all findings (target
<= 5 %). Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "realworld-labels.jsonl"
TIERS = ("high", "medium", "low")
VERDICTS = ("secret", "fixture", "not-a-secret")


@dataclass(frozen=True)
class Project:
    registry: str   # "pypi" (an sdist) or "npm" (a package tarball)
    name: str
    version: str
    filename: str
    sha256: str

    @property
    def key(self) -> str:
        """How labels name the project: registry/name (stripe and openai are on both)."""
        return f"{self.registry}/{self.name}"


# Chosen for reach and for what they hold: auth and crypto libraries (test keys, RFC examples), cloud
# and SaaS SDKs (documentation tokens), web frameworks and bundlers (docs, minified builds).
PROJECTS = [
    # -- PyPI sdists
    Project("pypi", "anthropic", "2.16.0", "anthropic-2.16.0.tar.gz",
            "c6386ded247ae56db35e34a3d828229cf07847934f1cbdc7dbb696b2944b4510"),
    Project("pypi", "azure-storage-blob", "12.31.1", "azure_storage_blob-12.31.1.tar.gz",
            "0d6e5b860a1357efc602db04cfa7c9950ac86126edcf7db89320cde281555fe5"),
    Project("pypi", "boto3", "1.44.8", "boto3-1.44.8.tar.gz",
            "32f646d28ea25820ec210cfa48e2409bf06a4a529c8b243013fd045716e99826"),
    Project("pypi", "celery", "5.7.0", "celery-5.7.0.tar.gz",
            "6a5dfcf6662287204f009a02002b9e66c83d4105e47ebabdc7079108772fc6f0"),
    Project("pypi", "click", "8.5.1", "click-8.5.1.tar.gz",
            "9bbfada76703fd1d784b83eea012e3e8c6a001a876543ef104fa56aaaeb072b4"),
    Project("pypi", "docker", "7.2.0", "docker-7.2.0.tar.gz",
            "cebb93773d334f778e023a7ee352a8d6e13ab1bd3b863a4d4a59dec897df43ac"),
    Project("pypi", "elasticsearch", "9.5.1", "elasticsearch-9.5.1.tar.gz",
            "98210cd96c256dd9936f58e1c762aba94da7db7d38d058bb0fbaf7e4b9567146"),
    Project("pypi", "fastapi", "0.165.0", "fastapi-0.165.0.tar.gz",
            "dd94d4128319c1e1d50535ab023ab698f850a4d2822f0e181747b46f4ff3c0ab"),
    Project("pypi", "google-auth", "2.63.0", "google_auth-2.63.0.tar.gz",
            "f198b99dd49e81f96f54abce2c03d4dd28fb7e3c77702eb6ae1c5bf25435054c"),
    Project("pypi", "httplib2", "0.32.1", "httplib2-0.32.1.tar.gz",
            "37900eb8a74576bd99fc39ae1dc8409f95f965d45b56cbcb2194bb55f58a90e1"),
    Project("pypi", "hvac", "2.4.0", "hvac-2.4.0.tar.gz",
            "e0056ad9064e7923e874e6769015b032580b639e29246f5ab1044f7959c1c7e0"),
    Project("pypi", "itsdangerous", "2.2.0", "itsdangerous-2.2.0.tar.gz",
            "e0050c0b7da1eea53ffaf149c0cfbb5c6e2e2b69c4bef22c81fa6eb73e5f6173"),
    Project("pypi", "jinja2", "3.1.6", "jinja2-3.1.6.tar.gz",
            "0137fb05990d35f1275a587e9aee6d56da821fc83491a0fb838183be43f66d6d"),
    Project("pypi", "msal", "1.39.0", "msal-1.39.0.tar.gz",
            "6ab7de335e6d7f5717e2c7e1dbf86e4dda2f6acf3c56773b78dc53ebc6395b5f"),
    Project("pypi", "oauthlib", "4.0.1", "oauthlib-4.0.1.tar.gz",
            "3d73febdb6faa00f277c81fb04be7b7586fb96fc3b7f0b9c772dada69a25ede7"),
    Project("pypi", "openai", "3.60.0", "openai-3.60.0.tar.gz",
            "077657587f7d2d55b943a135c3e183f87cf7dc66644caa3c0bbc2bde1fe65de9"),
    Project("pypi", "paramiko", "5.1.0", "paramiko-5.1.0.tar.gz",
            "239b5f9b2a53006cd54f83cf8495ee742083708ead947882c8dd2786de79f39b"),
    Project("pypi", "passlib", "1.7.4", "passlib-1.7.4.tar.gz",
            "defd50f72b65c5402ab2c573830a6978e5f202ad0d984793c8dde2c4152ebe04"),
    Project("pypi", "pyjwt", "2.15.1", "pyjwt-2.15.1.tar.gz",
            "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"),
    Project("pypi", "pyopenssl", "26.4.0", "pyopenssl-26.4.0.tar.gz",
            "28dfcce0162b9211413e26dfbfdf1d24317fbeba18fc93c12400a1856b2a0bc7"),
    Project("pypi", "python-jose", "3.5.0", "python_jose-3.5.0.tar.gz",
            "fb4eaa44dbeb1c26dcc69e4bd7ec54a1cb8dd64d3b4d81ef08d90ff453f2b01b"),
    Project("pypi", "requests", "2.34.2", "requests-2.34.2.tar.gz",
            "f288924cae4e29463698d6d60bc6a4da69c89185ad1e0bcc4104f584e960b9ed"),
    Project("pypi", "requests-oauthlib", "2.0.0", "requests-oauthlib-2.0.0.tar.gz",
            "b3dffaebd884d8cd778494369603a9e7b58d29111bf6b41bdc2dcd87203af4e9"),
    Project("pypi", "rich", "15.0.0", "rich-15.0.0.tar.gz",
            "edd07a4824c6b40189fb7ac9bc4c52536e9780fbbfbddf6f1e2502c31b068c36"),
    Project("pypi", "sendgrid", "6.12.5", "sendgrid-6.12.5.tar.gz",
            "ea9aae30cd55c332e266bccd11185159482edfc07c149b6cd15cf08869fabdb7"),
    Project("pypi", "sentry-sdk", "2.75.0", "sentry_sdk-2.75.0.tar.gz",
            "c38ac2d4b2435c11da821e173bb9d9088c98f41ae92f559ce0e424170a8e1a29"),
    Project("pypi", "slack-sdk", "3.48.0", "slack_sdk-3.48.0.tar.gz",
            "e54389b4b9b221c9d57f1d98bc1e28f4918e4e0bc435cc5d430216cb1ab6ad7c"),
    Project("pypi", "stripe", "16.1.0", "stripe-16.1.0.tar.gz",
            "21e72b6779b8cff337ca8d2b8d30138f2d68f6a8d739701076f06a418ad75b8c"),
    Project("pypi", "tornado", "6.6.1", "tornado-6.6.1.tar.gz",
            "28e6311402af59c8b02e3fa0f5e7d8eb465b25081381803b127d97e6a4395d5a"),
    Project("pypi", "urllib3", "2.8.0", "urllib3-2.8.0.tar.gz",
            "63bf2ead4c879426ebf22ef2a781eeb4aa3b4ae798a0435506f8687fd5bb9b63"),
    Project("pypi", "werkzeug", "3.1.9", "werkzeug-3.1.9.tar.gz",
            "55ca7c70a75689be937aa27f8ff4b018f06ff4838fc73045560bf0f5a1291060"),
    # -- npm package tarballs
    Project("npm", "axios", "1.21.1", "axios-1.21.1.tgz",
            "5659acb8c9414ad88aa539db8e529947c9bac8cdf55973e314a078fc0205751c"),
    Project("npm", "dotenv", "18.0.10", "dotenv-18.0.10.tgz",
            "20a0bc8a1cf06b168161a943ddb0ec557482af479dfa3023db2118399ec0a3b7"),
    Project("npm", "express", "5.3.0", "express-5.3.0.tgz",
            "62450d99e36dc393295f1ddd93cb9291e658c169f3b700b0110c1ae8fa799930"),
    Project("npm", "ioredis", "6.1.0", "ioredis-6.1.0.tgz",
            "b4332b9cae609e292c97dd826f635d72d329db29ebea76bd417c5def86c5fd1f"),
    Project("npm", "jose", "6.2.19", "jose-6.2.19.tgz",
            "465d4d15ed19a0be2183805897714ca1b167f3e933e247b8ba0aafd57c21417f"),
    Project("npm", "jsonwebtoken", "9.0.3", "jsonwebtoken-9.0.3.tgz",
            "d9af2628a7a4dda25acf1e19c7ecc2468e1e9e8d4619fe2cae829e89d96f6b82"),
    Project("npm", "mongoose", "9.12.2", "mongoose-9.12.2.tgz",
            "7912c8220eeff43334bb619304ad56029e631afa8f319ddc92708fde6901be63"),
    Project("npm", "nodemailer", "10.6.1", "nodemailer-10.6.1.tgz",
            "7b1a6615b333c7f09c5a3e9147085f6c762eb2ace4abde0341a9e0dd4bf02af8"),
    Project("npm", "@octokit/rest", "22.0.1", "octokit-rest-22.0.1.tgz",
            "287fd0b69abe779e8b1f26eee93856b8b086c465963c862735afe8c6a887b109"),
    Project("npm", "openai", "6.49.0", "openai-6.49.0.tgz",
            "e48de0f4c5dbecebdeb864233f5ea49be07cd3e0ff3bd3e1e6745dc5e168cced"),
    Project("npm", "passport-oauth2", "1.8.0", "passport-oauth2-1.8.0.tgz",
            "9dd1b4a7f8afe174b89e2050a12a0d316d0d63c487dcb27631aff29730535fd7"),
    Project("npm", "pg", "8.23.1", "pg-8.23.1.tgz",
            "0d7999c755c25f7c02fbd96196291148eda737bb91e78e4031b9ebe5ef7d7de7"),
    Project("npm", "@slack/web-api", "8.2.0", "slack-web-api-8.2.0.tgz",
            "5d046d13a3cda62aae3cc49092542d32655424120ffcbbc0c4d601986b0b00aa"),
    Project("npm", "ssh2", "1.17.0", "ssh2-1.17.0.tgz",
            "8bf2fff9c148973ed24a95087c0b4cea9b8f07a61621c8ab3ded453e3cbcd7d7"),
    Project("npm", "stripe", "23.2.0", "stripe-23.2.0.tgz",
            "ccf24ad1dbc39ecb5b7878f14d983569b85bea98b08ba0ba8fd324d14b20b423"),
]


# -- fetching ---------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(project: Project, cache: Path) -> Path:
    """The verified archive in the cache, downloaded with the registry's own client if missing."""
    target = cache / project.registry / project.filename
    if target.exists() and sha256_of(target) == project.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sg-fetch-") as tmp:
        if project.registry == "pypi":
            cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                   "--dest", tmp, f"{project.name}=={project.version}"]
        else:
            cmd = ["npm", "pack", "--silent", "--pack-destination", tmp, f"{project.name}@{project.version}"]
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_ROOT_USER_ACTION="ignore")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        got = Path(tmp) / project.filename
        if proc.returncode != 0 or not got.exists():
            raise RuntimeError(f"{project.name} {project.version}: download failed: "
                               f"{(proc.stderr.strip().splitlines() or ['no ' + project.filename])[-1]}")
        actual = sha256_of(got)
        if actual != project.sha256:
            raise RuntimeError(f"{project.name} {project.version}: sha256 {actual} does not match the pinned "
                               f"{project.sha256}")
        shutil.move(str(got), target)
    return target


def extract(project: Project, archive: Path, cache: Path) -> Path:
    """Unpacked once into cache/src/NAME-VERSION (a marker file says it is complete)."""
    dest = cache / "src" / f"{project.name.replace('/', '__')}-{project.version}"
    marker = dest.with_name(dest.name + ".done")
    if marker.exists() and dest.is_dir():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover
            tar.extractall(dest)
    marker.write_text(project.sha256 + "\n")
    return dest


# -- scanning -----------------------------------------------------------------------------------------
def secretguard() -> list[str]:
    local = Path(sys.executable).parent / "secretguard"
    return [str(local)] if local.exists() else [sys.executable, "-m", "secretguard"]


@dataclass
class Scanned:
    project: Project
    files: int = 0
    seconds: float = 0.0
    findings: list[dict] = field(default_factory=list)
    error: str = ""

    def tiers(self) -> Counter:
        return Counter(f.get("confidence", "medium") for f in self.findings)

    @property
    def blocks(self) -> bool:
        return any(f.get("confidence", "medium") in ("high", "medium") for f in self.findings)


def scan(project: Project, tree: Path, home: Path) -> Scanned:
    env = dict(os.environ)
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        env[var] = str(home / var.lower())
    env.pop("SECRETGUARD_JOBS", None)
    started = time.perf_counter()
    proc = subprocess.run([*secretguard(), "scan", str(tree), "--format", "json", "--no-cache"],
                          capture_output=True, text=True, env=env, timeout=1800)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        return Scanned(project, seconds=seconds, error=(proc.stderr.strip().splitlines() or ["?"])[-1])
    doc = json.loads(proc.stdout)
    return Scanned(project, doc["summary"]["files_scanned"], seconds, doc["findings"])


# -- labels -------------------------------------------------------------------------------------------
def label_key(project: str, f: dict) -> tuple:
    return (project, f["path"], f["rule"], f.get("line"))


def load_labels(path: Path) -> dict[tuple, dict]:
    labels: dict[tuple, dict] = {}
    if not path.exists():
        return labels
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        doc = json.loads(line)
        if doc.get("label") not in VERDICTS or not doc.get("reason"):
            raise SystemExit(f"{path}:{number}: label must be one of {', '.join(VERDICTS)}, with a reason")
        labels[label_key(doc["project"], doc)] = doc
    return labels


# -- report -------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                        / "secretguard-bench", help="downloads and unpacked trees (default ~/.cache/secretguard-bench)")
    parser.add_argument("--only", default="", help="comma-separated project names")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--template", action="store_true",
                        help="print unlabelled findings as JSONL lines to complete and append to the labels")
    parser.add_argument("--details", action="store_true", help="list every finding with its label")
    parser.add_argument("--prune", action="store_true", help="drop labels that match no finding any more "
                        "(after a rule or report change), rewriting the labels file")
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    projects = [p for p in PROJECTS if not only or (p.name in only or p.key in only)]
    labels = load_labels(args.labels)
    results: list[Scanned] = []
    print(f"secretguard: {' '.join(secretguard())}; {len(projects)} projects; cache {args.cache}", flush=True)
    head = f"{'project':<26} {'version':<10} {'files':>6} {'high':>5} {'med':>5} {'low':>5}  {'gate':<7} {'seconds':>7}"
    print(head + "\n" + "-" * len(head), flush=True)
    with tempfile.TemporaryDirectory(prefix="sg-realworld-") as home:
        for project in projects:
            try:
                tree = extract(project, fetch(project, args.cache), args.cache)
                result = scan(project, tree, Path(home))
            except (RuntimeError, OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
                result = Scanned(project, error=str(exc))
            results.append(result)
            if result.error:
                print(f"{project.name:<26} {project.version:<10} error: {result.error}", flush=True)
                continue
            t = result.tiers()
            print(f"{project.name:<26} {project.version:<10} {result.files:>6} {t['high']:>5} {t['medium']:>5} "
                  f"{t['low']:>5}  {'BLOCKS' if result.blocks else 'passes':<7} {result.seconds:>7.2f}", flush=True)

    done = [r for r in results if not r.error]
    unlabelled: list[tuple[Scanned, dict]] = []
    verdict_counts: Counter = Counter()
    by_tier: dict[str, Counter] = {t: Counter() for t in TIERS}
    seen: set[tuple] = set()
    blocked_without_secret: list[str] = []
    blocked_unknown: list[str] = []
    for r in done:
        kinds = []
        for f in r.findings:
            key = label_key(r.project.key, f)
            seen.add(key)
            label = labels.get(key, {}).get("label")
            kinds.append(label)
            if label is None:
                unlabelled.append((r, f))
                continue
            verdict_counts[label] += 1
            by_tier[f.get("confidence", "medium")][label] += 1
        if r.blocks and "secret" not in kinds:
            (blocked_unknown if None in kinds else blocked_without_secret).append(r.project.name)

    total = sum(len(r.findings) for r in done)
    t_all = Counter()
    for r in done:
        t_all.update(r.tiers())
    print(f"\n{len(done)} projects scanned ({len(results) - len(done)} failed), {sum(r.files for r in done)} files, "
          f"{sum(r.seconds for r in done):.1f} s of scanning; {total} findings: "
          + ", ".join(f"{t_all[t]} {t}" for t in TIERS))
    print("labels by tier: " + "; ".join(
        f"{t}: " + ", ".join(f"{by_tier[t][v]} {v}" for v in VERDICTS) for t in TIERS))
    if args.details:
        print("\nfindings:")
        for r in done:
            for f in r.findings:
                label = labels.get(label_key(r.project.key, f), {})
                print(f"  {r.project.name}: {f['path']}:{f.get('line')}  {f.get('confidence')}  {f['rule']}  "
                      f"{f['excerpt']}  -> {label.get('label', 'UNLABELLED')}: {label.get('reason', '')}")
    if unlabelled:
        print(f"\nunlabelled findings ({len(unlabelled)}):")
        for r, f in unlabelled:
            if args.template:
                print(json.dumps({"project": r.project.key, "path": f["path"], "rule": f["rule"], "line": f.get("line"),
                                  "label": "?", "reason": f"{f.get('confidence')}: {f['excerpt']}"}))
            else:
                print(f"  {r.project.name}: {f['path']}:{f.get('line')}  {f.get('confidence')}  {f['rule']}  "
                      f"{f['excerpt']}")
    scanned = {r.project.key for r in done}
    stale = [k for k in labels if k[0] in scanned and k not in seen]
    if stale:
        print(f"\nlabels that match no finding any more ({len(stale)}): " + "; ".join(
            f"{k[0]}: {k[1]}:{k[3]} {k[2]}" for k in stale[:20]) + (" …" if len(stale) > 20 else ""))
        if args.prune:
            keep = [doc for key, doc in labels.items() if key not in set(stale)]
            args.labels.write_text("".join(json.dumps(doc) + "\n" for doc in keep))
            print(f"pruned {len(stale)} stale label(s) from {args.labels}")

    share = verdict_counts["not-a-secret"] / total if total else 0.0
    print(f"\nprojects the gate blocks with no live-looking secret: {len(blocked_without_secret)} of {len(done)} "
          f"(target 0-1){': ' + ', '.join(blocked_without_secret) if blocked_without_secret else ''}")
    if blocked_unknown:
        print(f"projects the gate blocks on findings not yet labelled: {', '.join(blocked_unknown)}")
    print(f"not-a-secret share of all findings: {verdict_counts['not-a-secret']} of {total} = {share:.1%} "
          f"(target <= 5 %); fixtures {verdict_counts['fixture']}, secrets {verdict_counts['secret']}, "
          f"unlabelled {len(unlabelled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
