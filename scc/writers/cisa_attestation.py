"""cisa-attestation-evidence.html: the filled evidence appendix an ISSO attaches to the CISA form.

The CISA Secure Software Development Attestation Form (OMB 1670-0052) lets the producer attach artefacts
(Section III, "Attachment(s)"). This standalone, printable HTML page is that attachment for one release:
per form item (1(a)-(f), 2, 3, 4(a)-(c)) the result the engine rolled up from the mapped scc rules, the
reason, the evidence with its citations (input file, sha256, pointer), the related SSDF tasks the form's
appendix lists, and what a person must still check; then every SSDF task, and the evidence of the
rules that only SSDF tasks cite (so every verdict shown is cited at least once). It says nothing
ssdf.json does not (both read scc.writers._ssdf_view), decides nothing, and loads nothing from the network (a Content-Security-Policy allows only its own inlined stylesheet).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.templating import csp_hash, render_html, shipped_asset
from scc.writers._ssdf_view import RESULT_WORDS, practice_record, result_words, results_of, rule_record
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

TEMPLATE = "cisa-attestation.html.j2"
STYLESHEET = "cisa-attestation.css"


class CisaAttestationWriter(Writer):
    """cisa-attestation-evidence.html: the CISA form's evidence appendix."""

    name = "ssdf-cisa"
    filename = "cisa-attestation-evidence.html"
    media_type = "text/html"
    order = 46
    format = "ssdf-cisa"

    def render(self, report: Report) -> bytes:
        css = shipped_asset(STYLESHEET)
        csp = f"default-src 'none'; style-src '{csp_hash(css)}'; base-uri 'none'; form-action 'none'"
        return render_html(TEMPLATE, **appendix_view(report), css=css, csp=csp).encode("utf-8")


def appendix_view(report: Report) -> dict[str, Any]:
    """Everything the appendix shows, from the Report's SSDF results."""
    from scc.writers.ssdf_json import ssdf_document

    results = results_of(report)
    mapping = results.mapping
    tasks = {r.practice.id: _shown(practice_record(r, mapping.source, mapping.sha256)) for r in results.tasks}
    items = []
    for result in results.cisa_items:
        record = _shown(practice_record(result, mapping.source, mapping.sha256))
        record["label"] = _label(result.practice.id)
        record["tasks"] = [tasks[t] for t in result.practice.ssdf]
        items.append(record)
    in_items = {r.rule.id for p in results.cisa_items for r in p.rule_results}
    task_only = {r.rule.id: r for p in results.tasks for r in p.rule_results if r.rule.id not in in_items}
    document = ssdf_document(report)
    return {
        "image": report.facts.identity.reference, "assessed_at": report.assessed_at.isoformat(),
        "scc_version": report.scc_version, "marking": report.settings.marking,
        "system_name": report.settings.system_name, "organization": report.settings.organization,
        "form": mapping.cisa_form, "ssdf": mapping.ssdf, "mapping": document["mapping"], "rule": document["rule"],
        "result_words": RESULT_WORDS, "items": items, "tasks": list(tasks.values()),
        "task_only_rules": [rule_record(task_only[rule_id]) for rule_id in sorted(task_only)],
        "inputs": document["inputs"],
    }


def _shown(record: dict[str, Any]) -> dict[str, Any]:
    """The record with the words the appendix says for its result (a person's attestation is never evidence)."""
    return {**record, "words": result_words(record)}


def _label(item_id: str) -> str:
    """How the form numbers an item: 1(a), 2, 4(c)."""
    number, letter = item_id[:1], item_id[1:]
    return f"{number}({letter})" if letter else number


WRITER = CisaAttestationWriter()
