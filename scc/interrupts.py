"""Signals while scc holds temporary files: cleaned up on SIGINT/SIGTERM/SIGHUP, never torn mid-swap.

    with cleanup_on_signals():       # SIGTERM/SIGHUP now raise SystemExit, SIGINT KeyboardInterrupt,
        try:                         # so every ``finally`` that removes a temp directory runs
            ...
            with signals_deferred():  # a step that must not be cut in two (two renames)
                ...
        finally:
            remove_temp_dir()

Only a signal whose handler is the default (which would end the process without any cleanup) is
given a raising handler; a handler someone else installed, or SIG_IGN, is left alone. Every handler
is restored on the way out.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_DEFERRED = (signal.SIGINT, *_TERMINATING)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into SystemExit(128+N) for the duration, so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be installed from the main thread; the caller's finally still runs
        return
    replaced = {}
    for signum in _TERMINATING:
        if signal.getsignal(signum) == signal.SIG_DFL:
            replaced[signum] = signal.signal(signum, _raise_exit)
    try:
        yield
    finally:
        for signum, previous in replaced.items():
            signal.signal(signum, previous)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block is done (they are delivered right after it)."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    previous = block(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)
