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


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    size = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + size + body


def _der_int(value: bytes) -> bytes:
    value = value.lstrip(b"\0") or b"\0"
    return _der(0x02, (b"\0" + value) if value[0] & 0x80 else value)


def pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def ec_private_key() -> str:
    """A SEC1 EC private key (P-256) whose DER parses: random scalar and point, as `openssl ecparam` writes."""
    oid = bytes.fromhex("06082a8648ce3d030107")
    der = _der(0x30, _der_int(b"\1") + _der(0x04, secrets.token_bytes(32)) + _der(0xA0, oid)
               + _der(0xA1, _der(0x03, b"\0\4" + secrets.token_bytes(64))))
    return pem("EC PRIVATE KEY", der)


def rsa_private_key(bits: int = 2048) -> str:
    """A PKCS#1 RSA private key whose DER parses (random numbers of the right sizes)."""
    n = bits // 8
    parts = [b"\0", secrets.token_bytes(n), b"\1\0\1", secrets.token_bytes(n)] + \
        [secrets.token_bytes(n // 2) for _ in range(5)]
    return pem("RSA PRIVATE KEY", _der(0x30, b"".join(_der_int(p) for p in parts)))


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def openssh_key() -> str:
    """An unencrypted ed25519 key in openssh-key-v1 format whose fields parse (random key material)."""
    public = secrets.token_bytes(32)
    public_blob = _ssh_string(b"ssh-ed25519") + _ssh_string(public)
    check = secrets.token_bytes(4)
    private = check + check + _ssh_string(b"ssh-ed25519") + _ssh_string(public) \
        + _ssh_string(secrets.token_bytes(32) + public) + _ssh_string(b"user@host")
    private += bytes(range(1, 1 + (-len(private) % 8)))
    data = b"openssh-key-v1\0" + _ssh_string(b"none") + _ssh_string(b"none") + _ssh_string(b"") \
        + (1).to_bytes(4, "big") + _ssh_string(public_blob) + _ssh_string(private)
    body = base64.b64encode(data).decode()
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n"


def password() -> str:
    return rand(20)
