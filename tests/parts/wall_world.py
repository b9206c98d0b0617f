"""A world for sealed-session tests: a fake HOME full of planted credentials and a clean project."""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
from pathlib import Path

import pytest

from planted import github_token, rand


def encodings(value: str) -> list[str]:
    raw = value.encode()
    return [value, value[::-1], raw.hex(), base64.b64encode(raw).decode()[:-4],
            base64.b64encode(gzip.compress(raw, mtime=0)).decode()[8:40]]


class World:
    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.project = root / "project"
        self.secrets: dict[str, str] = {}
        self.env: dict[str, str] = {}

    def plant(self, rel: str, template: str, name: str) -> str:
        value = "Zq" + rand(28) + "7x"
        self.secrets[name] = value
        path = self.home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(value))
        return value


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path)
    w.project.mkdir()
    (w.project / "app.py").write_text("print('hello')\n")
    subprocess.run(["git", "init", "-q", str(w.project)], check=True)
    w.plant(".ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n", "ssh")
    w.plant(".aws/credentials", "[default]\naws_access_key_id = AKIA0000\naws_secret_access_key = {}\n", "aws")
    w.plant(".bash_history", "ls\nexport GITHUB_TOKEN={}\ngit push\n", "history")
    w.plant("Downloads/prod-keys.txt", "prod db: {}\n", "notes")
    w.plant(".config/gh/hosts.yml", "github.com:\n    oauth_token: {}\n", "gh")
    w.plant(".cache/huggingface/token", "{}", "hf")
    w.plant(".docker/config.json", '{{"auths": {{"r.io": {{"auth": "{}"}}}}}}', "docker")
    w.plant(".local/state/secretguard/audit.jsonl", '{{"note": "{}"}}\n', "state")
    value = w.plant(".gitconfig", "[user]\n\tname = Dev\n[credential]\n\thelper = store\n"
                    "[url \"https://bot:{}@github.com/\"]\n\tinsteadOf = https://github.com/\n", "gitconfig")
    assert value
    os.link(w.home / ".aws/credentials", w.home / "Downloads" / "aws.ini")  # a hard link under another name
    (w.home / ".ssh" / "config").write_text("Host example\n  User dev\n")
    (w.home / ".ssh" / "id_ed25519.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicHalf dev\n")
    w.secrets["env_named"] = "Zq" + rand(28) + "7y"
    w.secrets["env_value"] = github_token()
    w.env = {"HOME": str(w.home), "MY_SERVICE_API_KEY": w.secrets["env_named"],
             "INNOCENT_LOOKING": w.secrets["env_value"], "XDG_STATE_HOME": str(w.home / ".local/state"),
             "XDG_CONFIG_HOME": str(w.home / ".config"), "XDG_CACHE_HOME": str(w.home / ".cache")}
    return w


def leaks(world: World, proc: subprocess.CompletedProcess) -> list[str]:
    written = "".join(p.read_text(errors="replace") for p in world.project.rglob("*") if p.is_file()
                      and ".git" not in p.parts)
    return sorted({name for name, value in world.secrets.items() for form in encodings(value)
                   if form in proc.stdout + proc.stderr + written})


