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


@pytest.fixture(scope="module")
def moderate(content_dir):
    """One assessment with official content and the MODERATE baseline, rendered once for the module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCC_CONTENT_DIR", str(content_dir))
        assessment = build_assessment(FIXTURE_IMAGE, Settings(baseline="moderate", system_name="API service",
                                                        organization="DISA PEO"))
        fetcher = asset_fetcher(pack_dir("templates"))
        pdf = render_pdf(assessment, fetcher)
        html = render_html(assessment)
    return assessment, pdf, fetcher, html


@pytest.mark.slow
def test_ssp_has_title_summary_controls_findings_stig_and_appendix(moderate, tmp_path):
    _, pdf, _, _ = moderate
    text = pdf_text(pdf, tmp_path)
    assert pdf.startswith(b"%PDF-")
    for heading in ("Image summary", "Baseline coverage: MODERATE", "Control implementation",
                    "Vulnerability findings", "STIG / SRG results", "Appendix A: input documents"):
        assert heading in text
    assert "API service" in text and "DISA PEO" in text
    assert re.search(r"Page 1 of \d+", text)
    # official title and statement text from the catalog, and the rule statement
    assert "Least Privilege" in text and "principle of least privilege" in text
    assert "The image runs as UID 65532, not root." in text
    # env names only; open findings with the SLA due date the check computed; VEX-closed with justification
    assert "API_TOKEN" in text
    assert re.search(r"CVE-2024-0001\s+musl\s+1\.2\.3\s+1\.2\.4\s+Critical\s+9\.8\s+2026-11-01", text)
    assert "vulnerable_code_not_present" in squash(text)
    assert "SV-233233r601828_rule" in text and "CAT I" in text     # severity override high -> CAT I


def test_baseline_coverage_lists_every_moderate_control(moderate, shared_data):
    _, _, _, html = moderate
    profile = json.loads((shared_data / "nist" / "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json").read_text())
    with_ids = [i for imp in profile["profile"]["imports"] for i in imp["include-controls"][0]["with-ids"]]
    inherited = html.count("inherited / not evidenced by this component")
    assessed = len(re.findall(r"assessed by scc: ", html))
    assert inherited + assessed == len(with_ids) == 287
    assert assessed == 7                        # ac-6, ac-6.10, cm-7, cm-8, ra-5, sc-13, si-2 are all MODERATE


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
