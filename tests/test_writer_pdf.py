"""The PDF SSP: the sections an assessor needs, inert hostile names, no fetches, byte-identical output."""
from __future__ import annotations

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
    # the POA&M summary lists the open finding with the POA&M's own due date
    page = " ".join(re.sub(r"<[^>]+>", " ", moderate[3]).split())
    assert re.search(r"CVE-2024-0001 in musl 1\.2\.3 [A-Z0-9, -]+ critical open 2026-11-01", page)


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
    assert len(evidenced) >= 7 and sum('<span class="pn">verdict</span>' in a for a in articles) == len(evidenced)


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
