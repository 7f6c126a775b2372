"""A pause of Python's cyclic garbage collector while many long-lived, acyclic objects are built.

Reading builds millions of them (a 100k-component SBOM parsed, then its facts): each full collection in
the meantime traverses all of them, which more than doubles ``json.loads`` and costs a third of reading.
A writer that builds one object per finding allocates hundreds of thousands of small objects, and every
full collection the allocations trigger walks the whole heap (the facts and the report too), so the
pauses grow faster than the document. Nothing a writer builds needs collecting before it returns; the
collector runs again, as it was, when the block ends.
"""
from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def paused_then_kept() -> Iterator[None]:
    """``collector_paused`` for a command that ends its process, which then keeps every object out of all
    later collections (``gc.freeze``, before the collector runs again).

    What the block reads and assesses lives until the process ends; each collection later allocations
    trigger would traverse it (millions of objects at 100k components), the first one all of it. Not for
    library code: a frozen object in a reference cycle is never collected.
    """
    with collector_paused():
        yield
        gc.freeze()


def no_last_collection() -> None:
    """For the command line: at exit, leave what is left to the end of the process instead of one last full
    collection, which traverses every object not frozen (0.2-0.4 s after a 100k-component package).

    Registered when the command starts, it runs after every exit handler registered later (temporary
    directories, worker pools). What it spares is garbage of finished work: the package directory is complete
    and renamed into place before the command returns, and Python promises no finaliser for objects still
    alive at exit anyway.
    """
    atexit.unregister(gc.freeze)    # once, however often main() is called in one process
    atexit.register(gc.freeze)
