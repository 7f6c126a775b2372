"""Where the shipped data lives: the rule packs and templates (top-level in a checkout, scc/_packs in a wheel)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def pack_dir(name: str) -> Path:
    """The directory of a shipped pack: 'controls', 'stig', 'frameworks' or 'templates'."""
    installed = _PACKAGE / "_packs" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"scc installation is missing its {name}/ directory (looked in {installed})")
