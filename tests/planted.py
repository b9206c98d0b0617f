"""Planted secrets, generated at run time so the repository itself holds none."""

from __future__ import annotations

import base64
import secrets
import string
import zlib

from secretguard.scan.validators import _base62

ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def github_token() -> str:
    body = rand(30)
    return "ghp_" + body + _base62(zlib.crc32(body.encode()), 6)


def aws_key_id() -> str:
    return "AKIA" + rand(16, string.ascii_uppercase + "234567")


def private_key_block(kind: str = "RSA") -> str:
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    label = f"{kind} PRIVATE KEY" if kind else "PRIVATE KEY"
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def openssh_key() -> str:
    body = base64.b64encode(b"openssh-key-v1\0" + secrets.token_bytes(300)).decode()
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n"


def password() -> str:
    return rand(20)
