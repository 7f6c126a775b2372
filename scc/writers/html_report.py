"""report.html: the reviewer's workbench, one self-contained HTML file.

Overview charts (controls by family and verdict, findings by severity and state, open CAT I/II/III)
as inline SVG, and filterable, sortable tables of controls, STIG/SRG rules, findings, components and
the inputs every citation points to. Rows come from scc.views, the same rows as the notebook frames,
so the page says what the package says.

Self-contained and inert: the stylesheet and the script are scc's own files (templates/report.css,
report.js) inlined, and a Content-Security-Policy meta tag allows exactly those two by sha256 and
nothing else (no network, no other script, no plugin, no form target). Every value from an input is
autoescaped text; the script only reads and sets textContent, attributes and order, never HTML.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.severity import category_label
from scc.templating import csp_hash, render_html, shipped_asset
from scc.views import (
    SEVERITY_ORDER,
    VERDICT_ORDER,
    component_rows,
    control_rows,
    finding_rows,
    rule_rows,
    severity_counts,
    verdicts_by_family,
)
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

TEMPLATE = "report.html.j2"
VERDICT_COLOURS = {"not-satisfied": "#b2182b", "partial": "#ef8a62", "manual": "#9e9e9e",
                   "satisfied": "#1a9850", "not-applicable": "#cfcfcf"}
SEVERITY_COLOURS = {"critical": "#67001f", "high": "#b2182b", "medium": "#ef8a62", "low": "#fddbc7",
                    "negligible": "#e0e0e0", "unknown": "#bababa"}


class HtmlReportWriter(Writer):
    name = "html-report"
    filename = "report.html"
    media_type = "text/html"
    order = 60
    format = "html"
    cost = 2

    def render(self, report: Report) -> bytes:
        css = shipped_asset("report.css")
        script = shipped_asset("report.js")
        html = render_html(TEMPLATE, **page_view(report), css=css, script=script,
                           csp=content_security_policy(script, css))
        return html.encode("utf-8")


def content_security_policy(script: str, css: str) -> str:
    """Nothing but the inlined script and stylesheet (by hash); no fetch, frame, form or base change."""
    return (f"default-src 'none'; script-src '{csp_hash(script)}'; style-src '{csp_hash(css)}'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def page_view(report: Report) -> dict[str, Any]:
    """Everything the template shows, from the Report and scc.views."""
    identity = report.facts.identity
    inputs = sorted(report.facts.inputs, key=lambda i: i.path)
    anchors = {i.path: f"input-{n}" for n, i in enumerate(inputs, 1)}
    controls, rules, findings = control_rows(report), rule_rows(report), finding_rows(report)
    return {
        "image": identity.reference, "assessed_at": report.assessed_at.isoformat(),
        "scc_version": report.scc_version, "marking": report.settings.marking,
        "fingerprint": report.fingerprint, "notes": sorted(set(report.notes)),
        "verdicts": report.verdict_counts(), "verdict_colours": VERDICT_COLOURS,
        "families": _family_bars(controls), "severity_bars": _severity_bars(findings),
        "categories": _category_counts(report),
        "controls": controls, "rules": rules, "findings": findings, "components": component_rows(report),
        "inputs": [{"anchor": anchors[i.path], "path": i.path, "sha256": i.sha256, "size": i.size,
                    "format": i.format, "tool": i.tool} for i in inputs],
        "anchors": anchors, "severity_rank": {s: n for n, s in enumerate(SEVERITY_ORDER)},
        "verdict_rank": {v: n for n, v in enumerate(VERDICT_ORDER)},
        "cat_rank": {"CAT I": 1, "CAT II": 2, "CAT III": 3},
        "verdict_order": VERDICT_ORDER, "severity_order": SEVERITY_ORDER,
    }


def _family_bars(controls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per family: the verdict segments of a stacked bar, as fractions of the largest family."""
    counts = verdicts_by_family(controls)
    widest = max((sum(c.values()) for c in counts.values()), default=1)
    bars = []
    for family in sorted(counts):
        offset, segments = 0.0, []
        for verdict in VERDICT_ORDER:
            count = counts[family][verdict]
            if count:
                segments.append({"verdict": verdict, "count": count, "x": offset, "width": count / widest})
                offset += count / widest
        bars.append({"family": family, "total": sum(counts[family].values()), "segments": segments})
    return bars


def _severity_bars(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    open_counts, closed_counts = severity_counts(findings)
    tallest = max([open_counts[s] + closed_counts[s] for s in SEVERITY_ORDER] + [1])
    return [{"severity": s, "open": open_counts[s], "closed": closed_counts[s],
             "open_height": open_counts[s] / tallest, "closed_height": closed_counts[s] / tallest}
            for s in SEVERITY_ORDER]


def _category_counts(report: Report) -> list[dict[str, Any]]:
    from scc.gate import open_counts

    counts = open_counts(report)
    tallest = max(counts["cat1"], counts["cat2"], counts["cat3"], 1)
    return [{"label": category_label(word), "count": counts[key], "height": counts[key] / tallest}
            for key, word in (("cat1", "high"), ("cat2", "medium"), ("cat3", "low"))]


WRITER = HtmlReportWriter()
