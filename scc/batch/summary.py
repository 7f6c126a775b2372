"""The catalog summary: one row per image, one column per control; its CSV and JSON forms.

``BatchSummary`` is plain data built from the images' outcomes (in catalog order, controls in natural
order); ``scc.batch.summary_documents.summary_files`` renders it as summary.csv, summary.xlsx, summary.html
and summary.json, the last listing the sha256 of the other three. Nothing in them depends on timing or
scheduling, and the only date is the batch's assessment time (SOURCE_DATE_EPOCH when set).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime

from scc._version import __version__
from scc.batch.image import ImageOutcome, ImageStatus, control_sort_key
from scc.clock import iso
from scc.facts.model import Severity
from scc.report import Verdict

CATEGORIES = ("cat1", "cat2", "cat3")
SEVERITIES = tuple(s.value for s in Severity)
VERDICTS = tuple(v.value for v in Verdict)
NOT_ASSESSED = ""   # a matrix cell for a control an image's rules did not reach, or an image that failed

#: exit codes, worst first: the batch exits with the worst any image reached
EXIT_BUG, EXIT_BAD_INPUT, EXIT_GATE, EXIT_OK = 3, 2, 1, 0
_EXIT_OF = {ImageStatus.INTERNAL: EXIT_BUG, ImageStatus.FAILED: EXIT_BAD_INPUT,
            ImageStatus.BREACHED: EXIT_GATE, ImageStatus.PASSED: EXIT_OK}


@dataclass(frozen=True)
class ControlRow:
    """One control of the matrix: its verdict in each image (by package folder; '' where not assessed)."""

    control_id: str
    title: str
    verdicts: tuple[str, ...]    # in image order


@dataclass(frozen=True)
class BatchSummary:
    """What the summary files show: the images in catalog order and the controls x images matrix."""

    catalog: str
    assessed_at: datetime
    gated: bool
    images: tuple[ImageOutcome, ...]
    controls: tuple[ControlRow, ...]

    @property
    def exit_code(self) -> int:
        """3 when some image hit a bug, else 2 when some image had bad input, else 1 when some image
        breached the gate, else 0."""
        return max((_EXIT_OF[image.status] for image in self.images), default=EXIT_OK)

    def status_counts(self) -> dict[str, int]:
        """How many images ended in each status (every status present)."""
        counts = {status.value: 0 for status in ImageStatus}
        for image in self.images:
            counts[image.status.value] += 1
        return counts

    def gate_result(self, image: ImageOutcome) -> str:
        """passed / breached / not gated for an image with a package; '' for one without."""
        if not image.has_package:
            return ""
        if not self.gated:
            return "not gated"
        return "breached" if image.status is ImageStatus.BREACHED else "passed"


def build_summary(catalog: str, assessed_at: datetime, gated: bool,
                  outcomes: list[ImageOutcome]) -> BatchSummary:
    """The summary of a batch's outcomes (already in catalog order)."""
    titles: dict[str, str] = {}
    for outcome in outcomes:
        for control in outcome.controls:
            titles.setdefault(control.control_id, control.title)
    verdicts = [{c.control_id: c.verdict for c in outcome.controls} for outcome in outcomes]
    rows = tuple(ControlRow(control_id, titles[control_id],
                            tuple(v.get(control_id, NOT_ASSESSED) for v in verdicts))
                 for control_id in sorted(titles, key=control_sort_key))
    return BatchSummary(catalog=catalog, assessed_at=assessed_at, gated=gated, images=tuple(outcomes),
                        controls=rows)


# -- the rows every tabular file shares ------------------------------------------------------------------
def image_columns() -> list[str]:
    """The per-image columns, in the order every summary file shows them."""
    return ["image", "folder", "status", "reference", "digest", *(f"open {c.upper()}" for c in CATEGORIES),
            *(f"open {s}" for s in SEVERITIES), "findings", *VERDICTS, "gate", "gate detail", "error"]


def image_row(summary: BatchSummary, image: ImageOutcome) -> list[str | int]:
    """One image's values under ``image_columns()`` (counts are '' for an image without a package)."""
    def count(table: dict[str, int], key: str) -> str | int:
        return table.get(key, 0) if image.has_package else ""

    return [image.name, image.folder, image.status.value, image.reference, image.digest,
            *(count(image.open_counts, c) for c in CATEGORIES), *(count(image.open_counts, s) for s in SEVERITIES),
            image.findings if image.has_package else "", *(count(image.verdicts, v) for v in VERDICTS),
            summary.gate_result(image), "; ".join(image.gate_lines), image.error]


# -- the files -------------------------------------------------------------------------------------------
def summary_csv(summary: BatchSummary) -> bytes:
    """One row per image: its counts, gate and error, then its verdict for each control (one column each)."""
    from scc.writers._text import spreadsheet_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*image_columns(), *(row.control_id for row in summary.controls)])
    for index, image in enumerate(summary.images):
        cells = [*image_row(summary, image), *(row.verdicts[index] for row in summary.controls)]
        writer.writerow([spreadsheet_text(c) if isinstance(c, str) else c for c in cells])
    return buffer.getvalue().encode("utf-8")


def summary_json(summary: BatchSummary, files: dict[str, bytes]) -> bytes:
    """The summary as JSON, listing the other summary files with their sha256 and size."""
    document = {
        "generator": f"scc {__version__}",
        "assessed-at": iso(summary.assessed_at),
        "catalog": summary.catalog,
        "exit-code": summary.exit_code,
        "images-by-status": summary.status_counts(),
        "images": [_image_json(summary, image) for image in summary.images],
        "controls": [{"id": row.control_id, "title": row.title,
                      "verdicts": {image.folder: verdict for image, verdict in zip(summary.images, row.verdicts,
                                                                                     strict=True) if verdict}}
                     for row in summary.controls],
        "files": [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in sorted(files.items())],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _image_json(summary: BatchSummary, image: ImageOutcome) -> dict[str, object]:
    entry: dict[str, object] = {"name": image.name, "folder": image.folder, "status": image.status.value}
    if image.has_package:
        entry.update({
            "package": image.folder, "reference": image.reference, "digest": image.digest,
            "open": {key: image.open_counts.get(key, 0) for key in (*CATEGORIES, *SEVERITIES)},
            "findings": image.findings, "verdicts": {v: image.verdicts.get(v, 0) for v in VERDICTS},
            "gate": summary.gate_result(image), "gate-lines": list(image.gate_lines),
        })
    else:
        entry["error"] = image.error
    return entry

