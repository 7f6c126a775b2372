"""report.html's component rows, built in Python, are byte for byte what the template's loop wrote."""
from __future__ import annotations

import pytest

from scc.engine.checks.inventory import _purl_parts, _purl_type
from scc.facts.model import Evidence
from scc.templating import html_environment
from scc.writers.html_report import component_table

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
