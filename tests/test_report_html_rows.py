"""report.html's component and finding rows, built in Python, are byte for byte what the template's loops wrote."""
from __future__ import annotations

import pytest

from scc.engine.checks.inventory import _purl_parts, _purl_type
from scc.facts.model import Evidence
from scc.templating import html_environment
from scc.writers.html_report import component_table, finding_table

# The loop and the cite macro report.html.j2 used before the rows moved to scc.writers.html_report.
TEMPLATE_LOOP = (
    "{% macro cite(items) %}{% for e in items %}<div class=\"cite\"><a href=\"#{{ anchors.get(e.source, '') }}\">"
    "{{ e.source }}</a>{% if e.pointer %} <code>{{ e.pointer }}</code>{% endif %} <span class=\"hash\" "
    "title=\"sha256 {{ e.sha256 }}\">{{ e.sha256[:12] }}</span></div>{% else %}<span class=\"none\">no evidence "
    "cited</span>{% endfor %}{% endmacro %}\n"
    "{% for r in components %}\n<tbody class=\"rec\">\n<tr class=\"summary\" tabindex=\"0\" aria-expanded=\"false\">"
    "<td>{{ r.name }}</td><td>{{ r.version }}</td><td>{{ r.type }}</td><td><code>{{ r.purl }}</code></td>"
    "<td>{{ r.licenses }}</td><td data-sort=\"{{ r.open_findings }}\">{{ r.open_findings }}</td></tr>\n"
    "<tr class=\"detail\" hidden><td colspan=\"6\">{% if r.supplier %}<p>Supplier: {{ r.supplier }}</p>{% endif %}"
    "{% if r.scorecard %}<p>OpenSSF Scorecard: {{ r.scorecard }}</p>{% endif %}<h4>Evidence</h4>"
    "{{ cite(r.citations) }}{% if r.scorecard %}{{ cite(r.scorecard_citations) }}{% endif %}</td></tr>\n"
    "</tbody>\n{% endfor %}\n"
)
# The finding loop report.html.j2 used before the rows moved to scc.writers.html_report (with the cite macro).
FINDING_LOOP = TEMPLATE_LOOP[:TEMPLATE_LOOP.index("{% endmacro %}\n") + len("{% endmacro %}\n")] + (
    '{% for r in findings %}\n'
    '<tbody class="rec" data-severity="{{ r.severity }}" data-open="{{ \'open\' if r.open else \'closed\' }}">\n'
    '<tr class="summary" tabindex="0" aria-expanded="false"><td>{{ r.id }}</td><td>{{ r.package }}</td><td>{{ r.installed }}</td><td>{{ r.fixed }}</td><td data-sort="{{ severity_rank.get(r.severity, 9) }}"><span class="s s-{{ r.severity }}">{{ r.severity }}</span>{% if r.malicious %} <strong class="overdue">malicious package (CAT I)</strong>{% endif %}</td><td data-sort="{{ r.cvss if r.cvss is not none else -1 }}">{{ r.cvss if r.cvss is not none else "" }}</td><td>{{ r.state }}</td><td data-sort="{{ r.due or \'9999\' }}">{{ r.due or "" }}{% if r.overdue %} <strong class="overdue">overdue</strong>{% endif %}</td><td>{{ r.sources }}</td></tr>\n'
    '<tr class="detail" hidden><td colspan="9"><dl>\n'
    '<dt>purl</dt><dd><code>{{ r.purl }}</code></dd>\n'
    '{% if r.aliases %}<dt>aliases</dt><dd>{{ r.aliases }}</dd>{% endif %}\n'
    '<dt>published</dt><dd>{{ r.published or "not stated" }}</dd><dt>first seen</dt><dd>{{ r.first_seen or "" }}</dd>\n'
    '{% if r.fix_available %}<dt>fix available since</dt><dd>{{ r.fix_available }}</dd>{% endif %}\n'
    '{% if r.open %}<dt>due date basis</dt><dd>{{ r.due_basis }}</dd>{% endif %}\n'
    '{% if r.vex %}<dt>VEX</dt><dd>{{ r.vex }}{% if r.vex_justification %}: {{ r.vex_justification }}{% endif %}</dd>{% endif %}\n'
    '{% if r.malicious %}<dt>malicious package</dt><dd>{{ r.malicious }}</dd>{% endif %}\n'
    '</dl><h4>Evidence</h4>{{ cite(r.citations) }}</td></tr>\n'
    '</tbody>\n'
    '{% endfor %}\n'
)
HOSTILE = "<script>alert('x')</script> & \"quoted\" \u2028 caf\u00e9"


