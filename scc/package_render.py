"""Rendering a package's outputs: in this process, or shared with worker processes.

Writers are independent (each reads only the frozen Report), so with ``jobs > 1`` they are rendered by
this process and up to ``jobs - 1`` workers at once. The writers are taken most costly first
(``Writer.cost``; the PDF layout outweighs everything else) from one shared counter: each worker starts
with one of the costliest, this process with the next, and whoever finishes takes the next writer left,
so the work divides itself whatever the outputs' sizes turn out to be. The bytes do not depend on where
a writer ran: each writer is a function of the Report alone, so a parallel package is byte for byte the
serial one. Every file is handed on (``iter_rendered``) as soon as it is rendered, so the caller can
write it and let it go instead of holding every output at once.

Workers are forked when this process runs no other thread: the child inherits the Report, so nothing
is pickled, and the cyclic collector's generations are frozen for the fork (gc.freeze), so neither
process walks (and the child does not copy) the Report's objects while collecting. With another thread
alive (a live progress display) forking could deadlock the child, so workers are started from a fork
server and receive the Report by pickle. Each worker sends its files back through a pipe as it renders
them. Work is only shared when it is worth a process (``PROCESS_WORTH``: a costly writer such as the
PDF, or a report large enough that the per-finding writers take seconds); cheap writers of a small
report render here.
"""
from __future__ import annotations

import os
import queue
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from scc.errors import OutputError
from scc.forking import fork_workers, frozen_for_fork, sendable, start_worker, stop, take, worker_context
from scc.progress import NO_PROGRESS, Progress, phase

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from scc.report import Report
    from scc.writers.interface import Writer

__all__ = ["PROCESS_WORTH", "Rendered", "iter_rendered", "render_order", "render_outputs", "render_writer",
           "worth_a_process"]

#: the least cost (Writer.cost units; a cheap writer is 1) worth moving to another process
PROCESS_WORTH = 10
#: findings and components from which the per-finding writers together are worth a process of their own
LARGE_REPORT = 5000

#: one rendered file: (file name, bytes, media type)
Rendered = tuple[str, bytes, str]


def render_writer(writer: Writer, report: Report) -> list[Rendered]:
    """The files one writer produces: its document, then one per extra benchmark (``render_extra``)."""
    files = [(writer.filename, writer.render(report), writer.media_type)]
    render_extra = getattr(writer, "render_extra", None)
    if callable(render_extra):
        files += [(name, data, writer.media_type) for name, data in render_extra(report).items()]
    return files


def render_order(writers: Sequence[Writer]) -> list[Writer]:
    """The order writers are taken in: most costly first (package order among equals)."""
    return sorted(writers, key=lambda w: -w.cost)


def worth_a_process(writers: Sequence[Writer], report: Report) -> bool:
    """Whether sharing ``writers`` with a worker process pays for starting one."""
    if any(w.cost >= PROCESS_WORTH for w in writers):
        return True
    size = len(report.facts.findings) + len(report.facts.components)
    return size >= LARGE_REPORT and sum(w.cost for w in writers) >= PROCESS_WORTH


def render_outputs(report: Report, writers: Sequence[Writer], *, jobs: int = 1,
                   progress: Progress = NO_PROGRESS) -> dict[str, tuple[bytes, str]]:
    """file name -> (bytes, media type) for every file of ``writers``, in their order, using up to ``jobs``
    processes (this one included)."""
    rendered: dict[str, list[Rendered]] = {}
    for name, files in _iter_by_writer(report, writers, jobs, progress):
        rendered[name] = files
    return {name: (data, media) for writer in writers for name, data, media in rendered[writer.name]}


def iter_rendered(report: Report, writers: Sequence[Writer], *, jobs: int = 1,
                  progress: Progress = NO_PROGRESS) -> Generator[Rendered, None, None]:
    """Every file of ``writers``, each as soon as it is rendered (in no fixed order), using up to ``jobs``
    processes (this one included). Leaving the iteration early stops the workers."""
    for _name, files in _iter_by_writer(report, writers, jobs, progress):
        yield from files


