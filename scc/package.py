"""The ATO package: every output of one assessment plus manifest.json, written all-or-nothing.

Outputs are rendered first, then written into a staging directory beside the target and swapped
into place (scc/package_dir.py), so a failure never leaves a half-written package and a directory
that is not scc's own package is never replaced.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from scc._version import __version__
from scc.clock import iso
from scc.errors import OutputError

if TYPE_CHECKING:
    from scc.assessment import Assessment

MANIFEST = "manifest.json"


def render_outputs(assessment: Assessment) -> dict[str, tuple[bytes, str]]:
    """file name -> (bytes, media type) for every writer, plus one XCCDF file per extra benchmark."""
    from scc.writers import available_writers

    outputs: dict[str, tuple[bytes, str]] = {}
    for writer in available_writers():
        outputs[writer.filename] = (writer.render(assessment.report), writer.media_type)
        for name, data in _extra_documents(writer, assessment).items():
            outputs[name] = (data, writer.media_type)
    return outputs


def _extra_documents(writer, assessment: Assessment) -> dict[str, bytes]:
    """Writers that produce one document per benchmark expose render_extra(report) -> {name: bytes}."""
    render_extra = getattr(writer, "render_extra", None)
    return render_extra(assessment.report) if callable(render_extra) else {}


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
        "provenance": _provenance(assessment),
        "verdicts": assessment.verdict_counts(),
        "attested-verdicts": assessment.attested_counts(),
        "notes": sorted(set(assessment.notes)),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _provenance(assessment: Assessment) -> dict:
    from scc.provenance import provenance

    return provenance(assessment.report)


def write_package(assessment: Assessment, out_dir: Path) -> Path:
    from scc.package_dir import check_out_dir, replace_package_dir

    check_out_dir(out_dir, input_paths(assessment))   # refused before anything is rendered
    outputs = render_outputs(assessment)
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
