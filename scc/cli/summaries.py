"""The ``--json`` documents of `scc package`, `scc gate` and `scc content list` (docs/usage.md shows them).

Each is one JSON object on stdout with its keys in a fixed order; the exit codes are those of the
command without --json (a breached gate is still exit 1).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from scc.assessment import Assessment
    from scc.content.store import ContentStore
    from scc.writers.interface import Writer


def echo_json(document: dict[str, Any]) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _image(assessment: Assessment) -> dict[str, str]:
    identity = assessment.facts.identity
    return {"reference": identity.reference, "digest": identity.digest}


def _notes(assessment: Assessment) -> list[str]:
    return sorted({*assessment.notes, *assessment.facts.passed_over})


def _counts(assessment: Assessment) -> dict[str, Any]:
    from scc.gate import open_counts

    facts = assessment.facts
    return {"components": len(facts.components), "findings": len(facts.findings),
            "open-findings": len(facts.open_findings), "rules": len(assessment.rule_results),
            "controls": len(assessment.control_results), "open": open_counts(assessment)}


def package_summary(assessment: Assessment, target: Path, chosen: tuple[Writer, ...],
                    gate: dict[str, Any] | None) -> dict[str, Any]:
    """What `scc package --json` prints: the package folder, the formats written and skipped, each file
    written (as its manifest.json lists it), the counts, verdicts, notes and the gate (None without
    thresholds)."""
    from scc.package import MANIFEST
    from scc.writers import available_writers
    from scc.writers.selection import format_names

    manifest = json.loads((target / MANIFEST).read_bytes())
    skipped = [w for w in available_writers() if w not in chosen]
    return {
        "package": str(target),
        "manifest": str(target / MANIFEST),
        "image": _image(assessment),
        "formats": {"written": format_names(chosen), "skipped": format_names(skipped)},
        "outputs": manifest["outputs"],
        "counts": _counts(assessment),
        "verdicts": assessment.verdict_counts(),
        "attested-verdicts": assessment.attested_counts(),
        "notes": _notes(assessment),
        "gate": gate,
    }


def gate_summary(assessment: Assessment, gate: dict[str, Any]) -> dict[str, Any]:
    """What `scc gate --json` prints: the image, the gate (thresholds, breaches, passed) and the notes."""
    return {"image": _image(assessment), "gate": gate, "counts": _counts(assessment), "notes": _notes(assessment)}


def content_summary(store: ContentStore) -> dict[str, Any]:
    """What `scc content list --json` prints: the cache folder and every registry source, cached or not."""
    from scc.content.registry import SOURCES

    lock = store.lock()
    sources = []
    for source in SOURCES:
        entry = lock.get(source.name)
        sources.append({
            "name": source.name, "kind": source.kind, "title": source.title, "url": source.url,
            "optional": source.optional, "pinned-release": source.release or None, "cached": entry is not None,
            "file": entry.file if entry else None, "release": (entry.release or None) if entry else None,
            "retrieved": entry.retrieved if entry else None, "origin": entry.origin if entry else None,
            "trust": (entry.trust or None) if entry else None, "sha256": entry.sha256 if entry else None,
            "size": entry.size if entry else None,
        })
    return {"content-directory": str(store.directory), "sources": sources}