def _iter_by_writer(report: Report, writers: Sequence[Writer], jobs: int,
                    progress: Progress) -> Iterator[tuple[str, list[Rendered]]]:
    workers = min(max(jobs, 1), len(writers)) - 1
    if workers < 1 or not worth_a_process(writers, report):
        for writer in writers:
            with phase(progress, f"writing {writer.filename}"):
                yield writer.name, render_writer(writer, report)
        return
    yield from _SharedRendering(report, render_order(writers), workers, progress).run()


class _SharedRendering:
    """One package's writers shared between this process and ``workers`` worker processes."""

    def __init__(self, report: Report, ordered: list[Writer], workers: int, progress: Progress) -> None:
        self.report, self.ordered, self.workers, self.progress = report, ordered, workers, progress
        self.handles: dict[int, Any] = {}

    def run(self) -> Iterator[tuple[str, list[Rendered]]]:
        from scc.interrupts import signals_as_exceptions

        context, forked = worker_context()
        counter = context.Value("i", self.workers)     # the next writer to take; each worker holds one already
        processes: list[BaseProcess] = []
        inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        cwd = os.getcwd()
        with signals_as_exceptions(), frozen_for_fork(forked):
            try:
                for first in range(self.workers):
                    self._begin(first, "worker process")
                # worker n starts with writer n; a thread per worker takes its files off the pipe at once, so
                # a worker never waits for this process to finish a writer before taking the next
                processes = fork_workers(context, self.workers, _worker,
                                         lambda first, pipe: (self.report, self.ordered, first, counter, pipe, cwd),
                                         inbox, ("finished", "failed"))
                running = len(processes)
                while (index := take(counter)) < len(self.ordered):
                    writer = self.ordered[index]
                    self._begin(index)
                    files = render_writer(writer, self.report)
                    self._end(index)
                    yield writer.name, files
                    while not inbox.empty():     # what the workers finished meanwhile
                        running -= yield from self._handle(inbox.get())
                while running:
                    running -= yield from self._handle(inbox.get())
            except BaseException:
                stop(processes)   # Ctrl-C, SIGTERM or a writer's error: no worker keeps rendering
                raise
            finally:
                for process in processes:
                    process.join()
                for handle in self.handles.values():
                    handle.done()

    def _begin(self, index: int, where: str = "") -> None:
        label = f"writing {self.ordered[index].filename}" + (f" ({where})" if where else "")
        self.handles[index] = self.progress.begin(label)

    def _end(self, index: int) -> None:
        handle = self.handles.pop(index, None)
        if handle is not None:
            handle.done()

    def _handle(self, message: tuple[str, Any]) -> Generator[tuple[str, list[Rendered]], None, int]:
        """Act on one worker message; returns 1 when that worker has finished."""
        kind, payload = message
        if kind == "started":
            self._begin(payload, "worker process")
        elif kind == "rendered":
            index, files = payload
            self._end(index)
            yield self.ordered[index].name, files
        elif kind == "failed":
            raise payload
        elif kind == "lost":
            raise OutputError(f"a worker process rendering the package ended unexpectedly ({payload}); "
                              "try --jobs 1")
        return 1 if kind == "finished" else 0


def _worker(report: Report, ordered: list[Writer], first: int, counter: Any, pipe: Connection, cwd: str) -> None:
    """In a worker process: render ``ordered[first]``, then every writer the counter still hands out."""
    start_worker(cwd)
    index = first
    try:
        while index < len(ordered):
            if index != first:
                pipe.send(("started", index))
            pipe.send(("rendered", (index, render_writer(ordered[index], report))))
            index = take(counter)
        pipe.send(("finished", None))
    except Exception as exc:  # noqa: BLE001  # any writer error is re-raised by the parent as itself
        pipe.send(("failed", sendable(exc)))
    finally:
        pipe.close()

