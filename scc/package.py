"""The ATO package: every output of one assessment plus manifest.json, written all-or-nothing.

Each output is written into a staging directory beside the target as soon as it is rendered (and then
let go, so the outputs are never all held at once), and the directory is swapped into place when every
output and the manifest are there (scc/package_dir.py), so a failure never leaves a half-written package
and a directory that is not scc's own package is never replaced.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OutputFile:
    """What the manifest records of one output written: its digest, size and media type."""

    sha256: str
    size: int
    media_type: str

    @classmethod
    def of(cls, data: bytes, media_type: str) -> OutputFile:
        return cls(hashlib.sha256(data).hexdigest(), len(data), media_type)


def manifest(assessment: Assessment, outputs: Mapping[str, tuple[bytes, str] | OutputFile]) -> bytes:
    """manifest.json for ``outputs`` (file name -> (bytes, media type), or the OutputFile of a file written)."""
    files = {name: value if isinstance(value, OutputFile) else OutputFile.of(*value) for name, value in outputs.items()}
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
            {"path": name, "sha256": file.sha256, "size": file.size, "media-type": file.media_type}
            for name, file in sorted(files.items())
        ],
        **_formats(files),
        "provenance": _provenance(assessment),
        "verdicts": assessment.verdict_counts(),
        "attested-verdicts": assessment.attested_counts(),
        "notes": sorted(set(assessment.notes)),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _formats(outputs: Mapping[str, object]) -> dict[str, dict[str, list[str]]]:
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
    from scc.package_dir import check_out_dir, staged_package
    from scc.package_render import iter_rendered
    from scc.writers import available_writers

    check_out_dir(out_dir, input_paths(assessment))   # refused before anything is rendered
    chosen = available_writers() if writers is None else writers
    written: dict[str, OutputFile] = {}
    try:
        with staged_package(out_dir) as staging:
            with closing(iter_rendered(assessment.report, chosen, jobs=jobs, progress=progress)) as rendered:
                for name, data, media in rendered:
                    staging.write(name, data)
                    written[name] = OutputFile.of(data, media)
                    del data       # each output is let go once written
            staging.write(MANIFEST, manifest(assessment, written))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the package: {exc.strerror or exc}") from exc
    return Path(out_dir)


def input_paths(assessment: Assessment) -> list[str]:
    """Every file the assessment read (inputs, overrides, previous package, keys): none may sit inside --out."""
    settings = assessment.settings
    extra = [p for p in (settings.overrides, settings.previous) if p]   # --previous: its manifest cites it
    return [i.path for i in assessment.facts.inputs] + [str(p) for p in [*extra, *settings.keys]]
