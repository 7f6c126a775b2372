"""The PDF SSP: the sections an assessor needs, inert hostile names, no fetches, byte-identical output."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest
from writer_assessment import FIXTURE_IMAGE, build_assessment

from scc.assessment import Settings
from scc.resources import pack_dir
from scc.writers import writer
from scc.writers.ssp_pdf import asset_fetcher, render_html, render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(pdf: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def squash(text: str) -> str:
    return "".join(text.split())


PROFILE = """
system: {name: API service, id: EX-0001, description: Order intake API.}
categorization:
  information-types:
    - {id: C.3.5.8, title: Information Security, confidentiality: moderate, integrity: moderate, availability: low}
parties:
  - {id: owner, name: Jane Owner}
  - {id: ao, name: Alex Authorizer}
  - {id: isso, name: Sam Officer}
roles: {owner: owner, authorizing-official: ao, isso: isso}
status: under-development
authorization-boundary: The API pods and their namespace.
ports-protocols-services:
  - {port: 8443, transport: tcp, service: https, purpose: API}
controls:
  ac-2:
    responsibility: customer
    implementation: Accounts are managed in the agency identity provider.
    parameters: {ac-02_odp.01: "system administrators"}
    statements: {a: "Account types are defined in the IdP.", b: "Account managers are named."}
marking: CUI//SP-PRVCY
version-history:
  - {version: "0.1", date: 2026-11-01, description: Initial draft, author: Jane Owner}
