"""ssdf.json: every NIST SSDF v1.1 task and CISA attestation form item, its result and its evidence.

A versioned JSON document (``format: scc-ssdf-evidence``, ``version: 1``; JSON Schema
frameworks/ssdf-evidence.schema.json) for tools and reviewers: per task and per item, the result the
engine rolled up from the mapped rules (frameworks/ssdf.yaml), its reason, the rules with their
verdicts, statements and evidence (source, sha256, pointer), the mapping row (file, sha256, pointer),
and the text of what a person must check. Keys are written in a fixed order, so identical inputs give
identical bytes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.ssdf import SsdfResults
from scc.writers._json import indented_json
from scc.writers._ssdf_view import practice_record, results_of
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

FORMAT = "scc-ssdf-evidence"
VERSION = 1


class SsdfJsonWriter(Writer):
    """ssdf.json: SSDF task and CISA form item results with their citations."""

    name = "ssdf-json"
    filename = "ssdf.json"
    media_type = "application/json"
    order = 45
    format = "ssdf-json"

    def render(self, report: Report) -> bytes:
        """The document as UTF-8 JSON (two-space indent, keys in the order written)."""
        return indented_json(ssdf_document(report))


def ssdf_document(report: Report) -> dict[str, Any]:
    """The whole ssdf.json document of one assessment."""
    results = results_of(report)
    mapping = results.mapping
    identity = report.facts.identity
    return {
        "format": FORMAT,
        "version": VERSION,
        "generator": {"name": "scc", "version": report.scc_version},
        "assessed_at": iso(report.assessed_at),
        "marking": report.settings.marking,
        "subject": {"reference": identity.reference, "name": identity.name, "digest": identity.digest},
        "frameworks": {"ssdf": {**mapping.ssdf, "groups": dict(mapping.groups), "practices": dict(mapping.practices)},
                       "cisa_form": dict(mapping.cisa_form)},
        "mapping": {"source": mapping.source, "sha256": mapping.sha256, "version": mapping.version},
        "inputs": [{"path": i.path, "sha256": i.sha256, "format": i.format} for i in report.facts.inputs],
        "rule": ("A task or item is satisfied only when every mapped rule is satisfied and the mapping says the "
                 "rules evidence it in full; not-satisfied when a mapped rule is not satisfied; partial when the "
                 "rules evidence it in part; manual when no rule bears on it or none could decide."),
        "summary": {"ssdf_tasks": SsdfResults.counts(results.tasks),
                    "cisa_items": SsdfResults.counts(results.cisa_items)},
        "ssdf_tasks": [practice_record(r, mapping.source, mapping.sha256) for r in results.tasks],
        "cisa_items": [practice_record(r, mapping.source, mapping.sha256) for r in results.cisa_items],
    }


WRITER = SsdfJsonWriter()
