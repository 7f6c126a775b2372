"""Progress reporting: the long phases of a run (reading an input, assessing, rendering each output).

The library never prints. Whoever wants to show progress passes a :class:`Progress` down the call
chain (``ReadContext.progress`` for readers, ``progress=`` to ``scc.assess`` and
``Assessment.write_package``); the default, :data:`NO_PROGRESS`, does nothing. The CLI passes one that
draws a live display on a terminal and records per-phase timings for ``--verbose`` (scc/cli/progress.py).

    with phase(progress, "rendering ssp.pdf"):
        data = writer.render(report)

A phase may also be ended from another thread (``begin`` returns a handle whose ``done()`` ends it):
the package renderer ends the phases of outputs rendered in worker processes when their results arrive.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

__all__ = ["NO_PROGRESS", "NoProgress", "Phase", "Progress", "phase", "size_label"]


class Phase(Protocol):
    """One running phase; ``done()`` ends it (once)."""

    def done(self) -> None:
        """End the phase (a second call does nothing)."""


class Progress(Protocol):
    """Receives the start of each long phase of a run; ``label`` is one line a person reads."""

    def begin(self, label: str) -> Phase:
        """A phase called ``label`` starts now; the handle returned ends it."""


class _NoPhase:
    def done(self) -> None:
        return None


class NoProgress:
    """The default reporter: every phase is ignored."""

    def begin(self, label: str) -> Phase:
        """Nothing is reported; the handle's ``done()`` does nothing."""
        return _NO_PHASE


_NO_PHASE = _NoPhase()
NO_PROGRESS: Progress = NoProgress()


@contextmanager
def phase(progress: Progress, label: str) -> Iterator[None]:
    """Report ``label`` as running for the duration of the block (ended even when the block raises)."""
    handle = progress.begin(label)
    try:
        yield
    finally:
        handle.done()


def size_label(size: int) -> str:
    """A file size the way a person reads it in a progress line: 812 B, 14 kB, 3.2 MB, 1.4 GB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"
