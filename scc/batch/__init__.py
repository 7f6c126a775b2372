"""Many images in one run: ``scc batch CATALOG --out DIR`` and its Python API.

    from scc.batch import run_batch
    result = run_batch("catalog.yaml", "ato-all/", Settings(baseline="moderate"), jobs=2)
    result.exit_code, [o.status for o in result.outcomes]

The parts: ``catalog`` (which images, their inputs and per-image settings; safe folder names),
``image`` (assess one image and write its package; never raises), ``executors`` (this process, local
processes or Dask workers), ``summary`` and ``summary_documents`` (the catalog summary files), ``run``
(``run_batch``, which ties them together).
"""
from __future__ import annotations

from scc.batch.catalog import CatalogError, ImageEntry, load_catalog
from scc.batch.executors import EXECUTORS, ExecutorError
from scc.batch.image import ImageOutcome, ImageStatus
from scc.batch.run import BatchResult, run_batch
from scc.batch.summary import BatchSummary

__all__ = ["EXECUTORS", "BatchResult", "BatchSummary", "CatalogError", "ExecutorError", "ImageEntry",
           "ImageOutcome", "ImageStatus", "load_catalog", "run_batch"]
