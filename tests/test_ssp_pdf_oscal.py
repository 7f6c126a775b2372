"""The PDF SSP rendered from an OSCAL SSP: FedRAMP's own template, a small authored plan, template overrides."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_scc

from scc.resources import pack_dir
from scc.writers import _poam_view, _ssp_text, _ssp_view
from scc.writers.ssp_pdf import TemplateProblem, asset_fetcher, render_ssp_html, render_ssp_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
MARKING = "CUI//SP-PRVCY"
SECTIONS = ("1 System identification", "2 Security categorisation (FIPS 199)", "3 Roles and responsible parties",
            "4 System environment and authorization boundary",
            "5 Components, interconnections, ports, protocols and services", "6 Leveraged authorizations",
            "7 Control implementation", "8 Plan of action and milestones (summary)", "9 Notes from reading the inputs",
            "10 Approval and version history", "Appendix: resources the plan references")


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "ssp.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_count(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def visible_text(page: str) -> str:
    """The text of the HTML body as a reader sees it (tags dropped, entities decoded, whitespace squashed)."""
    body = re.sub(r"<head>.*?</head>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def small_ssp() -> dict:
    """A small OSCAL SSP written for these tests: parts a-c, parameters, responsibility, gaps on purpose."""
    this, image = "11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002"

    def bc(component, description, state=None, **extra):
        node = {"component-uuid": component, "uuid": "11111111-0000-4000-8000-0000000000ff",
                "description": description, **extra}
        if state:
            node["implementation-status"] = {"state": state}
        return node

    return {"system-security-plan": {
        "uuid": "22222222-0000-4000-8000-000000000001",
        "metadata": {
            "title": "System Security Plan: Payroll", "published": "2026-11-01T00:00:00Z",
            "last-modified": "2026-11-18T10:00:00Z", "version": "1.2", "oscal-version": "1.2.1",
            "revisions": [{"version": "1.0", "published": "2026-10-01T00:00:00Z", "title": "Initial draft"},
                          {"version": "1.2", "published": "2026-11-01T00:00:00Z", "title": "Boundary revised"}],
            "roles": [{"id": "system-owner", "title": "System Owner"},
                      {"id": "authorizing-official", "title": "Authorizing Official"}],
            "parties": [{"uuid": "p-1", "type": "person", "name": "Jane Owner"},
                        {"uuid": "p-2", "type": "person", "name": "Alex Authorizer"}],
            "responsible-parties": [{"role-id": "system-owner", "party-uuids": ["p-1"]},
                                    {"role-id": "authorizing-official", "party-uuids": ["p-2"]}],
        },
        "import-profile": {"href": "https://example.gov/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": "PAY-42"}],
            "system-name": "Payroll", "description": "not provided",
            "security-sensitivity-level": "fips-199-moderate",
            "system-information": {"information-types": [{
                "title": "Payroll Management", "description": "Pay records.",
                "categorizations": [{"system": "https://doi.org/10.6028/NIST.SP.800-60v2r1",
                                     "information-type-ids": ["C.3.5.8"]}],
                "confidentiality-impact": {"base": "fips-199-moderate", "selected": "fips-199-moderate"},
                "integrity-impact": {"base": "fips-199-low", "selected": "fips-199-moderate"},
                "availability-impact": {"base": "fips-199-low", "selected": "fips-199-low"}}]},
            "security-impact-level": {"security-objective-confidentiality": "fips-199-moderate",
                                      "security-objective-integrity": "fips-199-moderate",
                                      "security-objective-availability": "fips-199-low"},
            "status": {"state": "under-development"},
            "authorization-boundary": {"description": "Boundary: the payroll API pods and their database."},
            "data-flow": {"description": "not provided"},
        },
        "system-implementation": {
            "users": [{"uuid": "u-1", "title": "Payroll clerk", "role-ids": ["clerk"],
                       "props": [{"name": "type", "value": "internal"}, {"name": "privilege-level", "value": "non-privileged"}]}],
            "leveraged-authorizations": [{"uuid": "la-1", "title": "GovCloud East", "party-uuid": "p-2",
                                          "date-authorized": "2025-03-01"}],
            "components": [
                {"uuid": this, "type": "this-system", "title": "Payroll", "description": "The whole system.",
                 "status": {"state": "under-development"},
                 "protocols": [{"name": "https", "title": "Payroll API",
                                "port-ranges": [{"start": 8443, "end": 8443, "transport": "TCP"}]}]},
                {"uuid": image, "type": "software", "title": "payroll-api image", "description": "The container image.",
                 "status": {"state": "operational"}},
                {"uuid": "c-3", "type": "interconnection", "title": "HR feed", "description": "Nightly SFTP from HR.",
                 "props": [{"name": "direction", "value": "incoming"}], "status": {"state": "operational"}},
                {"uuid": "c-4", "type": "service", "title": "Managed database",
                 "props": [{"name": "leveraged-authorization-uuid", "value": "la-1"}], "status": {"state": "operational"}},
            ],
        },
        "control-implementation": {"description": "Controls of the MODERATE baseline.", "implemented-requirements": [
            {"uuid": "r-1", "control-id": "ac-2",
             "props": [{"name": "implementation-status", "value": "partial"},
                       {"name": "control-origination", "value": "shared"}],
             "set-parameters": [{"param-id": "ac-02_odp.01", "values": ["prohibited account types"]},
                                {"param-id": "ac-02_odp.02", "values": ["not provided"]}],
             "statements": [{"statement-id": f"ac-2_smt.{part}", "uuid": f"s-{part}",
                             "by-components": [bc(this, f"Part {part} narrative of the agency.")]}
                            for part in ("a", "b", "c")]},
            {"uuid": "r-2", "control-id": "ac-6.10",
             "by-components": [bc(image, "The image runs as UID 65532.", "implemented",
                                  links=[{"href": "#res-1", "rel": "evidence"}])]},
            {"uuid": "r-3", "control-id": "si-2", "by-components": [bc(this, "not provided")]},
        ]},
        "back-matter": {"resources": [{"uuid": "res-1", "title": "image-config.json",
                                       "rlinks": [{"href": "image-config.json",
                                                   "hashes": [{"algorithm": "sha-256", "value": "ab" * 32}]}]}]},
    }}


def small_poam() -> dict:
    def item(n, control, severity, status):
        return ({"uuid": f"i-{n}", "title": f"Weakness {n}", "description": "x",
                 "props": [{"name": "POAM-ID", "value": f"V-{n}"}, {"name": "severity", "value": severity}],
                 "related-risks": [{"risk-uuid": f"k-{n}"}]},
                {"uuid": f"k-{n}", "title": "r", "description": "r", "statement": "r", "status": status,
                 "deadline": "2026-12-20T00:00:00+00:00",
                 "props": [{"name": "impacted-control-id", "value": control}]})
    pairs = [item(1, "ra-5", "high", "open"), item(2, "si-2", "low", "open"), item(3, "cm-6", "high", "closed")]
    return {"plan-of-action-and-milestones": {"uuid": "33333333-0000-4000-8000-000000000001",
                                              "metadata": {"title": "POA&M", "last-modified": "2026-11-18T10:00:00Z"},
                                              "poam-items": [p[0] for p in pairs], "risks": [p[1] for p in pairs]}}


@pytest.fixture(scope="module")
def fedramp(shared_data, tmp_path_factory):
    ssp = json.loads((shared_data / "fedramp" / "FedRAMP-SSP-OSCAL-Template.json").read_text())
    poam = json.loads((shared_data / "fedramp" / "FedRAMP-POAM-OSCAL-Template.json").read_text())
    pdf = render_ssp_pdf(ssp, poam, ["sbom.json: 2 components without a version were skipped"], MARKING)
    return ssp, poam, pdf, pdf_pages(pdf, tmp_path_factory.mktemp("fedramp"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    pdf = render_ssp_pdf(small_ssp(), small_poam(), [], MARKING)
    return pdf, pdf_pages(pdf, tmp_path_factory.mktemp("small"))


def test_fedramp_template_renders_every_section_control_part_and_parameter(fedramp):
    ssp, poam, _, pages = fedramp
    text = "\n".join(pages)
    for heading in SECTIONS:
        assert heading in text
    requirements = ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
    for requirement in requirements:
        label = requirement["control-id"].split(".")[0].upper()
        assert re.search(rf"^\s*{re.escape(label)}\b", text, re.MULTILINE), label
        for statement in requirement.get("statements", []):
            assert statement["statement-id"] in text
        for entry in requirement.get("statements", [{}])[0].get("by-components", [{}])[0].get("set-parameters", []):
            assert entry["param-id"] in text and entry["values"][0] in text
    assert "Part a.1" in text and "Part b.2" in text
    assert text.count("policy: Access Control Policy Title; procedure: Access Control Procedure Title") == 2  # AC-1 and part a.1
    assert re.search(r"Information System Security Officer \(ISSO\)\s+\[SAMPLE\]Person Name 5", text)
    assert re.search(r"Information System Security Manager\s+\(not in the SSP\)", text)   # the template has none
    assert "C.2.4.1" in text and "GovCloud" in text and "F00000000" in text
    assert re.search(rf"\b{len(poam['plan-of-action-and-milestones']['poam-items'])}\s+POA&M item\(s\)", text)
    assert "sbom.json: 2 components without a version were skipped" in text


def test_every_page_carries_the_marking_top_and_bottom_and_page_x_of_y(fedramp, small, tmp_path):
    for pdf, pages in (fedramp[2:], small):
        total = page_count(pdf, tmp_path)
        assert len(pages) == total > 5
        for number, page in enumerate(pages, 1):
            lines = [line for line in page.splitlines() if line.strip()]
            assert MARKING in lines[0] and MARKING in lines[-1], number       # header and footer
            assert f"Page {number} of {total}" in lines[-1]


def test_counts_come_from_one_tally_and_follow_the_plan():
    ssp = small_ssp()
    text = visible_text(render_ssp_html(ssp, small_poam(), [], MARKING))
    assert "Controls in this plan 3" in text
    assert "The plan holds 3 implemented requirements: 1 implemented; 1 partial; 1 not stated in the SSP." in text
    assert re.search(r"Total 3 1 1 1", text)
    assert "3 POA&M item(s): by risk status 1 closed; 2 open; by severity 2 high; 1 low" in text
    ssp["system-security-plan"]["control-implementation"]["implemented-requirements"].append(
        {"uuid": "r-4", "control-id": "cm-6", "props": [{"name": "implementation-status", "value": "planned"}]})
    page = render_ssp_html(ssp, small_poam(), [], MARKING)
    text = visible_text(page)
    assert page.count('<article class="control"') == 4
    assert "Controls in this plan 4" in text
    assert "The plan holds 4 implemented requirements: 1 implemented; 1 partial; 1 planned; 1 not stated in the SSP." in text


def test_parts_parameters_responsibility_and_status_per_control(small):
    text = "\n".join(small[1])
    for part in ("a", "b", "c"):
        assert f"Part {part} ac-2_smt.{part}" in text and f"Part {part} narrative of the agency." in text
    assert re.search(r"ac-02_odp\.01\s+prohibited account types", text)
    assert re.search(r"ac-02_odp\.02\s+not provided", text)         # the plan's own "not provided", as stated
    assert re.search(r"AC-2\s+partial", text) and re.search(r"Implementation status: partial · Responsibility: shared", text)
    assert re.search(r"AC-6\(10\)\s+implemented", text)
    assert "evidence: image-config.json" in text                     # the link resolved to its back-matter resource
    assert "sha-256: " + "ab" * 32 in visible_text(render_ssp_html(small_ssp(), None, [], MARKING))
    assert re.search(r"SI-2\s+not stated in the SSP", text)


def test_absent_fields_say_so_and_nothing_is_invented():
    ssp = small_ssp()
    text = visible_text(render_ssp_html(ssp, small_poam(), [], MARKING))
    assert re.search(r"Information System Security Manager \(ISSM\) information-system-security-manager "
                     r"\(not in the SSP\)", text)
    assert "Network architecture and environment (not in the SSP)" in text
    assert "System description not provided" in text
    assert "C.3.5.8 Moderate Moderate (base Low) Low" in text       # selected, and the base where it differs
    # without parties nobody is named, in the roles table or the approval block
    del ssp["system-security-plan"]["metadata"]["parties"]
    bare = visible_text(render_ssp_html(ssp, None, [], MARKING))
    assert "Jane Owner" not in bare and "Alex Authorizer" not in bare
    assert "Authorizing official Signature Date party p-2 (not among the SSP's parties)" in bare
    assert "No POA&M document was given." in bare


def test_the_pdf_says_nothing_the_ssp_does_not():
    """Every word the full plan adds to an empty plan's rendering comes from the SSP, the POA&M or the notes."""
    sources = json.dumps([small_ssp(), small_poam(), ["note from reading"], MARKING]).lower()
    words = r"[a-z][a-z0-9_.:/-]{2,}"
    fixed = [pack_dir("templates") / "ssp.html.j2", *(Path(view.__file__) for view in (_ssp_view, _ssp_text, _poam_view))]
    empty = set(re.findall(words, " ".join(path.read_text().lower() for path in fixed)))     # labels, not data
    empty |= set(re.findall(words, visible_text(render_ssp_html({}, None, [], MARKING)).lower()))
    empty |= {word.rstrip(".:;,") for word in empty}
    full = visible_text(render_ssp_html(small_ssp(), small_poam(), ["note from reading"], MARKING)).lower()
    added = {word.rstrip(".:;,") for word in re.findall(words, full)} - empty
    derived = {"ac-6(10)"}          # the control label NIST prints for ac-6.10
    assert added and all(word in sources or word in derived for word in added), sorted(
        w for w in added if w not in sources and w not in derived)


