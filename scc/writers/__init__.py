"""Output writers, discovered by module: every module here defining ``WRITER`` is one output format."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from scc.writers.interface import Writer

__all__ = ["Writer", "available_writers", "writer"]


@lru_cache(maxsize=1)
def available_writers() -> tuple[Writer, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "interface":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        candidate = getattr(module, "WRITER", None)
        if isinstance(candidate, Writer):
            found.append(candidate)
    return tuple(sorted(found, key=lambda w: (w.order, w.name)))


def writer(name: str) -> Writer:
    for candidate in available_writers():
        if candidate.name == name:
            return candidate
    raise KeyError(f"no writer named {name!r}")
