"""``run_batch``: a catalog in, one package per image and the catalog summary out.

Order of work: the catalog is parsed and checked as a whole, --out is checked (no input inside it, no
summary file of someone else's in the way), the rule packs and the official content are loaded once,
then the images run on the chosen executor. Each package is written all-or-nothing by the worker that
assessed it (scc/package_dir.py); the summary files are written last, each atomically, summary.json
after the others.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scc.batch.catalog import SUMMARY_NAMES, ImageEntry, catalog_inputs, load_catalog
from scc.batch.executors import OutcomeCallback, run_jobs
from scc.batch.image import ImageJob, ImageOutcome, SharedAssets, ShippedContent, image_settings
from scc.batch.summary import BatchSummary, build_summary
from scc.batch.summary_documents import summary_files
from scc.errors import OutputError
from scc.gate import Threshold

if TYPE_CHECKING:
    from scc.assessment import Settings

_SUMMARY_REFUSAL = "scc replaces only summary files it wrote; move it away or choose another --out"


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: the summary (images in catalog order), where it was written, and the exit code."""

    summary: BatchSummary
    out_dir: Path

    @property
    def outcomes(self) -> tuple[ImageOutcome, ...]:
        """Each image's outcome, in catalog order."""
        return self.summary.images

    @property
    def exit_code(self) -> int:
        """0 all passed, 1 some gate breached, 2 some image had bad input, 3 some image hit a bug (worst wins)."""
        return self.summary.exit_code


def run_batch(catalog: str | os.PathLike[str], out_dir: str | os.PathLike[str], settings: Settings | None = None,
              *, thresholds: Sequence[Threshold] = (), jobs: int = 1, executor: str = "processes",
              scheduler: str | None = None, on_outcome: OutcomeCallback | None = None,
              formats: Sequence[str] | None = None, skip: Sequence[str] = ()) -> BatchResult:
    """Assess every image of ``catalog`` and write its package to ``out_dir/<folder>/`` plus the summary.

    ``catalog`` is a folder of per-image evidence folders or a YAML list (scc.batch.catalog). ``settings``
    apply to every image unless its catalog entry sets profile, overrides, attestations, keys, baseline
    or system_name itself; ``thresholds`` gate every image (scc.gate). ``jobs`` is the number of local
    processes (1: this process), or of LocalCluster workers with ``executor="dask"``; ``scheduler`` is the
    address of an existing Dask cluster instead. ``on_outcome`` is called as each image finishes.
    ``formats`` and ``skip`` choose each package's outputs as ``scc package --formats/--skip`` do.
    A malformed catalog or an unusable --out raises SccError before any image runs; an image that fails
    is reported in the summary and the result's exit code, never raised.
    """
    from scc.assessment import Settings
    from scc.clock import assessment_time

    entries = load_catalog(catalog)
    target = Path(out_dir)
    common = settings or Settings()
    policy = [str(common.registry_policy)] if common.registry_policy else []
    _check_out_dir(target, [str(catalog), *catalog_inputs(entries), *policy])
    if common.registry_policy:
        from scc.registry_policy import load_registry_policy

        load_registry_policy(common.registry_policy)   # a malformed allow-list fails before any image runs
    assessed_at = assessment_time()   # one clock for the whole batch, even without SOURCE_DATE_EPOCH
    shared = load_shared_assets(common, entries)
    image_jobs = [ImageJob(entry=entry, settings=image_settings(common, entry),
                           package_dir=str(target / entry.folder), thresholds=tuple(thresholds),
                           assessed_at=assessed_at, formats=tuple(formats) if formats else None,
                           skip=tuple(skip)) for entry in entries]
    outcomes = run_jobs(image_jobs, shared, workers=jobs, executor=executor, scheduler=scheduler,
                        on_outcome=on_outcome)
    summary = build_summary(str(catalog), assessed_at, bool(thresholds), outcomes)
    _write_summary(target, summary_files(summary))
    return BatchResult(summary=summary, out_dir=target)


def load_shared_assets(settings: Settings, entries: Sequence[ImageEntry]) -> SharedAssets:
    """The rule packs and the official content every image uses, loaded and parsed once for the batch.

    The content is parsed in full for what any image may ask of it (the catalog, the CCI list, every
    baseline the settings or the entries name plus the default, every cached benchmark); None when the
    cache holds neither catalog nor CCI list (each image then says that content is missing, as
    ``scc package`` does).
    """
    from scc.content.store import default_directory
    from scc.engine.rules import load_rule_packs
    from scc.report import DEFAULT_BASELINE

    rules = tuple(load_rule_packs(settings.rule_dirs))
    store = ShippedContent(default_directory())
    catalog, cci = store.catalog(), store.cci()
    if catalog is None and cci is None:
        return SharedAssets(rules=rules, content=None)
    for baseline in sorted({DEFAULT_BASELINE, *(b for b in [settings.baseline, *(e.baseline for e in entries)] if b)}):
        store.baseline(baseline)
    store.benchmarks()
    return SharedAssets(rules=rules, content=store)


# -- --out ---------------------------------------------------------------------------------------------
def _check_out_dir(target: Path, inputs: list[str]) -> None:
    from scc.package_dir import ensure_outside_inputs

    ensure_outside_inputs(target, inputs)
    resolved = target.resolve()
    for folder in (Path(p) for p in inputs):
        if folder.is_dir() and resolved.is_relative_to(folder.resolve()):
            raise OutputError(f"{target}: lies inside {folder}, which the batch reads; choose an --out outside "
                              "the catalog and its evidence folders")
    if os.path.lexists(target) and (target.is_symlink() or not target.is_dir()):
        raise OutputError(f"{target}: in the way (not a directory); give --out a directory")
    if target.is_dir():
        _ensure_summary_replaceable(target)


def _ensure_summary_replaceable(target: Path) -> None:
    """Refuse when a summary file is there that scc did not write (or that changed since it did)."""
    present = [name for name in SUMMARY_NAMES if os.path.lexists(target / name)]
    if not present:
        return
    listed = _listed_summary_files(target / "summary.json")
    if listed is None:
        raise OutputError(f"{target / present[0]}: in the way (no summary.json that scc wrote lists it); "
                          f"{_SUMMARY_REFUSAL}")
    for name in present:
        path = target / name
        if name == "summary.json":
            continue
        if path.is_symlink() or not path.is_file() or listed.get(name) != hashlib.sha256(path.read_bytes()).hexdigest():
            raise OutputError(f"{path}: changed since scc wrote it or not listed in summary.json; {_SUMMARY_REFUSAL}")


def _listed_summary_files(path: Path) -> dict[str, str] | None:
    from scc.package_dir import scc_document

    document = scc_document(path)
    if document is None:
        return None
    files = document.get("files")
    if not isinstance(files, list):
        return None
    return {f["path"]: f["sha256"] for f in files
            if isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)}


def _write_summary(target: Path, files: dict[str, bytes]) -> None:
    from scc.atomic import write_bytes_atomic

    for name, data in files.items():   # summary.json comes last: it vouches for the others
        write_bytes_atomic(target / name, data)
