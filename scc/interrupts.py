"""Termination signals as exceptions while scc holds temporary files.

Readers that inflate an archive (scc.facts.image.image_archive) or copy a database out of an image
(scc.facts.image.rpmdb), and the package writer's staging directory (scc.package_dir), remove what they
wrote in ``finally`` blocks. Ctrl-C already raises
KeyboardInterrupt, which runs them; SIGTERM and SIGHUP by default end the process at once and
would strand the files. Inside ``signals_as_exceptions()`` they raise ``Terminated`` instead.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_CAUGHT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(BaseException):
    """A termination signal arrived while scc held temporary files (raised by its handler)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise ``Terminated`` so ``finally`` blocks remove temp files.

    On the way out the previous handlers are restored; if a signal arrived it is delivered again
    to them (by default the process then ends by that signal, as it would have). Signals the
    process ignores stay ignored, and off the main thread (where Python cannot install handlers)
    nothing changes. Ctrl-C needs nothing here: it already raises KeyboardInterrupt.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    try:
        for signum in _CAUGHT_SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, handler)
        yield
    except Terminated as exc:
        _restore(previous)
        previous = {}
        signal.raise_signal(exc.signum)       # the previous handler decides (default: end the process)
        raise SystemExit(128 + exc.signum) from None
    finally:
        _restore(previous)


def _restore(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # type: ignore[arg-type]
