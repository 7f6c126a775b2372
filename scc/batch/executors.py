"""Where the images of a batch run: in this process, in local processes, or on Dask workers.

Every executor runs ``scc.batch.image.run_image`` for each job and hands each outcome to ``on_outcome``
as it arrives; the result is in job order whatever the order of completion, so the summary never depends
on scheduling. The shared assets (rule packs, parsed official content) reach each worker once: as the
process pool's initializer argument, or scattered to every Dask worker with ``broadcast=True``.
"""
from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from typing import Any

from scc.batch.image import ImageJob, ImageOutcome, ImageStatus, SharedAssets, run_image
from scc.errors import SccError

EXECUTORS = ("processes", "dask")
DASK_MISSING = ("--executor dask needs dask.distributed, which is not installed: "
                "pip install 'scc[batch]' (or pip install 'dask[distributed]')")

# A Dask worker samples its task thread's stack every 10 ms and keeps each second's call tree (the last 1000
# seconds, twice): WeasyPrint's deep, varied stacks made that ~7 MiB per image with the PDF. The trees feed only
# the dashboard, which a batch's LocalCluster does not start; workers the batch started never keep them.
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}

OutcomeCallback = Callable[[ImageOutcome], None]


class ExecutorError(SccError):
    """An executor that cannot start: dask not installed, a scheduler that does not answer."""


def run_jobs(jobs: Sequence[ImageJob], shared: SharedAssets, *, workers: int = 1, executor: str = "processes",
             scheduler: str | None = None, on_outcome: OutcomeCallback | None = None) -> list[ImageOutcome]:
    """Run every job; ``workers`` local processes (1: this process) or Dask workers. Outcomes in job order."""
    report = on_outcome or (lambda _outcome: None)
    if executor == "dask":
        return _run_dask(jobs, shared, workers, scheduler, report)
    if executor != "processes":
        raise ExecutorError(f"unknown executor {executor!r} (known: {', '.join(EXECUTORS)})")
    if scheduler is not None:
        raise ExecutorError("--scheduler needs --executor dask")
    if workers <= 1 or len(jobs) <= 1:
        return _run_here(jobs, shared, report)
    return _run_processes(jobs, shared, workers, report)


def _run_here(jobs: Sequence[ImageJob], shared: SharedAssets, report: OutcomeCallback) -> list[ImageOutcome]:
    outcomes = []
    for job in jobs:
        outcomes.append(run_image(job, shared))
        report(outcomes[-1])
    return outcomes


# -- local processes -------------------------------------------------------------------------------------
class _WorkerAssets:
    """The shared assets inside one pool worker process, set once by the pool's initializer.

    This is the one piece of process-wide state in scc.batch, and it only ever exists in worker processes
    the batch started (never in the caller's process): the price of sending the assets once per worker.
    """

    assets: SharedAssets | None = None


def _receive_assets(shared: SharedAssets) -> None:
    _WorkerAssets.assets = shared


def _run_received(job: ImageJob) -> ImageOutcome:
    shared = _WorkerAssets.assets
    if shared is None:   # pragma: no cover - the initializer always ran first
        raise RuntimeError("batch worker started without its shared assets")
    return run_image(job, shared)


def _run_processes(jobs: Sequence[ImageJob], shared: SharedAssets, workers: int,
                   report: OutcomeCallback) -> list[ImageOutcome]:
    context = multiprocessing.get_context("spawn")   # no fork of a caller's threads (notebooks, servers)
    results: dict[int, ImageOutcome] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                             initializer=_receive_assets, initargs=(shared,)) as pool:
        futures = {pool.submit(_run_received, job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = _result(future, jobs[index])
            report(results[index])
    return [results[index] for index in range(len(jobs))]


def _result(future: Any, job: ImageJob) -> ImageOutcome:
    """The outcome, or an internal error when the worker itself was lost (killed, out of memory)."""
    try:
        outcome: ImageOutcome = future.result()
    except Exception as exc:  # noqa: BLE001 - a lost worker fails its image, not the batch
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
        return ImageOutcome(name=job.entry.name, folder=job.entry.folder, status=ImageStatus.INTERNAL,
                            error=f"internal error: the worker running this image was lost ({text})")
    return outcome


# -- Dask ------------------------------------------------------------------------------------------------
def _run_dask(jobs: Sequence[ImageJob], shared: SharedAssets, workers: int, scheduler: str | None,
              report: OutcomeCallback) -> list[ImageOutcome]:
    try:
        distributed: Any = importlib.import_module("dask.distributed")   # optional: the `batch` extra
    except ImportError as exc:
        raise ExecutorError(DASK_MISSING) from exc
    results: dict[int, ImageOutcome] = {}
    with ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(_connect(distributed.Client, scheduler))
        else:
            stack.enter_context(importlib.import_module("dask").config.set(LOCAL_WORKER_CONFIG))
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=max(workers, 1), threads_per_worker=1, processes=True, dashboard_address=None))
            client = stack.enter_context(distributed.Client(cluster))
        assets = client.scatter(shared, broadcast=True)   # once per worker, not once per image
        futures = [client.submit(run_image, job, assets, pure=False) for job in jobs]
        index_of = {future.key: index for index, future in enumerate(futures)}
        pending = distributed.as_completed(futures)
        del futures   # only as_completed holds them now: each result leaves the workers once read
        for future in pending:
            index = index_of[future.key]
            results[index] = _result(future, jobs[index])
            future.release()
            report(results[index])
    return [results[index] for index in range(len(jobs))]


def _connect(client_type: Any, scheduler: str) -> Any:
    try:
        return client_type(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(f"--scheduler {scheduler}: cannot reach the Dask scheduler: {exc}") from exc
