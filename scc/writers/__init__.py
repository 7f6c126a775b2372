"""Output writers, discovered by module: every module here defining ``WRITER`` is one output format."""
from __future__ import annotations

from functools import lru_cache

from scc.plugins import discover
from scc.writers.interface import Writer

__all__ = ["Writer", "available_writers", "writer"]


@lru_cache(maxsize=1)
def available_writers() -> tuple[Writer, ...]:
    found = [w for w in discover(__name__, __path__, "WRITER", object) if isinstance(w, Writer)]
    return tuple(sorted(found, key=lambda w: (w.order, w.name)))


def writer(name: str) -> Writer:
    """The writer of that name (KeyError listing the names there are)."""
    for candidate in available_writers():
        if candidate.name == name:
            return candidate
    names = ", ".join(w.name for w in available_writers())
    raise KeyError(f"no writer named {name!r}; writers: {names}")
