"""git and tamper rows that need real repositories: what `git config`/`git remote` print, what history
reads would print, and which work-tree changes reach secretguard's files or the hook settings.

`proj` once committed a `.env.production` and a deploy key (removed since), has a token in its
remote URL and hook settings under `.claude/`; its home's global gitconfig rewrites GitHub URLs to
one carrying a token. `clean` never tracked a credential, and its home holds `other-repo`, a copy
of `proj`'s history.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest

from secretguard.guard.paths import Judge
from secretguard.guard.shell import GuardEnv, analyze_command

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(cwd, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("gitworld")
    proj, clean, home_a, home_b = base / "proj", base / "clean", base / "home-a", base / "home-b"
    hooks = '{"hooks": {"PreToolUse": [{"hooks": [{"type": "command", "command": "secretguard hook claude"}]}]}}\n'
    _write(proj / "README.md", "# app\nTODO: docs\n")
    _write(proj / "src" / "app.py", "print('hi')\n")
    _write(proj / ".claude" / "settings.json", "{}\n")
    _write(proj / ".gitignore", ".env\n.claude/settings.local.json\n")
    _git(proj, "init", "-q", "-b", "main")
    _git(proj, "add", "-A")
    _git(proj, "commit", "-qm", "c1")
    _write(proj / "config" / ".env.production", f"DB_PASSWORD=Zq{secrets.token_hex(12)}9x\n")
    _write(proj / "ci" / "deploy_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")
    _write(proj / ".claude" / "settings.json", hooks)
    _git(proj, "add", "-A")
    _git(proj, "commit", "-qm", "c2: oops")
    _git(proj, "rm", "-q", "config/.env.production", "ci/deploy_key")
    _git(proj, "commit", "-qm", "c3: remove")
    _write(proj / "src" / "app.py", "print('hello')\n")
    _git(proj, "commit", "-qam", "c4")
    _write(proj / ".env.local", f"API_TOKEN=Zq{secrets.token_hex(12)}9x\n")
    _git(proj, "stash", "push", "-q", "-u")
    _write(proj / ".env", f"DB_PASSWORD=Zq{secrets.token_hex(12)}9x\n")
    _write(proj / ".claude" / "settings.local.json", hooks)
    token = "ghp_" + secrets.token_hex(18)
    _git(proj, "remote", "add", "origin", f"https://deploy:{token}@github.com/acme/app.git")
    _git(proj, "remote", "add", "upstream", "git@github.com:acme/app.git")
    blob = _git(proj, "rev-parse", "HEAD~2:config/.env.production")

    _write(clean / "README.md", "# clean\n")
    _write(clean / "src" / "main.py", "print(1)\n")
    _git(clean, "init", "-q", "-b", "main")
    _git(clean, "add", "-A")
    _git(clean, "commit", "-qm", "c1")
    _write(clean / "src" / "main.py", "print(2)\n")
    _git(clean, "commit", "-qam", "c2")
    _git(clean, "remote", "add", "origin", "https://github.com/acme/clean.git")
    _git(clean, "remote", "add", "mirror", "https://me@gitlab.example.com/acme/clean.git")

    _write(home_a / ".gitconfig", "[user]\n\tname = Dev\n[url \"https://x-access-token:ghs_"
           + secrets.token_hex(18) + "@github.com/\"]\n\tinsteadOf = https://github.com/\n")
    _write(home_b / ".gitconfig", "[user]\n\tname = Dev\n[credential]\n\thelper = store\n")
    shutil.copytree(proj / ".git", home_b / "other-repo" / ".git")
    _git(home_b / "other-repo", "checkout", "-q", "--", ".")

    # secretguard installed in a virtualenv of its own, found on the PATH the analysis is given
    venv = base / "tools" / "venv"
    _write(venv / "bin" / "secretguard", "#!/bin/sh\n")
    (venv / "bin" / "secretguard").chmod(0o755)
    return {"proj": str(proj), "clean": str(clean), "home-a": str(home_a), "home-b": str(home_b),
            "venv": str(venv), "blob": blob, "base": str(base)}


def env_for(world: dict, where: str) -> GuardEnv:
    judge = Judge(world[where], home=world["home-a" if where == "proj" else "home-b"])
    install = os.path.join(world["venv"], "bin", "secretguard")

    def protected_path(path: str) -> str | None:
        return "secretguard itself" if path == install else judge.protected_path(path)

    return GuardEnv(secret_path=judge.secret_path, secret_name=judge.secret_name, protected_path=protected_path,
                    home=judge.home, path=os.path.dirname(install) + ":/usr/bin:/bin")


ROWS: list[tuple[str, str, str]] = [
    # -- what git config and git remote print -------------------------------------------------
    ("git config --get remote.origin.url", "proj", "deny"),
    ("git remote -v", "proj", "deny"),
    ("git remote --verbose", "proj", "deny"),
    ("git remote get-url origin", "proj", "deny"),
    ("git remote show origin", "proj", "deny"),
    ("git ls-remote --get-url origin", "proj", "deny"),
    ("git config --get-regexp '^url\\.'", "proj", "deny"),
    ("git config --global --list", "proj", "deny"),
    ("git config -l", "proj", "deny"),
    ("git config --list --name-only", "proj", "deny"),  # the insteadOf base, token and all, is a key
    ("git config get remote.origin.url", "proj", "deny"),
    ("git remote get-url upstream", "proj", "allow"),
    ("git remote", "proj", "allow"),
    ("git remote show", "proj", "allow"),
    ("git config user.name", "proj", "allow"),
    ("git config --global user.name", "proj", "allow"),
    ("git config --get credential.helper", "proj", "allow"),
    ("git config --get credential.helper", "clean", "allow"),
    ("git config --get remote.origin.url", "clean", "allow"),
    ("git remote -v", "clean", "allow"),  # https://github.com/…, and https://me@… is a user name, no secret
    ("git config -l", "clean", "allow"),
    ("git config --global --list", "clean", "allow"),
    ("git ls-remote --get-url", "clean", "allow"),
    # -- history reads ------------------------------------------------------------------------
    ("git show HEAD~2:config/.env.production", "proj", "deny"),
    ("git show HEAD~3:.env", "proj", "deny"),
    ("git log -p", "proj", "deny"),  # the history once held config/.env.production
    ("git log -p --all", "proj", "deny"),
    ("git log --patch -- config", "proj", "deny"),
    ("git log -p -1", "proj", "allow"),  # the last commit never touched a credential file
    ("git log -p -2", "proj", "deny"),  # the one before removed them: its patch shows their content
    ("git log -p src/app.py", "proj", "allow"),
    ("git show HEAD~1", "proj", "deny"),  # the commit that removed them shows their content
    ("git show HEAD", "proj", "allow"),
    ("git show --stat HEAD~1", "proj", "allow"),
    ("git show --name-only HEAD~2", "proj", "allow"),
    ("git show HEAD:README.md", "proj", "allow"),
    ("git diff HEAD~2", "proj", "deny"),
    ("git diff HEAD~3", "proj", "allow"),
    ("git diff HEAD~2 --stat", "proj", "allow"),
    ("git diff", "proj", "allow"),
    ("git archive HEAD~2", "proj", "deny"),
    ("git archive --format=tar HEAD -o /tmp/app.tar", "proj", "allow"),
    ("git cat-file -p HEAD~2:config/.env.production", "proj", "deny"),
    ("git cat-file -p HEAD", "proj", "allow"),
    ("git cat-file -p {blob}", "proj", "ask"),
    ("git stash show -p --include-untracked", "proj", "deny"),
    ("git stash show -p -u", "proj", "deny"),
    ("git stash show", "proj", "allow"),
    ("git stash list", "proj", "allow"),
    ("git grep DB_PASSWORD HEAD~2", "proj", "deny"),
    ("git grep TODO HEAD", "proj", "allow"),
    ("git grep -n TODO", "proj", "allow"),  # tracked files only: the .env is not searched
    ("git grep --untracked TODO", "proj", "allow"),  # untracked, not ignored: the .env is ignored
    ("git grep --untracked --no-exclude-standard TODO", "proj", "deny"),
    ("git format-patch --stdout HEAD~3..HEAD", "proj", "deny"),
    ("git fast-export --all", "proj", "deny"),
    ("git log --oneline", "proj", "allow"),
    ("git log --stat", "proj", "allow"),
    ("git log -p", "clean", "allow"),
    ("git show HEAD", "clean", "allow"),
    ("git archive HEAD", "clean", "allow"),
    ("git -C ~/other-repo log -p", "clean", "deny"),
    ("git -C ~/other-repo log --oneline", "clean", "allow"),
    # -- tampering, by what an operation touches -------------------------------------------------
    ("rm -rf .cl*", "proj", "deny"),
    ("rm -rf .c*", "proj", "deny"),
    ("rm -rf .g*", "proj", "deny"),  # .git, with its hooks
    ("rm -rf .git", "proj", "deny"),
    ("rm -f *.md", "proj", "allow"),
    ("rm -rf src", "proj", "allow"),
    ("rm -rf ..", "proj", "deny"),  # the parent of the project, hook settings and all
    ("rm -rf {base}/tools/venv", "proj", "deny"),  # the virtualenv secretguard runs from
    ("rm -rf {base}/tools", "proj", "deny"),
    ("mv {base}/tools/venv /tmp/elsewhere", "proj", "deny"),
    ("chmod -R a-x {base}/tools", "proj", "deny"),
    ("rm -rf $XDG_CONFIG_HOME", "proj", "deny"),  # secretguard's configuration is in there
    ("find .claude -name 'settings*.json' -delete", "proj", "deny"),
    ("find . -not -name '*.py' -delete", "proj", "deny"),
    ("find . -type f -delete", "proj", "deny"),
    ("find . -name '*.pyc' -delete", "proj", "allow"),
    ("find .claude -name '*.json' -exec rm {{}} +", "proj", "deny"),
    ("find . -name node_modules -prune -o -name '*.log' -delete", "proj", "allow"),
    ("find . -name '*.log' -o -name 'settings*.json' -delete", "proj", "deny"),
    ("find . \\( -name '*.log' -o -name x \\) -delete", "proj", "deny"),  # grouped: judged as reaching all
    ("git rm .claude/settings.json", "proj", "deny"),
    ("git rm -r .claude", "proj", "deny"),
    ("git rm -r '.claude/*'", "proj", "deny"),
    ("git rm --cached .claude/settings.json", "proj", "allow"),
    ("git rm src/app.py", "proj", "allow"),
    ("git mv .claude x", "proj", "deny"),
    ("git mv src/app.py src/main.py", "proj", "allow"),
    ("git clean -fdx", "proj", "deny"),  # removes the ignored .claude/settings.local.json
    ("git clean -fX", "proj", "deny"),
    ("git clean -fd", "proj", "allow"),
    ("git clean -n -fdx", "proj", "allow"),
    ("git clean -fdx src", "proj", "allow"),
    ("git checkout -- .", "proj", "allow"),  # the settings match the index: nothing of them changes
    ("git checkout HEAD~3 -- .claude", "proj", "deny"),  # the version from before the hook was added
    ("git checkout HEAD~3 -- src", "proj", "allow"),
    ("git restore --source=HEAD~3 .claude/settings.json", "proj", "deny"),
    ("git restore src/app.py", "proj", "allow"),
    ("git reset --hard HEAD~3", "proj", "deny"),
    ("git reset --hard", "proj", "allow"),
    ("git stash -a", "proj", "deny"),  # stashes (and removes) the ignored settings.local.json
    ("git stash -u", "proj", "allow"),
    ("git stash", "proj", "allow"),
    ("git checkout main", "proj", "allow"),
]


@pytest.mark.parametrize("command,where,expected", ROWS, ids=[f"{w}: {c[:50]}" for c, w, _ in ROWS])
def test_git_rows(world: dict, command: str, where: str, expected: str) -> None:
    command = command.format(blob=world["blob"], base=world["base"])
    decision = analyze_command(command, world[where], env_for(world, where))
    assert decision.decision == expected, decision.reason


def test_reasons_name_the_remote_but_not_the_token(world: dict) -> None:
    decision = analyze_command("git remote -v", world["proj"], env_for(world, "proj"))
    url = _git(world["proj"], "config", "--get", "remote.origin.url")
    assert decision.decision == "deny" and "origin" in decision.reason
    assert url.split(":")[2].split("@")[0] not in decision.reason


def test_nothing_is_run_for_commands_that_print_no_history(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everyday commands answer without starting git."""
    from secretguard.guard.shell import gitrepo

    def refuse(*args, **kwargs):
        raise AssertionError("git was run")

    monkeypatch.setattr(gitrepo, "run_git", refuse)
    for command in ("git status", "git log --oneline -5", "git diff", "git diff --stat HEAD~1", "git commit -m x",
                    "git push", "git remote -v", "git config -l", "rm -rf build", "git checkout -b x",
                    "git show --stat HEAD"):
        analyze_command(command, world["clean"], env_for(world, "clean"))