"""


@pytest.fixture(scope="module")
def moderate(content_dir, tmp_path_factory):
    """One assessment with official content, the MODERATE baseline and a system profile, rendered once."""
    profile = tmp_path_factory.mktemp("profile") / "profile.yaml"
    profile.write_text(PROFILE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCC_CONTENT_DIR", str(content_dir))
        assessment = build_assessment(FIXTURE_IMAGE, Settings(baseline="moderate", system_name="API service",
                                                        organization="DISA PEO", profile=profile))
        fetcher = asset_fetcher(pack_dir("templates"))
        pdf = render_pdf(assessment, fetcher)
        html = render_html(assessment)
    return assessment, pdf, fetcher, html


@pytest.mark.slow
def test_ssp_from_the_assessment_has_every_section_the_profile_and_the_evidence(moderate, tmp_path,
                                                                              official_content_dir):
    # NIST's control titles and prose: with ../shared, `moderate` was built with this official content
    _, pdf, _, _ = moderate
    text = pdf_text(pdf, tmp_path)
    assert pdf.startswith(b"%PDF-")
    for heading in ("1 System identification", "2 Security categorisation (FIPS 199)", "3 Roles and responsible parties",
                    "5 Components, interconnections, ports, protocols and services", "7 Control implementation",
                    "8 Plan of action and milestones (summary)", "10 Approval and version history"):
        assert heading in text
    assert "API service" in text and "EX-0001" in text and "Sam Officer" in text and "8443" in text
    pages = text.split("\f")[:-1]
    assert all("CUI//SP-PRVCY" in page for page in pages)                       # the profile's marking
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1))
    # official title and statement text from the catalog, and the rule statement as this image's evidence
    assert "Least Privilege" in text and "principle of least privilege" in text
    assert "The image runs as UID 65532, not root." in text
    # the profile's narrative, responsibility, parts and parameter values for AC-2
    assert "Accounts are managed in the agency identity provider." in text
    assert re.search(r"ac-02_odp\.01\s+system administrators", text)
    assert "Part a" in text and "Account types are defined in the IdP." in text
    # the POA&M summary lists the open finding in full with the POA&M's own due date, overdue at the assessment
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", moderate[3])).split())
    assert re.search(r"CVE-2024-0001 in musl 1\.2\.3 .{0,200} Controls: RA-5, SI-2 · due: published 2026-10-17 \+ 15 days "
                     r"\(sla_days\[critical\]\) critical open 2026-11-01 overdue 17 day\(s\)", page)


def test_every_moderate_control_is_in_the_plan_and_counted_once(moderate, shared_data):
    _, _, _, html = moderate
    profile = json.loads((shared_data / "nist" / "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json").read_text())
    with_ids = [i for imp in profile["profile"]["imports"] for i in imp["include-controls"][0]["with-ids"]]
    assert html.count('<article class="control"') == len(with_ids) == 287
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Controls in this plan 287" in text and "The plan holds 287 implemented requirements" in text
    assessment = moderate[0]
    evidenced = [c for c in assessment.control_results if c.control_id in with_ids]
    articles = re.findall(r'<article class="control".*?</article>', html, flags=re.DOTALL)
    with_verdict = [a for a in articles if re.search(r'<p class="props">[^<]*\bverdict: ', a)]
    assert len(evidenced) >= 7 and len(with_verdict) == len(evidenced)


def test_renderer_fetches_only_its_own_stylesheet(moderate):
    _, _, fetcher, _ = moderate
    assert fetcher.requested == [(pack_dir("templates") / "ssp.css").resolve().as_uri()]
    assert fetcher.refused == []


@pytest.mark.slow
def test_same_assessment_renders_byte_identical_pdf(moderate, content_dir, monkeypatch, tmp_path):
    assessment, pdf, _, _ = moderate
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))
    assert writer("ssp-pdf").render(assessment) == pdf
    (tmp_path / "ssp.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "ssp.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CreationDate:\s+Wed Nov 18 10:00:00 2026 UTC", info)    # the assessment time, not now


def test_fetcher_refuses_everything_outside_the_templates_directory(tmp_path):
    fetcher = asset_fetcher(pack_dir("templates"))
    for url in ("file:///etc/passwd", "http://127.0.0.1:1/x.css", "data:text/css,body{}",
                (pack_dir("templates") / ".." / "pyproject.toml").as_uri()):
        with pytest.raises(ValueError, match="refuses"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


@pytest.mark.slow
def test_hostile_names_render_as_inert_text_without_any_fetch(hostile, tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "no-content"))
    sbom = json.loads((hostile / "injection.cdx.json").read_text())
    names = [c["name"] for c in sbom["components"]]
    assessment = build_assessment(FIXTURE_IMAGE, component_names=names, image_name=sbom["metadata"]["component"]["name"])
    assessment.rule_results[0].statement = "Found: " + " | ".join(names)
    fetcher = asset_fetcher(pack_dir("templates"))
    pdf = render_pdf(assessment, fetcher)

    assert fetcher.requested == [(pack_dir("templates") / "ssp.css").resolve().as_uri()]
    assert b"/URI" not in pdf                          # no external link was created from a name
    text = squash(pdf_text(pdf, tmp_path))
    for name in names[:5]:                             # HTML, CSS link, Jinja, formula, closing tags
        assert squash(name) in text
    assert "{{7*7}}{%forxinrange(10**9)%}{%endfor%}" in text     # shown, never evaluated
    assert "a" * 1500 in text                          # the 5,000-character name wraps instead of vanishing


@pytest.mark.slow
def test_long_names_never_overflow_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "no-content"))
    long_name = "x" * 5000
    assessment = build_assessment(FIXTURE_IMAGE, Settings(system_name="S" * 400),
                                  component_names=[long_name, "b" * 300, "pkg/" * 400],
                                  image_name="registry.example.mil/" + "n" * 5000)
    bbox = pdf_text(render_pdf(assessment), tmp_path, "-bbox")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">', bbox)
    right_edges = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', bbox)]
    assert pages and right_edges
    assert max(right_edges) <= float(pages[0][0]) - 30       # inside the right margin (18 mm = 51 pt)


def test_files_used_as_settings_are_not_reported_as_passed_over(tmp_path, monkeypatch):
    """The SSP said "overrides.yaml: passed over" although the overrides were applied (issue 11)."""
    import shutil

    import scc

    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "no-content"))
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    shutil.copy(FIXTURE_IMAGE / "scan.grype.json", evidence / "scan.grype.json")
    overrides, readme = evidence / "overrides.yaml", evidence / "README.txt"
    overrides.write_text("overrides: []\n")
    readme.write_text("notes\n")
    assessment = scc.assess([evidence], overrides=overrides)
    passed_over = [n for n in assessment.facts.notes if "passed over" in n]
    assert passed_over == [f"{readme}: passed over (not an evidence format)"]
    html = render_html(assessment.report)
    assert "README.txt: passed over" in html and "overrides.yaml: passed over" not in html


# -- issue 12: a PDF sized for people, whatever the number of findings ------------------------------


def many_findings(count: int):
    """The fixture assessment with ``count`` more findings: every severity, over 40 packages, every tenth
    closed by VEX, every 13th fixed as the scanner states, published over the year before the assessment
    (so many are past their SLA)."""
    from dataclasses import replace
    from datetime import timedelta

    from writer_assessment import ASSESSED_AT, build_results, build_rules

    from scc.assessment import Assessment
    from scc.facts.model import Finding, FindingState, Severity, VexStatement

    facts, evidence = __import__("writer_assessment").build_facts()
    severities = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.NEGLIGIBLE, Severity.UNKNOWN]
    extra = []
    for n in range(count):
        vex = (VexStatement(f"CVE-2098-{n:05d}", FindingState.NOT_AFFECTED, justification="component_not_present",
                            format="openvex") if n % 10 == 0 else None)
        extra.append(Finding(
            f"CVE-2098-{n:05d}", package=f"lib{n % 40:02d}", installed_version="1.0", fixed_versions=["1.1"],
            severity=severities[n % len(severities)], sources={"grype"}, evidence=[evidence[1]],
            state=FindingState.NOT_AFFECTED if vex else FindingState.FIXED if n % 13 == 0 else FindingState.AFFECTED,
            vex=vex, published=ASSESSED_AT - timedelta(days=n % 365), title=f"Generated weakness {n}"))
    facts = replace(facts, findings=[*facts.findings, *extra])
    assessment = Assessment(facts, Settings(system_name="API service", organization="DISA PEO"), rules=[],
                            assessed_at=ASSESSED_AT)
    rules = build_rules()
    assessment.rules = rules
    assessment.rule_results = build_results(rules, evidence)
    return assessment


def page_count(pdf: bytes, tmp_path) -> int:
    (tmp_path / "count.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "count.pdf")], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """600 and 2,000 generated findings, no official content: (assessment, pdf) for each."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCC_CONTENT_DIR", str(tmp_path_factory.mktemp("no-content")))
        assessments = {n: many_findings(n) for n in (600, 2000)}
        return {n: (assessment, render_pdf(assessment)) for n, assessment in assessments.items()}


