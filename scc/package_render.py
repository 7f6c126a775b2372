"""Rendering a package's outputs: in this process, or divided among worker processes.

Writers are independent (each reads only the frozen Report), so with ``jobs > 1`` they are split into
groups by their rough cost (``Writer.cost``; the PDF layout outweighs everything else) and every group
but one goes to a worker process of a ``concurrent.futures.ProcessPoolExecutor`` while this process
renders the remaining one. The Report travels to a worker by pickle. The bytes do not depend on where
a writer ran: each writer is a function of the Report alone, so a parallel package is byte for byte
the serial one.

A worker process costs start-up time and a copy of the report, so the work is only divided when what
would move to other processes is worth it (``PROCESS_WORTH`` cost units, i.e. when the PDF is among
the chosen outputs); cheap writers always render here. Processes are forked when this process runs
no other thread (fast, nothing to re-import), else started from a fork server (forking a process with
threads, such as a live progress display, can deadlock the child).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from scc.errors import OutputError
from scc.progress import NO_PROGRESS, Progress, phase

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from scc.report import Report
    from scc.writers.interface import Writer

__all__ = ["PROCESS_WORTH", "Rendered", "plan_groups", "render_outputs", "render_writer"]

#: the least cost (Writer.cost units; a cheap writer is 1) worth moving to another process
PROCESS_WORTH = 10

_PR_SET_PDEATHSIG = 1

#: one rendered file: (file name, bytes, media type)
Rendered = tuple[str, bytes, str]


def render_writer(writer: Writer, report: Report) -> list[Rendered]:
    """The files one writer produces: its document, then one per extra benchmark (``render_extra``)."""
    files = [(writer.filename, writer.render(report), writer.media_type)]
    render_extra = getattr(writer, "render_extra", None)
    if callable(render_extra):
        files += [(name, data, writer.media_type) for name, data in render_extra(report).items()]
    return files


def plan_groups(writers: Sequence[Writer], jobs: int) -> list[tuple[Writer, ...]]:
    """``writers`` divided into at most ``jobs`` groups, the first rendered here, the rest in workers.

    Longest first onto the least loaded group (the classic LPT schedule); this process keeps the
    lightest group and every group too light (under PROCESS_WORTH) to pay for a process of its own, in
    package order. One group (serial) when ``jobs`` is 1 or no group is worth a process.
    """
    count = min(max(jobs, 1), len(writers))
    if count <= 1:
        return [tuple(writers)]
    groups: list[list[Writer]] = [[] for _ in range(count)]
    loads = [0] * count
    for writer in sorted(writers, key=lambda w: -w.cost):     # stable: package order among equals
        least = loads.index(min(loads))
        groups[least].append(writer)
        loads[least] += writer.cost
    kept = loads.index(min(loads))
    here = [w for i in range(count) if i == kept or loads[i] < PROCESS_WORTH for w in groups[i]]
    away = [tuple(groups[i]) for i in range(count) if i != kept and loads[i] >= PROCESS_WORTH]
    return [tuple(w for w in writers if w in here), *away]


def render_outputs(report: Report, writers: Sequence[Writer], *, jobs: int = 1,
                   progress: Progress = NO_PROGRESS) -> dict[str, tuple[bytes, str]]:
    """file name -> (bytes, media type) for every file of ``writers``, in their order, using up to ``jobs``
    processes (this one included)."""
    groups = plan_groups(writers, jobs)
    rendered: dict[str, list[Rendered]] = {}
    if len(groups) == 1:
        _render_here(groups[0], report, progress, rendered)
    else:
        _render_in_parallel(groups, report, progress, rendered)
    return {name: (data, media) for writer in writers for name, data, media in rendered[writer.name]}


def _render_here(writers: Sequence[Writer], report: Report, progress: Progress,
                 rendered: dict[str, list[Rendered]]) -> None:
    for writer in writers:
        with phase(progress, f"writing {writer.filename}"):
            rendered[writer.name] = render_writer(writer, report)


def _render_in_parallel(groups: list[tuple[Writer, ...]], report: Report, progress: Progress,
                        rendered: dict[str, list[Rendered]]) -> None:
    from scc.interrupts import signals_as_exceptions

    with signals_as_exceptions():    # SIGTERM/SIGHUP raise here, so the workers are stopped before scc ends
        pool = ProcessPoolExecutor(max_workers=len(groups) - 1, mp_context=_context(),
                                   initializer=_start_worker, initargs=(os.getcwd(),))
        try:
            pending = [(group, _submit(pool, group, report, progress)) for group in groups[1:]]
            _render_here(groups[0], report, progress, rendered)
            for group, future in pending:
                rendered.update(zip((w.name for w in group), future.result()))
        except BrokenProcessPool as exc:
            raise OutputError(f"a worker process rendering the package ended unexpectedly ({exc}); "
                              "try --jobs 1") from exc
        except BaseException:
            _stop_workers(pool)   # Ctrl-C, SIGTERM or a writer's error: no worker keeps rendering
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, group: tuple[Writer, ...], report: Report,
            progress: Progress) -> Future[list[list[Rendered]]]:
    handle = progress.begin(f"writing {', '.join(w.filename for w in group)} (worker process)")
    future = pool.submit(_render_group, report, group)
    future.add_done_callback(lambda _done: handle.done())
    return future


def _render_group(report: Report, writers: tuple[Writer, ...]) -> list[list[Rendered]]:
    """In a worker process: render ``writers`` (each pickled by reference to its class)."""
    return [render_writer(writer, report) for writer in writers]


def _start_worker(cwd: str) -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers), SIGTERM ends the worker
    whatever handler a forked parent had, and relative paths (an --templates folder) mean what they mean in
    the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent()
    os.chdir(cwd)


def _end_with_parent() -> None:
    """Linux: SIGTERM this worker when its parent ends, even by SIGKILL (prctl PR_SET_PDEATHSIG), so no
    orphan keeps rendering, or blocks forever sending a result nobody reads."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)     # Python 3.14
    if callable(terminate):
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
