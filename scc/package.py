"""The ATO package: every output of one assessment plus manifest.json, written all-or-nothing.

Outputs are rendered first, then written into a staging directory beside the target and swapped
into place (scc/package_dir.py), so a failure never leaves a half-written package and a directory
that is not scc's own package is never replaced.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scc._version import __version__
from scc.clock import iso
from scc.errors import OutputError
from scc.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from scc.assessment import Assessment
    from scc.writers.interface import Writer

MANIFEST = "manifest.json"


def render_outputs(assessment: Assessment, writers: Sequence[Writer] | None = None, *, jobs: int = 1,
                   progress: Progress = NO_PROGRESS) -> dict[str, tuple[bytes, str]]:
    """file name -> (bytes, media type) for every writer (or those given), plus one XCCDF file per extra
    benchmark; ``jobs`` > 1 lets independent writers run in worker processes (scc.package_render)."""
    from scc.package_render import render_outputs as render
    from scc.writers import available_writers

    return render(assessment.report, available_writers() if writers is None else writers, jobs=jobs,
                  progress=progress)


def manifest(assessment: Assessment, outputs: dict[str, tuple[bytes, str]]) -> bytes:
    document = {
        "generator": f"scc {__version__}",
        "assessed-at": iso(assessment.assessed_at),
        "image": {
            "reference": assessment.facts.identity.reference,
            "digest": assessment.facts.identity.digest,
        },
        "inputs": [
            {"path": i.path, "sha256": i.sha256, "size": i.size, "format": i.format}
            for i in sorted(assessment.facts.inputs, key=lambda i: i.path)
        ],
        "outputs": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "media-type": media}
            for name, (data, media) in sorted(outputs.items())
        ],
        **_formats(outputs),
        "provenance": _provenance(assessment),
        "verdicts": assessment.verdict_counts(),
        "attested-verdicts": assessment.attested_counts(),
        "notes": sorted(set(assessment.notes)),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _formats(outputs: dict[str, tuple[bytes, str]]) -> dict[str, dict[str, list[str]]]:
    """{"formats": {"written": [...], "skipped": [...]}} when outputs were left out (--formats/--skip), else {}:
    a package that lacks the PDF says it was not chosen."""
    from scc.writers import available_writers
    from scc.writers.selection import format_name

    written = [w for w in available_writers() if w.filename in outputs]
    skipped = [format_name(w) for w in available_writers() if w.filename not in outputs]
    if not skipped:
        return {}
    return {"formats": {"written": [format_name(w) for w in written], "skipped": skipped}}


def _provenance(assessment: Assessment) -> dict:
    from scc.provenance import provenance

    return provenance(assessment.report)


def write_package(assessment: Assessment, out_dir: Path, writers: Sequence[Writer] | None = None, *,
                  jobs: int = 1, progress: Progress = NO_PROGRESS) -> Path:
    """Render ``writers`` (default: all) and write them with manifest.json into ``out_dir``, all or nothing."""
    from scc.package_dir import check_out_dir, replace_package_dir

    check_out_dir(out_dir, input_paths(assessment))   # refused before anything is rendered
    outputs = render_outputs(assessment, writers, jobs=jobs, progress=progress)
    files = {name: data for name, (data, _media) in outputs.items()}
    files[MANIFEST] = manifest(assessment, outputs)
    try:
        return replace_package_dir(out_dir, files)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the package: {exc.strerror or exc}") from exc


def input_paths(assessment: Assessment) -> list[str]:
    """Every file the assessment read (inputs, overrides, previous package, keys): none may sit inside --out."""
    settings = assessment.settings
    extra = [p for p in (settings.overrides, settings.previous) if p]   # --previous: its manifest cites it
    return [i.path for i in assessment.facts.inputs] + [str(p) for p in [*extra, *settings.keys]]