@pytest.mark.slow
def test_page_count_does_not_grow_with_the_findings(crowded, tmp_path):
    small, large = (page_count(crowded[n][1], tmp_path) for n in (600, 2000))
    items = len(crowded[2000][0].report.remediation_items)
    assert items > 1500                              # the old chapter listed them all: 70+ more pages
    assert large == small                            # the same bounded list of items in full either way
    text = pdf_text(crowded[2000][1], tmp_path)
    chapter = text[text.index("8 Plan of action and milestones (summary)\n"):text.index("9 Notes from reading")]
    assert chapter.count("\f") <= 10


def poam_items(assessment):
    from scc.writers.ssp_pdf import poam_document

    plan = poam_document(assessment.report)["plan-of-action-and-milestones"]
    risks = {r["uuid"]: r for r in plan["risks"]}

    def props(node, name):
        return [p["value"] for p in node.get("props", []) if p["name"] == name]

    return [{"id": props(i, "POAM-ID")[0] if props(i, "POAM-ID") else i["uuid"], "title": i["title"],
             "severity": props(i, "severity")[0], "package": (props(i, "package") or [""])[0],
             "kind": props(i, "poam-kind")[0], "status": risks[i["related-risks"][0]["risk-uuid"]]["status"]}
            for i in plan["poam-items"]]


