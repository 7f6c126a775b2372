"""Public keys the user supplied (--key) for verifying DSSE / cosign signatures offline."""
from __future__ import annotations

from pathlib import Path

from scc.errors import InputError

_KEYS: list[tuple[str, bytes]] = []


def configure_verification_keys(paths: list[Path]) -> None:
    """Replace the configured keys with the PEM files at ``paths`` (each read and checked now)."""
    loaded = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read public key: {exc.strerror}") from exc
        if b"-----BEGIN" not in data:
            raise InputError(path, "not a PEM public key")
        loaded.append((str(path), data))
    _KEYS[:] = loaded


def verification_keys() -> list[tuple[str, bytes]]:
    """(path, PEM bytes) of every configured key."""
    return list(_KEYS)