def test_same_documents_render_byte_identical_pdf_dated_by_the_ssp(small, tmp_path):
    pdf, _ = small
    assert render_ssp_pdf(small_ssp(), small_poam(), [], MARKING) == pdf
    assert render_ssp_pdf(small_ssp(), small_poam(), [], "UNCLASSIFIED") != pdf
    (tmp_path / "ssp.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "ssp.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"ModDate:\s+Wed Nov 18 10:00:00 2026 UTC", info)     # the SSP's last-modified, not now


def test_marking_is_drawn_in_the_top_and_bottom_band_of_every_page(small, tmp_path):
    from PIL import Image

    pdf, pages = small
    (tmp_path / "ssp.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "ssp.pdf"), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages)
    for path in images:
        image = Image.open(path).convert("RGB")
        width, height = image.size
        for band in ((0, 0, width, height // 8), (0, height * 7 // 8, width, height)):
            pixels = list(image.crop(band).get_flattened_data())
            assert any(r > 90 and g < 60 and b < 60 for r, g, b in pixels), (path.name, band)   # the marking's red


# -- organisations' templates ---------------------------------------------------------------------


def org_templates(tmp_path, body: str, css: str = "h1 { color: #000; }"):
    (tmp_path / "ssp.html.j2").write_text('{% extends "scc/ssp.html.j2" %}\n' + body)
    (tmp_path / "org.css").write_text(css)
    return tmp_path


def test_organisation_overrides_blocks_by_inheritance_and_its_stylesheet_is_the_only_extra_fetch(tmp_path):
    templates = org_templates(tmp_path, """
{% block stylesheets %}{{ super() }}<link rel="stylesheet" href="{{ local_assets }}org.css">{% endblock %}
{% block notes %}<section id="notes" class="chapter"><h1>9 Agency annex for {{ system.name }}</h1></section>{% endblock %}
""")
    ssp = small_ssp()
    ssp["system-security-plan"]["system-characteristics"]["system-name"] = "<b>Payroll</b>{{7*7}}"
    fetcher = asset_fetcher(pack_dir("templates"), templates)
    pdf = render_ssp_pdf(ssp, None, ["hidden note"], MARKING, templates_dir=templates, fetcher=fetcher)
    text = "\n".join(pdf_pages(pdf, tmp_path))
    assert "9 Agency annex for <b>Payroll</b>{{7*7}}" in text          # escaped in the organisation's block too
    assert "hidden note" not in text and "What scc noticed" not in text     # the shipped block was replaced
    assert "7 Control implementation" in text                           # every other block is the shipped one
    assert fetcher.requested == [(pack_dir("templates") / "ssp.css").resolve().as_uri(),
                                 (templates / "org.css").resolve().as_uri()]
    assert fetcher.refused == []


@pytest.mark.parametrize("body, problem", [
    ("{% block notes %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}", "unsafe"),
    ("{% block notes %}{% include '../../../../etc/passwd' %}{% endblock %}", "etc/passwd"),
    ("{% block notes %}{% if %}{% endblock %}", "line"),
])
def test_unusable_organisation_templates_are_one_line_errors(tmp_path, body, problem):
    templates = org_templates(tmp_path, body)
    with pytest.raises(TemplateProblem) as caught:
        render_ssp_html(small_ssp(), None, [], MARKING, templates_dir=templates)
    assert str(templates) in str(caught.value) and problem in str(caught.value) and "\n" not in str(caught.value)


def test_organisation_template_cannot_make_the_renderer_fetch_outside_the_two_directories(tmp_path):
    templates = org_templates(tmp_path, '{% block stylesheets %}{{ super() }}<link rel="stylesheet" '
                                        'href="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">{% endblock %}')
    fetcher = asset_fetcher(pack_dir("templates"), templates)
    render_ssp_pdf(small_ssp(), None, [], MARKING, templates_dir=templates, fetcher=fetcher)
    assert sorted(fetcher.refused) == ["file:///etc/passwd", "http://127.0.0.1:1/x.png"]


def test_package_templates_option_reaches_the_pdf_and_a_missing_directory_is_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "no-content"))
    (tmp_path / "org").mkdir()
    templates = org_templates(tmp_path / "org", "{% block notes %}<section id=\"notes\"><h1>Agency annex 7731</h1>"
                                                "</section>{% endblock %}")
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--templates", str(tmp_path / "absent"),
                           "--out", str(tmp_path / "pkg"))
    assert code == 2 and "absent" in err and not (tmp_path / "pkg").exists()
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--templates", str(templates), "--out", str(tmp_path / "pkg"))
    assert code == 0, err
    text = "\n".join(pdf_pages((tmp_path / "pkg" / "ssp.pdf").read_bytes(), tmp_path))
    assert "Agency annex 7731" in text and "7 Control implementation" in text