def test_summary_counts_are_those_of_the_poam_items_and_the_engine(crowded):
    assessment, _ = crowded[2000]
    report = assessment.report
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", render_html(report))).split())
    items = poam_items(assessment)
    assert re.search(rf"\b{len(items)} POA&M item\(s\)", page)
    now = report.assessed_at
    overdue = {f"{i.kind}/{i.identity}" for i in report.remediation_items if i.clock.is_overdue(now)}
    closed = [f for f in report.facts.findings if not f.is_open]
    assert overdue and closed
    for severity in ("critical", "high", "medium", "low", "negligible", "unknown"):
        mine = [i for i in items if i["severity"] == severity]
        accepted = sum(i["status"] == "deviation-approved" for i in mine)
        late = sum(1 for r in report.remediation_items if r.severity == severity and f"{r.kind}/{r.identity}" in overdue)
        vex = sum(1 for f in closed if f.severity.value == severity and f.vex is not None)
        scanner = sum(1 for f in closed if f.severity.value == severity and f.vex is None)
        row = f"{severity} {len(mine)} {len(mine) - accepted} {late} {accepted} {vex} {scanner}"
        assert row in page, row
    assert f"Total {len(items)} " in page
    # the packages with the most open findings, counted from the POA&M's vulnerability items
    per_package = {}
    for item in items:
        if item["kind"] == "vulnerability" and item["status"] == "open":
            per_package[item["package"]] = per_package.get(item["package"], 0) + 1
    top = sorted(per_package.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    for package, count in top:
        assert re.search(rf"\b{re.escape(package)} {count} ", page), package
    rest = sum(n for _, n in sorted(per_package.items(), key=lambda kv: (-kv[1], kv[0]))[10:])
    assert (f"{sum(per_package.values())} open finding(s) in {len(per_package)} package(s); the "
            f"{len(per_package) - 10} package(s) not listed have {rest} open finding(s).") in page


def test_the_most_severe_and_the_overdue_items_are_in_full_and_the_rest_counted(crowded, tmp_path):
    from scc.writers._poam_view import MOST_SEVERE, OVERDUE_CAP

    assessment, pdf = crowded[2000]
    report = assessment.report
    page = render_html(report)
    table = page[page.index('<table class="grid findings">'):]
    table = table[:table.index("</table>")]
    shown = re.findall(r'<tr><td class="mono">([^<]+)</td>', table)
    items = poam_items(assessment)
    rank = ("critical", "high", "medium", "low", "negligible", "unknown")
    most_severe = sorted(items, key=lambda i: rank.index(i["severity"]))[:MOST_SEVERE]
    assert {i["id"] for i in most_severe} <= set(shown) and all(i["severity"] == "critical" for i in most_severe)
    now = report.assessed_at
    late = sorted((r for r in report.remediation_items if r.clock.is_overdue(now)), key=lambda r: -r.clock.days_overdue(now))
    worst = {f"{r.finding.id} in {r.finding.package} 1.0" for r in late[:OVERDUE_CAP] if r.finding is not None}
    assert worst and all(title in table for title in worst)
    assert MOST_SEVERE <= len(shown) <= MOST_SEVERE + OVERDUE_CAP
    more = len(items) - len(shown)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert (f"most severe first: {len(shown)} of {len(items)}. {more} more in the POA&M (oscal-poam.json) and "
            "poam.xlsx") in text
    low_title = next(i["title"] for i in items if i["severity"] == "low")
    assert low_title not in text                     # beyond the bound: in the POA&M, not in the SSP


def test_a_few_findings_are_all_in_full(moderate):
    assessment, _, _, page = moderate
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    items = poam_items(assessment)
    assert f"most severe first: {len(items)} of {len(items)}. This is every item of the POA&M." in text
    for item in items:
        assert item["title"] in text
