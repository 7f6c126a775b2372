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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

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

_SEVERITY_RANK = {s: n for n, s in enumerate(SEVERITY_ORDER)}

if TYPE_CHECKING:
    from scc.facts.model import Evidence
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
    components = component_rows(report)
    return {
        "image": identity.reference, "assessed_at": report.assessed_at.isoformat(),
        "scc_version": report.scc_version, "marking": report.settings.marking,
        "fingerprint": report.fingerprint, "notes": sorted(set(report.notes)),
        "verdicts": report.verdict_counts(), "verdict_colours": VERDICT_COLOURS,
        "families": _family_bars(controls), "severity_bars": _severity_bars(findings),
        "categories": _category_counts(report),
        "controls": controls, "rules": rules, "findings": findings, "components": components,
        "component_table": component_table(components, anchors),
        "finding_table": finding_table(findings, anchors),
        "inputs": [{"anchor": anchors[i.path], "path": i.path, "sha256": i.sha256, "size": i.size,
                    "format": i.format, "tool": i.tool} for i in inputs],
        "anchors": anchors,
        "verdict_rank": {v: n for n, v in enumerate(VERDICT_ORDER)},
        "cat_rank": {"CAT I": 1, "CAT II": 2, "CAT III": 3},
        "verdict_order": VERDICT_ORDER, "severity_order": SEVERITY_ORDER,
    }


def component_table(components: list[dict[str, Any]], anchors: dict[str, str]) -> Markup:
    """The component table's rows, as the template's loop and ``cite`` macro wrote them (same bytes).

    Built here, not in the template: at 100k components the sandboxed attribute lookups and the macro
    call per row were most of the page's time. Every value is escaped as autoescape does (markupsafe).
    """
    parts: list[str] = []
    add = parts.append
    for r in components:
        add('<tbody class="rec">\n<tr class="summary" tabindex="0" aria-expanded="false"><td>')
        add(f"{_text(r['name'])}</td><td>{_text(r['version'])}</td><td>{_text(r['type'])}</td><td><code>"
            f"{_text(r['purl'])}</code></td><td>{_text(r['licenses'])}</td><td data-sort=\""
            f"{_text(r['open_findings'])}\">{_text(r['open_findings'])}</td></tr>\n"
            '<tr class="detail" hidden><td colspan="6">')
        if r["supplier"]:
            add(f"<p>Supplier: {_text(r['supplier'])}</p>")
        if r["scorecard"]:
            add(f"<p>OpenSSF Scorecard: {_text(r['scorecard'])}</p>")
        add("<h4>Evidence</h4>")
        add(cite_html(r["citations"], anchors))
        if r["scorecard"]:
            add(cite_html(r["scorecard_citations"], anchors))
        add("</td></tr>\n</tbody>\n")
    return Markup("".join(parts))


def finding_table(findings: list[dict[str, Any]], anchors: dict[str, str]) -> Markup:
    """The finding table's rows, as the template's loop and ``cite`` macro wrote them (same bytes), built
    here for the reason :func:`component_table` is (at 20,000 findings the loop was most of the page's time)."""
    parts: list[str] = []
    add = parts.append
    for r in findings:
        add(_finding_summary(r))
        add(_finding_detail(r))
        add(cite_html(r["citations"], anchors))
        add("</td></tr>\n</tbody>\n")
    return Markup("".join(parts))


def _finding_summary(r: dict[str, Any]) -> str:
    severity, cvss, due = _text(r["severity"]), r["cvss"], r["due"]
    malicious = ' <strong class="overdue">malicious package (CAT I)</strong>' if r["malicious"] else ""
    overdue = ' <strong class="overdue">overdue</strong>' if r["overdue"] else ""
    return (f'<tbody class="rec" data-severity="{severity}" data-open="{"open" if r["open"] else "closed"}">\n'
            f'<tr class="summary" tabindex="0" aria-expanded="false"><td>{_text(r["id"])}</td>'
            f'<td>{_text(r["package"])}</td><td>{_text(r["installed"])}</td><td>{_text(r["fixed"])}</td>'
            f'<td data-sort="{_SEVERITY_RANK.get(r["severity"], 9)}"><span class="s s-{severity}">{severity}</span>'
            f'{malicious}</td><td data-sort="{_text(cvss if cvss is not None else -1)}">'
            f'{_text(cvss if cvss is not None else "")}</td><td>{_text(r["state"])}</td>'
            f'<td data-sort="{_text(due or "9999")}">{_text(due or "")}{overdue}</td>'
            f'<td>{_text(r["sources"])}</td></tr>\n')


def _finding_detail(r: dict[str, Any]) -> str:
    lines = [f'<tr class="detail" hidden><td colspan="9"><dl>\n<dt>purl</dt><dd><code>{_text(r["purl"])}</code></dd>\n']
    if r["aliases"]:
        lines.append(f"<dt>aliases</dt><dd>{_text(r['aliases'])}</dd>")
    lines.append(f'<dt>published</dt><dd>{_text(r["published"] or "not stated")}</dd><dt>first seen</dt>'
                 f'<dd>{_text(r["first_seen"] or "")}</dd>\n')
    if r["fix_available"]:
        lines.append(f"<dt>fix available since</dt><dd>{_text(r['fix_available'])}</dd>")
    if r["open"]:
        lines.append(f"<dt>due date basis</dt><dd>{_text(r['due_basis'])}</dd>")
    if r["vex"]:
        justification = f": {_text(r['vex_justification'])}" if r["vex_justification"] else ""
        lines.append(f"<dt>VEX</dt><dd>{_text(r['vex'])}{justification}</dd>")
    if r["malicious"]:
        lines.append(f"<dt>malicious package</dt><dd>{_text(r['malicious'])}</dd>")
    lines.append("</dl><h4>Evidence</h4>")
    return "".join(lines)


def _text(value: Any) -> str:
    """``markupsafe.escape(value)`` as text; a plain str by the same replacements markupsafe makes, without
    building a Markup object per value (a third of the table's time)."""
    if type(value) is not str:
        return str(escape(value))
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def cite_html(items: Iterable[Evidence], anchors: dict[str, str]) -> str:
    """What the template's ``cite`` macro writes for these citations (escaped)."""
    parts = []
    for e in items:
        pointer = f" <code>{_text(e.pointer)}</code>" if e.pointer else ""
        parts.append(f'<div class="cite"><a href="#{_text(anchors.get(e.source, ""))}">{_text(e.source)}</a>'
                     f'{pointer} <span class="hash" title="sha256 {_text(e.sha256)}">{_text(e.sha256[:12])}'
                     "</span></div>")
    return "".join(parts) or '<span class="none">no evidence cited</span>'


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
