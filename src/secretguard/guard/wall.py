"""The wall's policy, as data: what a sealed session sees of HOME and of the system.

One policy serves both enforcers: `session.sandbox` builds the bubblewrap mounts from it, and the
path judge (guard.paths) denies what it hides, so a file tool of an agent started plainly and a
shell command inside the wall agree. HOME is deny-by-default: only the entries below are visible.
"""

from __future__ import annotations

import os

# Per agent: its own config and state under HOME (read-write: the agent keeps sessions there), and the
# environment variables that carry its API key (it needs them; `--allow-env` defaults).
AGENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "claude": {"home": (".claude", ".claude.json", ".claude.json.backup", ".config/claude"),
               "env": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN")},
    "codex": {"home": (".codex",), "env": ("OPENAI_API_KEY", "CODEX_API_KEY")},
    "gemini": {"home": (".gemini",), "env": ("GEMINI_API_KEY", "GOOGLE_API_KEY")},
    "copilot": {"home": (".copilot", ".config/github-copilot"), "env": ("COPILOT_GITHUB_TOKEN", "GH_TOKEN",
                                                                       "GITHUB_TOKEN")},
    "cursor-agent": {"home": (".cursor", ".config/cursor"), "env": ("CURSOR_API_KEY",)},
    "aider": {"home": (".aider", ".aider.conf.yml"), "env": ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")},
}

# Toolchains and caches: read-write, so builds and installs keep working.
TOOLCHAINS = (
    ".cache", ".local/bin", ".local/lib", ".local/share/pnpm", ".npm", ".pnpm-store", ".yarn", ".bun",
    ".deno", ".cargo", ".rustup", ".nvm", ".volta", ".pyenv", ".rbenv", ".rye", ".local/share/uv", "go",
    ".m2/repository", ".gradle/caches", ".gradle/wrapper", ".sdkman", ".dotnet", ".nuget/packages",
    ".conda", "miniconda3", ".mix", ".hex", ".stack", ".ghcup", ".opam", ".elan", ".bundle", ".gem",
    ".config/pip", ".config/uv", ".config/git/ignore", ".config/nvim", ".vimrc", ".vim", ".tmux.conf",
    ".bashrc", ".profile", ".zshrc", ".inputrc", ".editorconfig",
)

# Where tools keep tokens inside directories the wall otherwise shows: always masked.
TOKEN_FILES = (".cache/huggingface/token", ".cache/huggingface/stored_tokens", ".cargo/credentials",
               ".cargo/credentials.toml", ".config/pip/pip.conf", ".npm/_authToken", ".yarn/berry/.yarnrc",
               ".config/uv/uv.toml", ".local/share/uv/credentials.toml", ".gem/credentials", ".bundle/config",
               ".m2/repository/settings.xml", ".gradle/caches/gradle.properties")
# The agents' own logins: the agent needs them, the commands it runs do not.
AGENT_LOGIN_FILES = (".claude/.credentials.json", ".codex/auth.json", ".gemini/oauth_creds.json",
                     ".config/github-copilot/apps.json", ".config/github-copilot/hosts.json", ".copilot/config.json")

# Credential files the wall hides whose values are worth knowing (the known-values index).
CREDENTIAL_FILES = (".aws/credentials", ".netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc",
                    ".docker/config.json", ".config/gh/hosts.yml", ".config/glab-cli/config.yml", ".vault-token",
                    ".kube/config", ".m2/settings.xml", ".gradle/gradle.properties", ".terraformrc",
                    ".config/hub", ".azure/accessTokens.json")

# Public halves of credential stores: everyday tools need them and they hold no secret.
PUBLIC_FILES = (".ssh/config", ".ssh/known_hosts", ".ssh/known_hosts2", ".aws/config")
PUBLIC_GLOBS = (".ssh/*.pub",)
# Files shown only when the scan finds no secret in them (a kubeconfig with client certs or
# tokens stays hidden; one that uses an exec plugin is harmless).
SCANNED_FILES = (".kube/config",)
# Written by the session from the user's file: identity and aliases only.
SANITISED_GITCONFIG = ".gitconfig"

# Outside HOME: paths the session must not reach, even read-only.
HIDDEN_SYSTEM = ("/run", "/var/run", "/run/secrets", "/var/run/secrets", "/var/lib/docker", "/root/.docker")
# Sockets re-admitted only on request.
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def home_allowed(user_allow: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every HOME entry (relative) a session sees read-write: agents, toolchains, the user's own."""
    agents = tuple(p for spec in AGENTS.values() for p in spec["home"])
    return tuple(dict.fromkeys(agents + TOOLCHAINS + tuple(user_allow)))


def hidden_by_wall(path: str, home: str, user_allow: tuple[str, ...] = ()) -> str | None:
    """Why the wall hides `path` (absolute, normalised), or None when a session would see it."""
    home = home.rstrip("/")
    if path.startswith(("/proc/", "/proc")) and path.rstrip("/").endswith("/environ"):
        return "a process environment (/proc/*/environ)"
    if path == home or not path.startswith(home + "/"):
        return None
    rel = path[len(home) + 1:]
    for allowed in home_allowed(user_allow) + PUBLIC_FILES + SCANNED_FILES + (SANITISED_GITCONFIG,):
        if rel == allowed or rel.startswith(allowed.rstrip("/") + "/"):
            return None
    import fnmatch

    if any(fnmatch.fnmatchcase(rel, g) for g in PUBLIC_GLOBS):
        return None
    return f"outside the sealed session's view of HOME (~/{rel.split('/', 1)[0]} is not on its allow-list)"


def user_allow_list() -> tuple[str, ...]:
    """`[session] allow = [...]` from the user's own config (a project cannot widen its wall)."""
    from secretguard.paths import config_dir

    path = config_dir() / "config.toml"
    if not path.is_file():
        return ()
    from secretguard.settings import read_toml

    session = read_toml(path).get("session", {})
    allow = session.get("allow", []) if isinstance(session, dict) else []
    home = os.path.expanduser("~")
    out = []
    for entry in allow if isinstance(allow, list) else []:
        if isinstance(entry, str) and entry:
            full = os.path.normpath(os.path.expanduser(entry))
            out.append(os.path.relpath(full, home) if full.startswith(home + "/") else full)
    return tuple(out)