def _row(n: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name": f"{HOSTILE}{n}", "version": "1.0&<2", "type": "library", "purl": f"pkg:npm/a%40b/{n}?x='y'",
        "licenses": "MIT, <Apache-2.0>", "supplier": "", "open_findings": n, "evidence": "",
        "citations": (Evidence(f"sbom'{n}\".json", "ab" * 32, f"/components/{n}/<x>"), Evidence("b.json", "c" * 64)),
        "scorecard": "", "scorecard_citations": (),
    }
    row.update(changes)
    return row


def test_component_rows_are_the_template_loops_bytes() -> None:
    rows = [_row(0), _row(1, supplier=HOSTILE), _row(2, scorecard="score 7.5 <ok>", citations=()),
            _row(3, scorecard="4.0", scorecard_citations=(Evidence("sc.json", "d" * 64, "/score"),))]
    anchors = {"sbom'0\".json": "input-1", "b.json": "in\"put-2"}
    expected = html_environment().from_string(TEMPLATE_LOOP).render(components=rows, anchors=anchors)
    assert str(component_table(rows, anchors)) == expected
    assert str(component_table([], anchors)) == html_environment().from_string(TEMPLATE_LOOP).render(
        components=[], anchors=anchors)


@pytest.mark.parametrize("purl", [
    "pkg:deb/debian/openssl@3.0.11-1?arch=amd64", "pkg:RPM/redhat/bash@5.1", "pkg:apk/alpine/musl@1.2.4-r2",
    "pkg:npm/%40scope/name@1.0.0", "pkg:pypi/Django_Rest@3.0", "pkg:golang/github.com/a/b@v1.2.3",
    "pkg:Maven/org.apache/commons-io@2.11#sub/path", "pkg://deb/debian/x@1", "pkg:generic/a%2Fb@1", "not-a-purl", "",
])
def test_purl_type_without_parsing_is_the_parsed_type(purl: str) -> None:
    assert _purl_type(purl) == _purl_parts(purl)[0]


def _finding(n: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": f"CVE-2026-{n}<b>", "aliases": "", "package": HOSTILE, "installed": "1.0&<2", "purl": f"pkg:npm/a%40b/{n}?x='y'",
        "fixed": "", "fix_available": "", "severity": "high", "cvss": None, "state": "not-fixed", "open": True,
        "vex": "", "vex_justification": "", "published": "", "first_seen": "2026-11-01", "due": None, "due_basis": "",
        "overdue": False, "sources": "grype, trivy", "evidence": "", "malicious": "", "severity_label": "high",
        "citations": (Evidence(f"scan'{n}\".json", "ab" * 32, f"/matches/{n}/<x>"),),
    }
    row.update(changes)
    return row


def test_finding_rows_are_the_template_loops_bytes() -> None:
    from datetime import date

    rows = [_finding(0), _finding(1, aliases="GHSA-x <y>", fixed="1.1, 2.0", fix_available="2026-10-01", cvss=9.8,
                                  due=date(2026, 12, 1), due_basis=f"SLA {HOSTILE}", overdue=True, published="2026-09-01"),
            _finding(2, open=False, state="fixed", vex="not_affected", vex_justification="code <not> present",
                     severity="weird\"sev", citations=()),
            _finding(3, vex="affected", malicious=f"known malicious {HOSTILE}", severity="critical", cvss=0.0,
                     due=date(2026, 1, 5)),
            _finding(4, first_seen=None, published=None, due_basis="", cvss=7.25)]
    anchors = {"scan'0\".json": "input-1", "scan'1\".json": "in\"put-2"}
    environment = html_environment()
    from scc.writers import html_report

    ranked = dict(html_report._SEVERITY_RANK)
    assert ranked["critical"] < ranked["high"]
    assert str(finding_table(rows, anchors)) == environment.from_string(FINDING_LOOP).render(
        findings=rows, anchors=anchors, severity_rank=ranked)
    unranked = str(finding_table(rows[2:3], anchors))   # a severity outside the ranking, no due date: sorted last
    assert 'data-sort="9"' in unranked and 'data-sort="9999"' in unranked
    assert str(finding_table([], anchors)) == environment.from_string(FINDING_LOOP).render(
        findings=[], anchors=anchors, severity_rank=ranked)
