"""What the CLI tells a person while it works: a live display of the running phases and --verbose timings.

``run_reporter(quiet, verbose)`` is the progress reporter (scc.progress.Progress) one command passes down:
a rich live display on stderr when stderr is a terminal and --quiet is not given, plus the per-phase
timings --verbose prints at the end. Each command builds its own; nothing here outlives a run.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from scc.progress import Phase, Progress

__all__ = ["PhaseTimings", "TerminalProgress", "run_reporter"]


class _Phases:
    """Several reporters' handles of one phase, ended together."""

    def __init__(self, handles: list[Phase]) -> None:
        self._handles = handles

    def done(self) -> None:
        for handle in self._handles:
            handle.done()


class _Broadcast:
    """A reporter that passes every phase on to each of several reporters."""

    def __init__(self, reporters: list[Progress]) -> None:
        self._reporters = reporters

    def begin(self, label: str) -> Phase:
        return _Phases([r.begin(label) for r in self._reporters])


class _TimedPhase:
    def __init__(self, timings: PhaseTimings, label: str) -> None:
        self._timings, self._label, self._start = timings, label, time.perf_counter()
        self._ended = False

    def done(self) -> None:
        if not self._ended:
            self._ended = True
            self._timings.record(self._label, time.perf_counter() - self._start)


class PhaseTimings:
    """Records how long each phase took, in the order they ended (--verbose)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()      # a worker's phase ends on the executor's thread
        self.entries: list[tuple[str, float]] = []

    def begin(self, label: str) -> Phase:
        return _TimedPhase(self, label)

    def record(self, label: str, seconds: float) -> None:
        with self._lock:
            self.entries.append((label, seconds))

    def lines(self) -> list[str]:
        """One "time: LABEL: 1.23 s" line per phase."""
        with self._lock:
            return [f"time: {label}: {seconds:.2f} s" for label, seconds in self.entries]


class _DisplayPhase:
    def __init__(self, display: Any, task: Any) -> None:
        self._display, self._task = display, task
        self._ended = False

    def done(self) -> None:
        if not self._ended:
            self._ended = True
            self._display.remove_task(self._task)


class TerminalProgress:
    """A live rich display on ``stream`` of every running phase, each with a spinner and its elapsed time."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import Progress as RichProgress
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=stream, force_terminal=True, highlight=False)
        self._display = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     console=console, transient=True)

    def begin(self, label: str) -> Phase:
        return _DisplayPhase(self._display, self._display.add_task(label, total=None))

    def start(self) -> None:
        self._display.start()

    def stop(self) -> None:
        self._display.stop()


class RunReporter:
    """The reporter of one command: the terminal display (when shown) and the timings (when --verbose)."""

    def __init__(self, display: TerminalProgress | None, timings: PhaseTimings | None) -> None:
        self.display, self.timings = display, timings
        reporters: list[Progress] = [r for r in (display, timings) if r is not None]
        self._broadcast = _Broadcast(reporters)

    def begin(self, label: str) -> Phase:
        return self._broadcast.begin(label)

    def say_timings(self) -> None:
        """Print the --verbose timings on stderr (nothing without --verbose)."""
        for line in self.timings.lines() if self.timings else []:
            click.echo(line, err=True)


@contextmanager
def run_reporter(quiet: bool = False, verbose: bool = False, stream: IO[str] | None = None) -> Iterator[RunReporter]:
    """The reporter for one command; the live display runs (on a terminal, without --quiet) inside the block."""
    stream = stream if stream is not None else sys.stderr
    shown = not quiet and _is_terminal(stream)
    display = TerminalProgress(stream) if shown else None
    reporter = RunReporter(display, PhaseTimings() if verbose and not quiet else None)
    if display is not None:
        display.start()
    try:
        yield reporter
    finally:
        if display is not None:
            display.stop()


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False
