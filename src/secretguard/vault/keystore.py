"""The OS keyring, through the `keyring` package: where the long-lived credential and approvals live.

Backends that do not protect what they hold (keyring's `fail` and `null` backends, keyrings.alt's
plaintext files) are refused with a message naming the fix. keyring's backend discovery scans every
installed distribution's entry points (hundreds of ms on a full environment), so the name of the
backend it chose is cached and loaded directly next time; the cache holds a class name, nothing secret.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from secretguard.errors import SecretguardError
from secretguard.paths import cache_dir, ensure_private_dir


class KeyringError(SecretguardError):
    """No usable keyring backend, or the keyring refused an operation."""


_FIX = "run inside a desktop session, or install gnome-keyring and start it with dbus-run-session"


def _refusal(backend: Any) -> str | None:
    """Why this backend may not hold a credential, or None when it may."""
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__name__}"
    if cls.__module__.startswith("keyring.backends.chainer"):
        reasons = [r for r in (_refusal(b) for b in getattr(backend, "backends", [])) if r]
        if reasons or not getattr(backend, "backends", []):
            return reasons[0] if reasons else f"keyring backend {name!r} has no usable backend"
        return None
    if cls.__module__.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return f"no OS keyring available (keyring backend {cls.__module__.rsplit('.', 1)[-1]!r}); {_FIX}"
    if "plaintext" in name.lower() or (cls.__module__.startswith("keyrings.alt.file") and "Encrypted" not in name):
        return f"keyring backend {name!r} stores secrets in a plaintext file; refusing. {_FIX}"
    return None


def _cache_file() -> Any:
    return cache_dir() / "keyring-backend"


def _load_cached() -> Any | None:
    from keyring import core

    try:
        name = _cache_file().read_text(encoding="utf-8").strip()
        return core.load_keyring(name) if name else None
    except Exception:  # noqa: BLE001 - a stale or unreadable cache only means "discover again"
        return None


@functools.lru_cache(maxsize=1)
def get_backend() -> Any:
    """The keyring backend to use (chosen once per process); KeyringError when none is usable."""
    try:
        from keyring import core
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise KeyringError(f"the keyring package is not importable: {exc}") from None
    explicit = "PYTHON_KEYRING_BACKEND" in os.environ or core._config_path().exists()
    backend = None if explicit else _load_cached()
    if backend is None:
        try:
            backend = core.get_keyring()
        except Exception as exc:  # noqa: BLE001 - keyring raises many kinds on broken setups
            raise KeyringError(f"the OS keyring failed to load ({type(exc).__name__}: {exc}); {_FIX}") from None
        cls = type(backend)
        if not explicit and _refusal(backend) is None and not cls.__module__.startswith("keyring.backends.chainer"):
            try:
                ensure_private_dir(cache_dir())
                _cache_file().write_text(f"{cls.__module__}.{cls.__name__}\n", encoding="utf-8")
            except OSError:
                pass  # only a speed-up
    reason = _refusal(backend)
    if reason:
        raise KeyringError(reason)
    return backend


def backend_name() -> str:
    cls = type(get_backend())
    return f"{cls.__module__}.{cls.__name__}"


def get(service: str, key: str) -> str | None:
    backend = get_backend()
    try:
        return backend.get_password(service, key)
    except Exception as exc:  # noqa: BLE001
        raise KeyringError(f"cannot read from the OS keyring ({type(exc).__name__}: {exc}); {_FIX}") from None


def put(service: str, key: str, value: str) -> None:
    backend = get_backend()
    try:
        backend.set_password(service, key, value)
    except Exception as exc:  # noqa: BLE001
        raise KeyringError(f"cannot write to the OS keyring ({type(exc).__name__}: {exc}); {_FIX}") from None


def delete(service: str, key: str) -> bool:
    """Remove an entry; False when there was none."""
    backend = get_backend()
    from keyring.errors import PasswordDeleteError

    try:
        backend.delete_password(service, key)
    except PasswordDeleteError:
        return False
    except Exception as exc:  # noqa: BLE001
        raise KeyringError(f"cannot delete from the OS keyring ({type(exc).__name__}: {exc}); {_FIX}") from None
    return True


# The login credential: a Vault token (and how it was obtained), keyed by Vault address.
LOGIN_SERVICE = "secretguard-vault"


def save_login(key: str, token: str, method: str) -> None:
    import json

    put(LOGIN_SERVICE, key, json.dumps({"token": token, "method": method}))


def load_login(key: str) -> tuple[str, str] | None:
    """(token, method) kept for this Vault address, or None."""
    import json

    raw = get(LOGIN_SERVICE, key)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return str(data["token"]), str(data.get("method", "token"))
    except (ValueError, KeyError, TypeError):
        raise KeyringError(f"the keyring entry for {key} is unreadable; run `secretguard login` again") from None


def forget_login(key: str) -> bool:
    return delete(LOGIN_SERVICE, key)