def test_the_override_example_in_docs_renders_as_documented(tmp_path):
    docs = (Path(__file__).resolve().parents[1] / "docs" / "ssp.md").read_text()
    (tmp_path / "ssp.html.j2").write_text(re.search(r"```jinja\n(.*?)```", docs, re.DOTALL).group(1))
    (tmp_path / "agency.css").write_text(re.search(r"```css\n(.*?)```", docs, re.DOTALL).group(1))
    fetcher = asset_fetcher(pack_dir("templates"), tmp_path)
    pdf = render_ssp_pdf(small_ssp(), small_poam(), ["one", "two"], MARKING, templates_dir=tmp_path, fetcher=fetcher)
    text = "\n".join(pdf_pages(pdf, tmp_path))
    assert f"Prepared for the Agency Risk Executive. Handle as {MARKING}." in text
    assert "2 note(s); see the package's manifest for the inputs." in text
    assert "SYSTEM SECURITY PLAN" in text and "7 Control implementation" in text     # super() and untouched blocks
    assert fetcher.requested[-1] == (tmp_path / "agency.css").resolve().as_uri() and fetcher.refused == []


# -- issue 12: the POA&M chapter summarises; it never lists every item --------------------------------


def test_poam_summary_from_the_poam_alone_says_what_it_cannot_state():
    text = visible_text(render_ssp_html(small_ssp(), small_poam(), [], MARKING))
    # severity x state: open, overdue (not stated without the engine's states), risk accepted, closed
    assert "high 2 1 (not stated) 0 1" in text and "low 1 1 (not stated) 0 0" in text and "Total 3 2 (not stated) 0 1" in text
    assert "Overdue items and closed findings are not stated: only the POA&M was given." in text
    assert "most severe first: 3 of 3. This is every item of the POA&M." in text
    assert "Findings closed by VEX" not in text


