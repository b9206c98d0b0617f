"""Environment variables that carry credentials: what `exec` children and sealed sessions never inherit."""

from __future__ import annotations

import re

# Credentials commonly lying in a developer's environment: the child does not inherit them.
AMBIENT_CREDENTIALS = frozenset({
    "VAULT_TOKEN", "BAO_TOKEN", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_PROFILE",
    "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN",
    "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_SECRET", "GITHUB_TOKEN", "GH_TOKEN",
    "GITLAB_TOKEN", "CI_JOB_TOKEN", "NPM_TOKEN", "NODE_AUTH_TOKEN", "TWINE_PASSWORD", "PGPASSWORD",
    "MYSQL_PWD", "DOCKER_AUTH_CONFIG", "KUBECONFIG", "DATABASE_URL",
})
_CREDENTIAL_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL")


def is_ambient_credential(name: str) -> bool:
    upper = name.upper()
    return upper in AMBIENT_CREDENTIALS or bool(_CREDENTIAL_NAME.search(upper))
