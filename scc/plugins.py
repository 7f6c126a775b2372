"""Module discovery for the axes that grow one module at a time (readers, writers)."""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def discover(package: str, path: Iterable[str], attribute: str, kind: type[T]) -> list[T]:
    """The ``attribute`` of every public module in ``package`` that is an instance of ``kind``."""
    found = []
    for info in pkgutil.iter_modules(list(path)):
        if info.name.startswith("_"):
            continue
        candidate = getattr(importlib.import_module(f"{package}.{info.name}"), attribute, None)
        if isinstance(candidate, kind):
            found.append(candidate)
    return found
