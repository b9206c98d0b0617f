"""Everyday developer commands the guard must let through: precision, not recall.

A false "deny" on an ordinary command locks a developer out (and an allowed call still runs behind
the OS wall), so every row here must be allowed outright: no ask, no deny. The world is a real
git repository holding what real ones hold: a `.env` with a planted value, an `id_rsa` someone
copied in (both gitignored), a `.git/config` whose remote URL carries a token, hook settings in
`.claude/settings.json`, and a home with ~/.ssh keys and a kubeconfig.
"""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from secretguard.guard.paths import Judge
from secretguard.guard.shell import GuardEnv, analyze_command


def _git(cwd: str, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("everyday")
    proj, home = base / "proj", base / "home"
    files = {
        "README.md": "# app\nTODO: docs\n",
        "src/app.py": "import os\n# TODO: routes\nTOKEN = os.environ.get('API_TOKEN')\n",
        "src/settings.py": "from dotenv import load_dotenv\nDEBUG = True\n",
        "src/a.py": "x = 1\n", "src/b.py": "x = 2\n",
        "src/config.test.js": "test('reads settings from process.env', () => {})\n",
        "tests/test_settings.py": "def test_reads_env():\n    assert True\n",
        "package.json": '{"name": "app", "scripts": {"test": "jest", "build": "tsc", "lint": "eslint ."}}\n',
        "Makefile": "test:\n\tpytest -q\n", "Cargo.toml": "[package]\nname = \"app\"\n",
        "go.mod": "module example.com/app\n", "Dockerfile": "FROM python:3.12\n",
        "docker-compose.yml": "services:\n  api:\n    build: .\n", "k8s/deploy.yaml": "kind: Deployment\n",
        "main.tf": "terraform {}\n", "requirements.txt": "requests\n", "pyproject.toml": "[project]\nname='app'\n",
        "data.csv": "a,b\n1,2\n", "values.yaml": "replicas: 1\n", "logs/app.log": "started\n",
        ".env.example": "API_TOKEN=<your-token>\nPORT=3000\n",
        ".gitignore": ".env\nid_rsa\n.venv/\nnode_modules/\n.claude/settings.local.json\n",
        ".claude/settings.json": '{"hooks": {"PreToolUse": [{"hooks": [{"type": "command", '
                                 '"command": "secretguard hook claude"}]}]}}\n',
    }
    for rel, text in files.items():
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(text)
    _git(str(proj), "init", "-q", "-b", "main")
    _git(str(proj), "add", "-A")
    _git(str(proj), "commit", "-qm", "initial")
    (proj / "src" / "app.py").write_text((proj / "src" / "app.py").read_text() + "print('hi')\n")
    _git(str(proj), "commit", "-qam", "second")
    token = "ghp_" + secrets.token_hex(18)
    _git(str(proj), "remote", "add", "origin", f"https://deploy:{token}@github.com/acme/app.git")
    (proj / ".env").write_text(f"API_TOKEN=Zq{secrets.token_hex(12)}9x\nDEBUG=1\n")
    (proj / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n" + secrets.token_hex(40) + "\n")
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n" + secrets.token_hex(40) + "\n")
    (home / ".ssh" / "id_ed25519.pub").write_text("ssh-ed25519 AAAAC3Nza user@host\n")
    (home / ".kube").mkdir()
    (home / ".kube" / "config").write_text(f"apiVersion: v1\nusers:\n- user:\n    token: {secrets.token_hex(20)}\n")
    return {"proj": str(proj), "home": str(home), "token": token}


def env_for(world: dict) -> GuardEnv:
    judge = Judge(world["proj"], home=world["home"])
    return GuardEnv(secret_path=judge.secret_path, secret_name=judge.secret_name,
                    protected_path=judge.protected_path, home=world["home"],
                    exec_decision=lambda argv: (1, "exec: ask"))


EVERYDAY: list[str] = [
    # -- git -------------------------------------------------------------------------------
    "git status", "git status -sb", "git diff", "git diff --staged", "git diff --cached src/app.py",
    "git diff HEAD~1 --stat", "git diff HEAD~1 -- src/app.py", "git diff main...HEAD --name-only",
    "git log --oneline -20", "git log --graph --oneline --all", "git log -p src/app.py",
    "git log --author=alice --since='2 weeks ago' --oneline", "git show --stat HEAD", "git show HEAD",
    "git show HEAD:src/app.py", "git blame -L 1,20 src/app.py", "git branch -a", "git checkout -b feature/token-refresh",
    "git switch main", "git add -A && git commit -m 'fix: handle expired token'", "git commit --amend --no-edit",
    "git push origin HEAD", "git push -u origin feature/env-loader", "git pull --rebase", "git fetch --all --prune",
    "git rebase main", "git stash", "git stash pop", "git stash list", "git tag -a v1.2.0 -m 'release'",
    "git remote", "git config user.name", "git config --get user.email", "git config --get credential.helper",
    "git config --global init.defaultBranch main", "git rev-parse --show-toplevel", "git ls-files | wc -l",
    "git grep -n TODO", "git grep -n 'API_TOKEN' -- src", "git checkout -- src/app.py", "git restore src/app.py",
    "git reset --hard HEAD", "git clean -fd", "git cherry-pick abc123", "git worktree list", "git shortlog -sn",
    "git -c core.sshCommand='ssh -i ~/.ssh/id_ed25519' push",
    "GIT_SSH_COMMAND='ssh -i ~/.ssh/id_ed25519' git fetch",
    # -- node -------------------------------------------------------------------------------
    "npm install", "npm ci", "npm test", "npm run build", "npm run lint -- --fix", "npm test -- -t 'loads env config'",
    "npx jest -t 'reads settings from process.env'", "npx jest src/config.test.js", "npx vitest run -t 'token refresh'",
    "npx tsc --noEmit", "npx eslint . --ext .ts", "npm outdated", "npm ls react", "pnpm install", "pnpm -r build",
    "pnpm test --filter api", "yarn", "yarn add -D prettier", "yarn test --watchAll=false", "npm version patch",
    "npm pack --dry-run", "node --version", "npx jest --testNamePattern='secret rotation'",
    # -- python -----------------------------------------------------------------------------
    "pytest -q", "pytest -k 'env and not slow'", "pytest -k test_token_refresh -x",
    "pytest tests/test_settings.py::test_reads_env", "python -m pytest --lf", "python -m unittest discover",
    "pip install -r requirements.txt", "pip install -e '.[dev]'", "pip freeze > requirements.lock",
    "pip list --outdated", "python -m venv .venv", "ruff check src", "ruff format .", "black --check src",
    "mypy src", "tox -e py312", "uv sync", "uv run pytest -k secret", "poetry install", "python manage.py migrate",
    "python3 -c \"import sys; print(sys.path)\"",
    "python3 -c \"from dotenv import dotenv_values; print(dotenv_values('.env.example'))\"",
    "coverage run -m pytest && coverage report", "pytest -m 'not integration' --env staging",
    # -- make, cargo, go --------------------------------------------------------------------
    "make", "make test", "make -j4 build", "make clean", "cargo build", "cargo test token",
    "cargo test -- --nocapture env", "cargo clippy -- -D warnings", "cargo fmt", "cargo run --bin server",
    "go build ./...", "go test ./... -run TestLoadEnv", "go vet ./...", "go mod tidy", "gofmt -l .",
    "go run ./cmd/api",
    # -- containers and clusters ------------------------------------------------------------
    "docker build -t app:dev .", "docker ps -a", "docker images", "docker compose up -d", "docker compose ps",
    "docker compose logs -f api", "docker compose down -v", "docker compose config --services",
    "docker run --rm -p 8080:8080 app:dev", "docker logs api --tail 50", "docker pull postgres:16",
    "docker system prune -f", "kubectl get pods", "kubectl get pods -A", "kubectl get deploy -n staging -o wide",
    "kubectl describe pod api-123", "kubectl logs deploy/api --tail=100", "kubectl apply -f k8s/deploy.yaml",
    "kubectl rollout status deploy/api", "kubectl --kubeconfig ~/.kube/config get pods",
    "KUBECONFIG=~/.kube/config kubectl get pods -A", "kubectl config current-context",
    "kubectl config get-contexts", "kubectl port-forward svc/api 8080:80", "helm list -A",
    "helm upgrade --install api ./chart -f values.yaml", "vault kv metadata get secret/app", "vault status",
    # -- terraform --------------------------------------------------------------------------
    "terraform init", "terraform plan", "terraform plan -out tfplan", "terraform fmt -recursive",
    "terraform validate",
    # -- files and text ---------------------------------------------------------------------
    "ls", "ls -la src", "ls -lah", "tree src", "find src -name '*.py'", "find . -name '*.py' -not -path './.venv/*'",
    "find . -type f -name '*.test.js' | head", "grep -rn TODO src", "grep -rn 'process.env' src",
    "grep -rn getenv src tests", "grep -rl API_TOKEN src", "rg token src", "rg -n SECRET_KEY src tests",
    "rg --type py load_dotenv src", "sed -n '1,40p' src/app.py", "sed -i 's/old/new/g' src/app.py",
    "awk -F, '{print $1}' data.csv", "wc -l src/*.py", "head -50 README.md", "tail -n 20 logs/app.log",
    "cat src/settings.py", "cat .env.example", "diff src/a.py src/b.py", "sort data.csv | uniq -c",
    "cut -d, -f1 data.csv", "jq '.scripts' package.json", "find src -name '*.py' | xargs wc -l",
    "grep -n 'token' src/app.py", "cp .env.example .env.test.example", "mkdir -p build && cp src/*.py build/",
    "rm -rf build dist", "rm -rf node_modules", "touch .env", "echo 'LOG_LEVEL=debug' >> .env.example",
    # -- editors ----------------------------------------------------------------------------
    "vim src/app.py", "code .", "nano README.md", "code src/settings.py",
    # -- talking to APIs ---------------------------------------------------------------------
    "curl -s https://api.github.com/repos/acme/app",
    "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/me",
    "curl -sS -H \"Authorization: token $GITHUB_TOKEN\" https://api.github.com/user",
    "curl -X POST -H 'Content-Type: application/json' -d '{\"name\":\"x\"}' https://api.example.com/items",
    "curl -u \"$API_USER:$API_TOKEN\" https://api.example.com/ping",
    "curl --fail -H \"X-Api-Key: $API_KEY\" https://api.example.com/health",
    "wget -q https://example.com/file.tar.gz", "http GET https://api.example.com/health",
    "PGPASSWORD=$DB_PASSWORD psql -h localhost -U app -c 'select 1'",
    # -- keys and certificates, made or used ------------------------------------------------
    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519_work -N ''",
    "ssh-keygen -y -f ~/.ssh/id_ed25519",
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout /tmp/dev-key.pem -out /tmp/dev-cert.pem -days 1 -subj /CN=x",
    "ssh -i ~/.ssh/id_ed25519 deploy@host uptime", "ssh-add ~/.ssh/id_ed25519",
    "scp -i ~/.ssh/id_ed25519 README.md host:/tmp/",
]


@pytest.mark.parametrize("command", EVERYDAY, ids=[c[:60] for c in EVERYDAY])
def test_everyday(world: dict, command: str) -> None:
    decision = analyze_command(command, world["proj"], env_for(world))
    assert decision.decision == "allow", decision.reason


def test_the_table_is_large() -> None:
    assert len(EVERYDAY) >= 150 and len(set(EVERYDAY)) == len(EVERYDAY)
