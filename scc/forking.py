"""Work shared with worker processes: what the package's writers (scc.package_render), the engine's checks and the
facts boundary's census of strings (``forked_map``: scc.engine.evaluate, scc.facts.safety) have in common.

Workers are forked when this process runs no other thread, so they inherit what they work on and nothing
is pickled but their results; with another thread alive (a live progress display) forking could deadlock
the child, so ``forked_map`` then does the work here and package_render starts its workers from a fork
server. A worker ignores Ctrl-C (the parent stops it), ends with its parent (Linux), and hands every
result back through a pipe, read on a thread of the parent as soon as it is sent.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess

__all__ = ["PARALLEL_SIZE", "fork_workers", "forked_map", "forward", "frozen_for_fork", "sendable", "start_worker", "stop", "take", "worker_context"]

T = TypeVar("T")
#: components + findings from which sharing their work with a worker process pays for forking one
PARALLEL_SIZE = 5000
_PR_SET_PDEATHSIG = 1


def take(counter: Any) -> int:
    """The next index a shared counter hands out."""
    with counter.get_lock():
        index: int = counter.value
        counter.value = index + 1
    return index


def sendable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a RuntimeError saying what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001  # whatever stops it pickling: sent as text
        return RuntimeError(f"{type(exc).__name__}: {exc}")


@contextmanager
def frozen_for_fork(forked: bool) -> Iterator[None]:
    """With forked workers: move every object into the collector's permanent generation while the workers
    run, so no collection (here or in a child) walks what they share, and the children's pages stay shared."""
    if not forked:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_worker(cwd: str) -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers), SIGTERM ends the worker
    whatever handler a forked parent had, and relative paths (an --templates folder) mean what they mean in
    the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _end_with_parent()
    os.chdir(cwd)


def _end_with_parent() -> None:
    """Linux: SIGTERM this worker when its parent ends, even by SIGKILL (prctl PR_SET_PDEATHSIG), so no
    orphan keeps working, or blocks forever sending a result nobody reads."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def worker_context() -> tuple[BaseContext, bool]:
    """The start method for workers, and whether it forks this process (nothing pickled)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork"), True
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn"), False


def stop(processes: list[BaseProcess]) -> None:
    """Terminate the workers still running."""
    for process in processes:
        if process.is_alive():
            process.terminate()


def fork_workers(context: BaseContext, count: int, target: Callable[..., None],
                 args_of: Callable[[int, Connection], tuple[Any, ...]], inbox: queue.Queue[tuple[str, Any]],
                 last: tuple[str, ...] = ("finished",)) -> list[BaseProcess]:
    """Start ``count`` daemon workers, worker ``n`` running ``target(*args_of(n, pipe))`` with the sending end of
    its own pipe, and one thread per worker moving its messages to ``inbox`` (:func:`forward` until ``last``).
    The threads start only once every worker is forked: a fork never copies a lock a thread holds."""
    processes: list[BaseProcess] = []
    pipes: list[Connection] = []
    try:
        for number in range(count):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=target, args=args_of(number, send),  # type: ignore[attr-defined]
                                      daemon=True)
            process.start()
            send.close()
            processes.append(process)
            pipes.append(receive)
    except BaseException:
        stop(processes)
        raise
    for pipe in pipes:
        threading.Thread(target=forward, args=(pipe, inbox, last), daemon=True).start()
    return processes


def forked_map(compute: Callable[[int], T], count: int, *, jobs: int) -> list[T]:
    """``[compute(0), ..., compute(count - 1)]``, shared with up to ``jobs - 1`` forked workers.

    This process and each worker take the next index from one counter, so the work divides itself however
    uneven it is. ``compute`` must be a pure function of what the workers inherit and give picklable
    results. Without a worker to share with (``jobs`` 1, one item, no fork start method, or another thread
    alive) everything is computed here. An exception is raised as the serial loop would raise it: the
    first in index order (every index before it was computed without one).
    """
    from scc.interrupts import signals_as_exceptions

    workers = min(max(jobs, 1), count) - 1
    context, forked = worker_context()
    if workers < 1 or not forked:
        return [compute(index) for index in range(count)]
    counter = context.Value("i", 0)
    results: dict[int, tuple[bool, Any]] = {}
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    processes: list[BaseProcess] = []
    cwd = os.getcwd()
    with signals_as_exceptions(), frozen_for_fork(True):
        try:
            processes = fork_workers(context, workers, _map_worker,
                                     lambda _, pipe: (compute, count, counter, pipe, cwd), inbox)
            while (index := take(counter)) < count:
                results[index] = _attempt(compute, index)
            finished = 0
            while finished < len(processes):
                kind, payload = inbox.get()
                if kind == "result":
                    results[payload[0]] = payload[1]
                elif kind == "finished":
                    finished += 1
                else:
                    raise RuntimeError(f"a worker process ended unexpectedly ({payload})")
        except BaseException:
            stop(processes)
            raise
        finally:
            for process in processes:
                process.join()
    return [_value(results[index]) for index in range(count)]


def _attempt(compute: Callable[[int], T], index: int) -> tuple[bool, Any]:
    try:
        return True, compute(index)
    except Exception as exc:  # noqa: BLE001  # raised again in index order by forked_map
        return False, exc


def _value(result: tuple[bool, Any]) -> Any:
    ok, value = result
    if not ok:
        raise value
    return value


def _map_worker(compute: Callable[[int], Any], count: int, counter: Any, pipe: Connection, cwd: str) -> None:
    """In a worker process: compute every index the counter hands out and send each result back."""
    start_worker(cwd)
    try:
        while (index := take(counter)) < count:
            ok, value = _attempt(compute, index)
            pipe.send(("result", (index, (ok, value if ok else sendable(value)))))
        pipe.send(("finished", None))
    finally:
        pipe.close()


def forward(pipe: Connection, inbox: queue.Queue[tuple[str, Any]], last: tuple[str, ...] = ("finished",)) -> None:
    """On a thread of the parent: move one worker's messages from its pipe to ``inbox`` until one of the kinds
    ``last`` (or ("lost", why) when the pipe breaks first)."""
    try:
        while True:
            message = pipe.recv()
            inbox.put(message)
            if message[0] in last:
                return
    except (EOFError, OSError) as exc:
        inbox.put(("lost", type(exc).__name__))
    finally:
        pipe.close()
