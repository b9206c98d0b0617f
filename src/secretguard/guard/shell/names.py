"""Names that mean secrets: environment variables, and sample credential file names for globs."""

from __future__ import annotations

import re

# A variable whose name has one of these words (split on "_") holds a secret.
_SECRET_WORDS = {
    "SECRET", "SECRETS", "TOKEN", "TOKENS", "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PASSPHRASE",
    "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS", "PRIVATEKEY", "AUTHTOKEN", "ACCESSKEY", "SECRETKEY",
    "DSN", "PAT", "COOKIE", "SESSIONID",
}
_SECRET_PARTS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY", "CREDENTIAL")
# ...or KEY right after one of these.
_KEY_QUALIFIERS = {
    "API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "MASTER", "ENCRYPTION", "ENCRYPT", "SESSION", "CLIENT",
    "AUTH", "APP", "LICENSE", "ACCOUNT", "SERVICE", "WEBHOOK", "SSH", "GPG", "PGP", "DEPLOY", "JWT", "HMAC",
    "SHARED", "STORAGE", "ADMIN", "MASTERKEY", "CRYPTO", "SEALING", "UNSEAL", "ROOT",
}
# Connection strings usually carry a password.
_URL_NAME_RE = (
    r"(?:^|_)(?:DATABASE|DB|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|MONGO|MONGODB|REDIS|AMQP|RABBITMQ|"
    r"CELERY_BROKER|BROKER|ELASTICSEARCH|CLICKHOUSE|SQLALCHEMY_DATABASE)_(?:URL|URI)$|"
    r"(?:^|_)(?:CONNECTION_STRING|CONN_STR|CONNSTR)$")
_URL_SUFFIXES = ("_URL", "_URI", "STRING", "_STR", "CONNSTR")
_NOT_SECRET = {"PWD", "OLDPWD", "HISTFILE", "SSH_AUTH_SOCK", "GPG_TTY", "GIT_ASKPASS", "SSH_ASKPASS",
               "SUDO_ASKPASS", "TOKENIZERS_PARALLELISM", "PASSWORD_STORE_DIR"}


def is_secret_var(name: str) -> bool:
    """Does this environment variable name say it holds a secret?"""
    up = name.upper()
    if up in _NOT_SECRET:
        return False
    words = [w for w in up.split("_") if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    if any(sub in w for w in words for sub in _SECRET_PARTS):  # PGPASSWORD, NPMTOKEN
        return True
    if "PWD" in words[1:]:  # MYSQL_PWD, DB_PWD
        return True
    for i, w in enumerate(words):
        if w == "KEY" and i > 0 and words[i - 1] in _KEY_QUALIFIERS:
            return True
        if w.endswith("KEY") and w[:-3] in _KEY_QUALIFIERS:
            return True
    return up.endswith(_URL_SUFFIXES) and re.search(_URL_NAME_RE, up) is not None


# Names of credential files, to test a glob against when it is run (`cat .en*`, `cat id_*`).
SAMPLE_CREDENTIAL_NAMES = (
    ".env", ".env.local", ".env.production", ".env.development", "prod.env", ".envrc",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "server.pem", "server.key", "tls.key", "cert.p12", "cert.pfx",
    ".netrc", "_netrc", ".pgpass", ".npmrc", ".pypirc", ".git-credentials", ".my.cnf", ".vault-token",
    "terraform.tfstate", "terraform.tfstate.backup", ".htpasswd", "keystore.jks", "release.keystore",
    "credentials", "kubeconfig", "secrets.kdbx",
)

URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
