"""One image of a batch: assess it, write its package, and reduce the result to what the summary shows.

``run_image`` is what every executor runs (in this process, a local process or a Dask worker). It never
raises: an image that fails is an ``ImageOutcome`` whose ``error`` is the one line the CLI would have
printed for ``scc package``, so the other images go on.
"""
from __future__ import annotations

import copy
import os
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.batch.catalog import ImageEntry
from scc.content.store import ContentStore
from scc.errors import SccError
from scc.gate import Threshold

if TYPE_CHECKING:
    from scc.assessment import Assessment, Settings
    from scc.report import Rule


class ImageStatus(str, Enum):
    """How one image of the batch ended (ordered from best to worst)."""

    PASSED = "passed"          # package written, no gate threshold breached (or none given)
    BREACHED = "breached"      # package written, a gate threshold breached
    FAILED = "failed"          # bad input: no package, the error says which file and why
    INTERNAL = "internal-error"   # a bug in scc: no package; please report it


class ShippedContent(ContentStore):
    """A content store whose parsed documents travel with it: loaded once by the batch, pickled once per
    worker (its lock is made anew on arrival), so no worker parses the official content itself."""

    def __getstate__(self) -> dict[str, Any]:
        with self._guard:
            return {"directory": self.directory, "parsed": dict(self._parsed)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.directory = state["directory"]
        self._parsed = state["parsed"]
        self._guard = threading.RLock()


@dataclass(frozen=True)
class SharedAssets:
    """What every image of a batch uses unchanged: the rule packs and the official content (None: the
    worker's own content cache, which then holds nothing). Sent to each worker once."""

    rules: tuple[Rule, ...]
    content: ShippedContent | None


@dataclass(frozen=True)
class ImageJob:
    """Everything one image needs besides the shared assets: its catalog entry, its settings (the common
    ones with the entry's overrides applied), the package folder, the gate and the batch's clock."""

    entry: ImageEntry
    settings: Settings
    package_dir: str
    thresholds: tuple[Threshold, ...]
    assessed_at: datetime
    formats: tuple[str, ...] | None = None    # the outputs to write (None: all), as `scc package --formats`
    skip: tuple[str, ...] = ()                # outputs left out, as `scc package --skip`


@dataclass(frozen=True)
class ControlStatus:
    """One control's verdict for one image (a cell of the controls x images matrix)."""

    control_id: str
    title: str
    verdict: str


@dataclass(frozen=True)
class RunMetrics:
    """How the image ran (never written into the summary files, which must not vary between runs)."""

    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    worker: str = ""
    peak_rss_kib: int = 0      # the worker process's high-water mark so far (ru_maxrss)
    rss_kib: int = 0           # the worker's resident memory when the image was done (0 where unknown)


@dataclass(frozen=True)
class ImageOutcome:
    """What the summary says about one image."""

    name: str
    folder: str
    status: ImageStatus
    error: str = ""
    reference: str = ""
    digest: str = ""
    verdicts: dict[str, int] = field(default_factory=dict)
    open_counts: dict[str, int] = field(default_factory=dict)   # cat1-3 and open findings by severity
    findings: int = 0
    controls: tuple[ControlStatus, ...] = ()
    gate_lines: tuple[str, ...] = ()
    metrics: RunMetrics = field(default_factory=RunMetrics, compare=False)

    @property
    def has_package(self) -> bool:
        """True when the image's package was written."""
        return self.status in (ImageStatus.PASSED, ImageStatus.BREACHED)


def image_settings(common: Settings, entry: ImageEntry) -> Settings:
    """The common settings with what the catalog entry sets for this image instead; a common ``previous`` is an
    earlier batch directory, and the image carries over from its own package folder there (when it has one)."""
    changes: dict[str, Any] = {}
    for name in ("profile", "overrides", "attestations"):
        value = getattr(entry, name)
        if value is not None:
            changes[name] = Path(value)
    if entry.keys is not None:
        changes["keys"] = [Path(k) for k in entry.keys]
    if entry.baseline is not None:
        changes["baseline"] = entry.baseline
    if entry.system_name is not None:
        changes["system_name"] = entry.system_name
    if common.previous is not None:   # an earlier batch: this image's own package there, if it has one
        earlier = Path(common.previous) / entry.folder
        changes["previous"] = earlier if earlier.is_dir() else None
    changes.setdefault("keys", list(common.keys))
    return replace(common, **changes, sla_days=dict(common.sla_days))


def run_image(job: ImageJob, shared: SharedAssets) -> ImageOutcome:
    """Assess one image and write its package; failures become the outcome's one-line error."""
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    try:
        outcome = _assess_and_write(job, shared)
    except SccError as exc:
        outcome = _failed(job, ImageStatus.FAILED, str(exc))
    except Exception as exc:  # noqa: BLE001 - one image's bug must not stop the batch; reported as a bug
        outcome = _failed(job, ImageStatus.INTERNAL, f"internal error: {type(exc).__name__}: {exc}")
    metrics = RunMetrics(wall_seconds=time.perf_counter() - started_wall,
                         cpu_seconds=time.process_time() - started_cpu, worker=f"pid {os.getpid()}",
                         peak_rss_kib=_peak_kib(), rss_kib=_resident_kib())
    return replace(outcome, metrics=metrics)


def _peak_kib() -> int:
    """This process's peak resident set so far (POSIX getrusage; KiB on Linux), else 0."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _resident_kib() -> int:
    """This process's resident set now (Linux /proc), else 0."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _assess_and_write(job: ImageJob, shared: SharedAssets) -> ImageOutcome:
    from scc.assessment import assess
    from scc.gate import breaches, open_counts, unknown_severity_line

    settings = copy.deepcopy(job.settings)   # assess() normalises paths in place: the job stays as it was
    assessment = assess(job.entry.inputs, settings, rules=list(shared.rules), content=shared.content,
                        assessed_at=job.assessed_at)
    assessment.write_package(job.package_dir, formats=job.formats, skip=job.skip)
    lines = [line for line in (unknown_severity_line(assessment, list(job.thresholds)),) if line]
    breached = breaches(assessment, list(job.thresholds))
    return ImageOutcome(
        name=job.entry.name, folder=job.entry.folder,
        status=ImageStatus.BREACHED if breached else ImageStatus.PASSED,
        reference=assessment.facts.identity.reference, digest=assessment.facts.identity.digest or "",
        verdicts=assessment.verdict_counts(), open_counts=open_counts(assessment),
        findings=len(assessment.facts.findings), controls=_control_statuses(assessment),
        gate_lines=(*lines, *breached),
    )


def _control_statuses(assessment: Assessment) -> tuple[ControlStatus, ...]:
    return tuple(sorted((ControlStatus(c.control_id, c.title, c.verdict.value) for c in assessment.control_results),
                        key=lambda c: control_sort_key(c.control_id)))


def control_sort_key(control_id: str) -> tuple[tuple[int, str], ...]:
    """ac-2 before ac-10, ac-6 before ac-6.1: numbers compare as numbers."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", control_id))


def _failed(job: ImageJob, status: ImageStatus, error: str) -> ImageOutcome:
    line = " ".join(error.split())   # one line, whatever the exception carried
    return ImageOutcome(name=job.entry.name, folder=job.entry.folder, status=status, error=line)