def test_engine_states_add_overdue_and_closed_findings_to_the_tally():
    poam = small_poam()
    for item in poam["plan-of-action-and-milestones"]["poam-items"]:
        item["props"] += [{"name": "poam-kind", "value": "vulnerability"},
                          {"name": "finding-identity", "value": item["title"]}, {"name": "package", "value": "zlib"}]
    states = {"overdue": {"vulnerability/Weakness 1": 12},
              "closed": [{"severity": "high", "package": "zlib", "closure": "vex"},
                         {"severity": "critical", "package": "musl", "closure": "scanner"}]}
    text = visible_text(render_ssp_html(small_ssp(), poam, [], MARKING, findings=states))
    assert "critical 0 0 0 0 0 0 1" in text and "high 2 1 1 0 1 1 0" in text and "Total 3 2 1 0 1 1 1" in text
    assert "zlib 2 1 high; 1 low 1" in text and "2 open finding(s) in 1 package(s)." in text
    assert re.search(r"Weakness 1 .* high open 2026-12-20 overdue 12 day\(s\)", text)


def test_the_item_oscal_requires_when_nothing_is_open_is_not_counted():
    poam = {"plan-of-action-and-milestones": {"uuid": "33333333-0000-4000-8000-000000000002", "metadata": {},
            "poam-items": [{"uuid": "i-0", "title": "No open items", "description": "nothing open",
                            "props": [{"name": "poam-kind", "value": "none"}]}]}}
    text = visible_text(render_ssp_html(small_ssp(), poam, [], MARKING))
    assert "0 POA&M item(s)." in text and "The POA&M holds no open item." in text


