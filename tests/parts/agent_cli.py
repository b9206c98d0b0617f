"""Real coding-agent CLIs from the npm registry, pinned, installed once per machine, run against the stub API.

`PINNED` has one entry per CLI: its npm package, the exact version, and how to run one scripted,
non-interactive session with it. `install()` puts it in a cache directory ($SECRETGUARD_TEST_CACHE,
else ~/.cache/secretguard-tests) under a lock: npm runs in a staging folder with its own
package.json (without one npm installs into the nearest parent folder that has one), the entry's
`repair` step runs when the installed command does not answer `--version` (npm skipped the
postinstall), and the folder is renamed into place only once the version is right.

`InstalledCLI.run()` runs one session: a fresh HOME and TMPDIR, the project as cwd, a PATH that is
only the system's, the stub API (tests/parts/stub_anthropic.py) as the model, the CLI in its own
process group with a timeout. Only Claude Code is pinned so far; `@openai/codex`,
`@google/gemini-cli` and `@github/copilot` become more entries here (each with the stub its
model API needs).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .stub_anthropic import StubAPI

CACHE_ENV = "SECRETGUARD_TEST_CACHE"
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # no venv, no ~/.local/bin: nothing of the caller's
INSTALL_TIMEOUT = 900  # seconds: Claude Code's native binary is ~250 MB


class InstallError(RuntimeError):
    """The pinned CLI could not be installed or does not run."""


@dataclass(frozen=True)
class AgentCLI:
    name: str
    package: str
    version: str
    bin: str  # the command under node_modules/.bin
    args: tuple[str, ...]  # one non-interactive session; "{prompt}" is replaced
    env: tuple[tuple[str, str], ...]  # "{base_url}" is replaced by the stub's URL
    repair: tuple[str, ...] = ()  # run in the install folder when the command does not answer --version

    @property
    def folder(self) -> str:
        return f"{self.package.rsplit('/', 1)[-1]}-{self.version}"


CLAUDE_CODE = AgentCLI(
    name="claude", package="@anthropic-ai/claude-code", version="2.1.197", bin="claude",
    args=("-p", "{prompt}", "--output-format", "stream-json", "--verbose", "--include-hook-events",
          "--allowedTools", "Bash Read Glob Grep"),
    env=(("ANTHROPIC_BASE_URL", "{base_url}"), ("ANTHROPIC_API_KEY", "sk-ant-test-dummy"),
         ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"), ("DISABLE_AUTOUPDATER", "1"),
         ("DISABLE_TELEMETRY", "1"), ("DISABLE_ERROR_REPORTING", "1")),
    # The package's postinstall links the native binary (an optional dependency) over its
    # bin/claude.exe placeholder; when npm skipped it, its install.cjs does the same.
    repair=("node", "node_modules/@anthropic-ai/claude-code/install.cjs"),
)
PINNED = {cli.name: cli for cli in (CLAUDE_CODE,)}


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "secretguard-tests")


def _installed_version(exe: Path) -> str:
    if not exe.exists():
        return ""
    with tempfile.TemporaryDirectory(prefix="sg-cli-version-") as home:  # keep the real HOME untouched
        try:
            r = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60,
                               env={"PATH": SYSTEM_PATH, "HOME": home, "DISABLE_AUTOUPDATER": "1"})
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return r.stdout.strip() if r.returncode == 0 else ""


def _step(args: list[str], cwd: Path, what: str) -> None:
    try:
        r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{what} failed: {exc}") from None
    if r.returncode != 0:
        raise InstallError(f"{what} failed (exit {r.returncode}): {(r.stderr or r.stdout)[-3000:]}")


def install(cli: AgentCLI) -> Path:
    """The path of the pinned CLI's command, installing it into the cache first if needed."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    final = root / cli.folder
    exe = final / "node_modules" / ".bin" / cli.bin
    with open(root / f".{cli.folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time, across test runs
        if _installed_version(exe).startswith(cli.version + " "):
            return exe
        npm = shutil.which("npm")
        if npm is None:
            raise InstallError(f"cannot install {cli.package}@{cli.version}: npm is not on PATH "
                               "(scripts/test.sh installs Debian's nodejs and npm with apt-get when run as root)")
        staging = Path(tempfile.mkdtemp(prefix=f".{cli.folder}.", dir=root))
        try:
            staging.chmod(0o755)
            (staging / "package.json").write_text(json.dumps({"name": "secretguard-test-agents", "private": True}))
            _step([npm, "install", "--no-audit", "--no-fund", "--save-exact", f"{cli.package}@{cli.version}"],
                  staging, f"npm install {cli.package}@{cli.version}")
            staged = staging / "node_modules" / ".bin" / cli.bin
            if not _installed_version(staged) and cli.repair:
                _step(list(cli.repair), staging, " ".join(cli.repair))
            got = _installed_version(staged)
            if not got.startswith(cli.version + " "):
                raise InstallError(f"{staged} --version says {got!r}, expected {cli.version}")
            shutil.rmtree(final, ignore_errors=True)
            staging.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return exe


@dataclass
class Run:
    """What one session did: the CLI's JSON stream, the requests the stub got, stderr."""

    returncode: int | None
    timed_out: bool
    seconds: float
    stream: list[dict]
    requests: list[dict]
    stdout: str
    stderr: str
    requests_raw: str

    @property
    def main_requests(self) -> list[dict]:
        return [r for r in self.requests if r["kind"] == "main"]

    @property
    def result(self) -> dict | None:
        return next((m for m in reversed(self.stream) if m.get("type") == "result"), None)

    def hook_responses(self, event: str) -> list[dict]:
        return [m for m in self.stream if m.get("subtype") == "hook_response" and m.get("hook_event") == event]

    def tool_results(self) -> dict[str, dict]:
        """tool_use id -> {"tool", "input", "is_error", "text"}, as the model was shown them."""
        calls: dict[str, dict] = {}
        for request in self.main_requests:
            for message in request["body"].get("messages") or []:
                for block in message.get("content") if isinstance(message.get("content"), list) else []:
                    if block.get("type") == "tool_use":
                        calls[block["id"]] = {"tool": block["name"], "input": block.get("input")}
                    elif block.get("type") == "tool_result":
                        content = block.get("content")
                        text = content if isinstance(content, str) else "\n".join(
                            c.get("text", "") for c in content or [] if c.get("type") == "text")
                        calls.setdefault(block["tool_use_id"], {}).update(is_error=bool(block.get("is_error")),
                                                                          text=text)
        return {k: v for k, v in calls.items() if "text" in v}

    def everything(self) -> str:
        """Every byte the CLI printed and every request the model API got."""
        return "\n".join((self.stdout, self.stderr, self.requests_raw))


@dataclass(frozen=True)
class InstalledCLI:
    cli: AgentCLI
    exe: Path

    def run(self, workdir: Path, turns: list[dict], *, prompt: str = "Do the task.", path: str = SYSTEM_PATH,
            env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        """One session in workdir/project with HOME workdir/home and TMPDIR workdir/tmp (made if missing)."""
        project, home, tmp = workdir / "project", workdir / "home", workdir / "tmp"
        for d in (project, home, tmp):
            d.mkdir(parents=True, exist_ok=True)
        stub = StubAPI(workdir, turns).start()
        full_env = {"PATH": path, "HOME": str(home), "TMPDIR": str(tmp), "SHELL": "/bin/bash", "LANG": "C.UTF-8",
                    "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        full_env.update({k: v.replace("{base_url}", stub.url) for k, v in self.cli.env})
        full_env.update(env or {})
        argv = [str(self.exe), *(a.replace("{prompt}", prompt) for a in self.cli.args)]
        out_path, err_path = workdir / f"{self.cli.name}.stdout.jsonl", workdir / f"{self.cli.name}.stderr.txt"
        timed_out = False
        start = time.monotonic()
        try:
            with out_path.open("wb") as out, err_path.open("wb") as err:
                proc = subprocess.Popen(argv, cwd=project, env=full_env, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=err, start_new_session=True)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)  # the group this run started, hooks included
                    proc.wait()
        finally:
            stub.stop()
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stream = []
        for line in stdout.splitlines():
            try:
                stream.append(json.loads(line))
            except ValueError:
                stream.append({"type": "unparsed", "line": line})
        return Run(proc.returncode, timed_out, time.monotonic() - start, stream, stub.requests(), stdout,
                   err_path.read_text(encoding="utf-8", errors="replace"),
                   stub.log.read_text(encoding="utf-8") if stub.log.exists() else "")


def installed(name: str) -> InstalledCLI:
    """For a session fixture: the pinned CLI, installed; a clear failure (never a skip) when it cannot be."""
    cli = PINNED[name]
    try:
        return InstalledCLI(cli, install(cli))
    except InstallError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def claude_code() -> InstalledCLI:
    return installed("claude")
