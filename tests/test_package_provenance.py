"""Missing content is loud and the package records what produced it (issue 10, items 8 and 9)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import EXAMPLE
from test_cli import run_scc
from validators import trestle_validate, validate_oscal_schema

import scc
from scc.content.store import ContentStore
from scc.errors import ContentError
from scc.resources import pack_dir

OVERRIDES = EXAMPLE / "overrides.yaml"
OSCAL_DOCUMENTS = {"component-definition.json": ("component", "component-definition"),
                   "oscal-assessment-results.json": ("assessment-results", "assessment-results"),
                   "oscal-poam.json": ("poam", "plan-of-action-and-milestones")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- item 8: missing content is loud ----------------------------------------------------------------

def test_an_explicit_baseline_without_its_content_is_exit_2_naming_it_and_the_fetch_command(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    out = tmp_path / "ato"
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--baseline", "moderate", "--out", str(out))
    assert code == 2 and not out.exists()
    (line,) = err.strip().splitlines()
    assert "nist-800-53-rev5-moderate (for baseline moderate)" in line
    assert "`scc content fetch nist-800-53-rev5-moderate nist-800-53-rev5-catalog`" in line
    assert "scc content import" in line
    code, _, err = run_scc(capsys, "gate", str(EXAMPLE), "--baseline", "moderate", "--max-cat1", "99")
    assert code == 2 and "nist-800-53-rev5-moderate" in err


@pytest.mark.slow
def test_a_benchmark_asked_for_by_name_without_its_content_is_exit_2(content_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))        # GPOS/CTR SRGs cached, no RHEL 9 STIG
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--benchmark", "rhel9-stig", "--out",
                           str(tmp_path / "ato"))
    assert code == 2 and "rhel9-stig" in err and "`scc content fetch rhel9-stig`" in err
    with pytest.raises(ContentError, match="rhel9-stig"):
        scc.assess([EXAMPLE], benchmarks=("rhel9-stig",))
    code, _, err = run_scc(capsys, "gate", str(EXAMPLE), "--benchmark", "gpos-srg", "--max-cat1", "99")
    assert code == 0, err


def test_the_api_refuses_a_baseline_that_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    with pytest.raises(ContentError, match="nist-800-53-rev5-high"):
        scc.assess([EXAMPLE], baseline="high")


@pytest.mark.slow
def test_the_default_run_without_content_works_and_says_so_once_in_output_manifest_and_ssp(
        tmp_path, capsys, monkeypatch):
    from scc.writers.ssp_pdf import render_html

    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    out = tmp_path / "ato"
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--out", str(out))
    assert code == 0, err
    said = [line for line in err.splitlines() if "content" in line and "rule packs alone" in line]
    assert len(said) == 1 and "none at all" in said[0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [n for n in manifest["notes"] if "rule packs alone" in n] == [said[0].removeprefix("note: ")]
    assert str(tmp_path) not in json.dumps(manifest)          # no cache path of this machine in the package
    html = render_html(scc.assess([EXAMPLE]))
    assert "official content not cached (none at all)" in html


@pytest.mark.slow
def test_with_content_the_chosen_baseline_is_named_in_the_ssp(content_dir, monkeypatch):
    from scc.writers.ssp_pdf import render_html

    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))
    html = render_html(scc.assess([EXAMPLE], baseline="moderate"))
    assert "MODERATE" in html


# --- item 9: provenance -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def package(content_dir, tmp_path_factory):
    import os

    out = tmp_path_factory.mktemp("prov") / "ato"
    before = os.environ.get("SCC_CONTENT_DIR"), os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SCC_CONTENT_DIR"] = str(content_dir)
    os.environ["SOURCE_DATE_EPOCH"] = os.environ.get("SCC_TEST_EPOCH", "1795700000")   # as conftest's clock
    try:
        scc.assess([EXAMPLE], baseline="moderate", overrides=OVERRIDES,
                   sla_days={"critical": 7, "high": 30, "medium": 90, "low": 180}).write_package(out)
    finally:
        for key, value in zip(("SCC_CONTENT_DIR", "SOURCE_DATE_EPOCH"), before, strict=True):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return out


@pytest.mark.slow
def test_manifest_records_scc_rule_packs_content_overrides_and_settings(package, content_dir, shared_data):
    record = json.loads((package / "manifest.json").read_text())["provenance"]
    assert record["scc-version"] == scc.__version__
    packs = {p["name"]: p["sha256"] for p in record["rule-packs"]}
    shipped = {f"{d}/{f.name}": sha256(f) for d in ("controls", "stig") for f in pack_dir(d).glob("*.yaml")}
    assert packs == shipped
    content = {c["name"]: c for c in record["content"]}
    assert set(content) == {"nist-800-53-rev5-catalog", "nist-800-53-rev5-moderate", "gpos-srg", "ctr-srg"}
    gpos = content["gpos-srg"]
    assert gpos["sha256"] == sha256(shared_data / "disa" / "disa-os-srg-v3r2.xml")
    assert gpos["release"] == "V3R2"                          # what the file says, not the registry's V3R3
    assert gpos["release-info"].startswith("Release: 2 ")
    assert content["nist-800-53-rev5-catalog"]["release"] == "5.2.0"
    assert content["nist-800-53-rev5-moderate"]["release"] == "5.1.1+u4"
    assert record["overrides"]["sha256"] == sha256(OVERRIDES)
    assert record["settings"] == {"sla-days": {"critical": 7, "high": 30, "low": 180, "medium": 90},
                                  "baseline": "moderate", "benchmarks": ["gpos-srg", "ctr-srg"],
                                  "max-scan-age-days": 30}
    assert str(content_dir) not in json.dumps(record)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OSCAL_DOCUMENTS))
def test_each_oscal_document_carries_settings_props_and_hashed_provenance_resources(package, content_dir, name):
    schema, kind = OSCAL_DOCUMENTS[name]
    path = package / name
    validate_oscal_schema(path, schema)
    trestle_validate(path, kind)
    root = next(iter(json.loads(path.read_text()).values()))
    props = {(p["name"], p["value"]) for p in root["metadata"]["props"]}
    assert {("scc-version", scc.__version__), ("baseline", "moderate"), ("benchmark", "gpos-srg"),
            ("sla-days-critical", "7"), ("max-scan-age-days", "30")} <= props
    resources = root["back-matter"]["resources"]
    by_role: dict[str, list] = {}
    for resource in resources:
        role = next((p["value"] for p in resource.get("props", []) if p["name"] == "produced-by"), None)
        if role:
            by_role.setdefault(role, []).append(resource)
    assert {r["title"] for r in by_role["rule-pack"]} >= {"rule-pack: stig/gpos-srg.yaml"}
    (overrides,) = by_role["overrides"]
    assert overrides["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": sha256(OVERRIDES)}]
    gpos = next(r for r in by_role["content"] if r["title"] == "content: gpos-srg")
    release = ContentStore(content_dir).lock()["gpos-srg"].release      # V3R2 with the reference content
    assert {"name": "release", "ns": "https://scc.dev/ns/oscal", "value": release} in gpos["props"]


@pytest.mark.slow
def test_provenance_is_deterministic(package, content_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))
    again = scc.assess([EXAMPLE], baseline="moderate", overrides=OVERRIDES,
                       sla_days={"critical": 7, "high": 30, "medium": 90, "low": 180}).write_package(tmp_path / "b")
    for name in ("manifest.json", *OSCAL_DOCUMENTS):
        assert (again / name).read_bytes() == (package / name).read_bytes(), name