def test_many_notes_are_capped_and_the_rest_counted():
    notes = [f"input-{n}.json: passed over" for n in range(_ssp_view.MAX_NOTES + 40)]
    text = visible_text(render_ssp_html(small_ssp(), None, notes, MARKING))
    assert f"input-{_ssp_view.MAX_NOTES - 1}.json" in text and f"input-{_ssp_view.MAX_NOTES}.json" not in text
    assert "40 more note(s): the package's manifest.json lists every one." in text


def test_poam_items_in_full_show_what_the_related_observation_found() -> None:
    """The POA&M writes what was found once, in the observation; the PDF shows it, not the pointer sentence."""
    from scc.writers._poam_view import poam_view

    plan = {"plan-of-action-and-milestones": {
        "observations": [{"uuid": "o1", "description": "CVE-2099-1 (high) in pkg 1.0. Fixed in 1.1."}],
        "poam-items": [{"uuid": "i1", "title": "CVE-2099-1 in pkg 1.0",
                        "description": "Remediate CVE-2099-1 (high); the related observation describes it.",
                        "related-observations": [{"observation-uuid": "o1"}]}]}}
    (row,) = poam_view(plan)["rows"]
    assert row["description"] == "CVE-2099-1 (high) in pkg 1.0. Fixed in 1.1."
