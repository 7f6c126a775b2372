"""The OSCAL component-definition writer: valid for NIST's schema and trestle, faithful to the verdicts."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from validators import trestle_validate, validate_oscal_schema
from writer_assessment import FIXTURE_IMAGE, SCAN, build_assessment

from scc.assessment import Settings
from scc.writers import writer

NS = "https://scc.dev/ns/oscal"


def render(assessment) -> dict:
    return json.loads(writer("oscal-component-definition").render(assessment))


def props_of(node: dict, name: str) -> list[str]:
    return [p["value"] for p in node.get("props", []) if p["name"] == name and p.get("ns") == NS]


@pytest.fixture
def assessment():
    return build_assessment()


def test_writer_is_registered_under_its_package_name():
    w = writer("oscal-component-definition")
    assert w.filename == "component-definition.json"


@pytest.mark.slow
def test_component_definition_passes_nist_schema_and_trestle(assessment, tmp_path):
    path = assessment.write_oscal(tmp_path / "component-definition.json")
    validate_oscal_schema(path, "component")
    trestle_validate(path, "component-definition")


def test_each_control_result_is_one_implemented_requirement_with_its_verdict(assessment):
    component = render(assessment)["component-definition"]["components"][0]
    requirements = component["control-implementations"][0]["implemented-requirements"]
    expected = [(c.control_id, c.verdict.value) for c in assessment.control_results]
    assert [(r["control-id"], props_of(r, "verdict")[0]) for r in requirements] == expected
    si2 = next(r for r in requirements if r["control-id"] == "si-2")
    assert props_of(si2, "verdict") == ["not-satisfied"]
    assert props_of(si2, "rule-result") == ["si-2-flaw-remediation: not-satisfied"]
    assert "past its 15-day remediation SLA" in si2["description"]


def test_accepted_risk_override_is_stated_in_the_narrative(assessment):
    component = render(assessment)["component-definition"]["components"][0]
    cm7 = next(r for r in component["control-implementations"][0]["implemented-requirements"]
               if r["control-id"] == "cm-7")
    assert "accept-risk by ISSM J. Doe" in cm7["description"]
    assert "2027-01-31" in cm7["description"]


def test_evidence_links_resolve_to_back_matter_resources_with_the_input_sha256(assessment):
    document = render(assessment)["component-definition"]
    resources = {r["uuid"]: r for r in document["back-matter"]["resources"]}
    grype = FIXTURE_IMAGE / SCAN
    true_sha = hashlib.sha256(grype.read_bytes()).hexdigest()
    requirements = document["components"][0]["control-implementations"][0]["implemented-requirements"]
    si2 = next(r for r in requirements if r["control-id"] == "si-2")
    (link,) = si2["links"]
    assert link["rel"] == "evidence" and link["resource-fragment"] == "/matches/3/vulnerability"
    resource = resources[link["href"].removeprefix("#")]
    assert resource["title"] == str(grype)
    assert resource["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": true_sha}]
    inputs = [r for r in resources.values() if not any(p["name"] == "produced-by" for p in r.get("props", []))]
    assert len(inputs) == 3      # the other resources record the rule packs/content that produced it
    sc13 = next(r for r in requirements if r["control-id"] == "sc-13")
    assert "links" not in sc13   # a manual verdict without evidence cites nothing


def test_component_carries_the_image_identity(assessment):
    component = render(assessment)["component-definition"]["components"][0]
    assert component["type"] == "software"
    assert props_of(component, "image-digest") == ["sha256:" + "ab" * 32]
    assert props_of(component, "image-tag") == ["1.4.2"]
    assert props_of(component, "open-finding-count") == ["2"]


def test_source_is_the_chosen_baseline_profile():
    high = build_assessment(FIXTURE_IMAGE, Settings(baseline="high"))
    source = render(high)["component-definition"]["components"][0]["control-implementations"][0]["source"]
    assert source.endswith("/NIST_SP-800-53_rev5_HIGH-baseline_profile.json")
    default = render(build_assessment())["component-definition"]["components"][0]
    assert default["control-implementations"][0]["source"].endswith("MODERATE-baseline_profile.json")


def test_same_assessment_renders_byte_identical_json():
    first = writer("oscal-component-definition").render(build_assessment())
    second = writer("oscal-component-definition").render(build_assessment())
    assert first == second
    assert json.loads(first)["component-definition"]["metadata"]["last-modified"] == "2026-11-18T10:00:00Z"


def test_hostile_names_stay_valid_single_line_strings(tmp_path):
    hostile = "line\nbreak\u202eRTL <script>{{ 7*7 }}</script>" + "a" * 5000
    assessment = build_assessment(FIXTURE_IMAGE, image_name=hostile)
    path = assessment.write_oscal(tmp_path / "cd.json")
    validate_oscal_schema(path, "component")
    title = json.loads(path.read_text())["component-definition"]["components"][0]["title"]
    assert "\n" not in title and "{{ 7*7 }}" in title and len(title) <= 500


def test_official_control_title_is_carried_when_content_is_loaded(assessment, monkeypatch):
    import scc.writers.oscal_component as module

    monkeypatch.setattr(module, "official_control",
                        lambda a, cid: SimpleNamespace(title="Least Privilege") if cid == "ac-6" else None)
    requirements = render(assessment)["component-definition"]["components"][0][
        "control-implementations"][0]["implemented-requirements"]
    ac6 = requirements[0]
    assert ac6["remarks"] == "AC-6 Least Privilege" and props_of(ac6, "control-title") == ["Least Privilege"]
    assert "remarks" not in requirements[1]


def test_assessment_without_controls_is_still_a_valid_document(tmp_path):
    assessment = build_assessment()
    assessment.rule_results, assessment.control_results = [], []
    path = assessment.write_oscal(tmp_path / "cd.json")
    validate_oscal_schema(path, "component")
    assert "control-implementations" not in json.loads(path.read_text())["component-definition"]["components"][0]


@pytest.mark.slow
def test_importing_scc_and_discovering_writers_does_not_import_trestle_or_weasyprint():
    code = ("import sys, scc.writers; scc.writers.available_writers(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('trestle', 'weasyprint')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_control_implementation_holds_only_the_baseline_profile_controls(shared_data, tmp_path,
                                                                          monkeypatch):
    from dataclasses import replace

    from writer_assessment import import_reference_content

    from scc.engine.aggregate import aggregate_controls

    monkeypatch.setenv("SCC_CONTENT_DIR", str(import_reference_content(shared_data, tmp_path / "content")))
    assessment = build_assessment(FIXTURE_IMAGE, Settings(baseline="moderate"))
    first = assessment.rule_results[0]
    assessment.rule_results = [*assessment.rule_results,
                               replace(first, rule=replace(first.rule, id="sc-3-isolation", controls=("sc-3",)))]
    assessment.control_results = aggregate_controls(assessment.rule_results)
    ids = [r["control-id"] for r in render(assessment)["component-definition"]["components"][0]
           ["control-implementations"][0]["implemented-requirements"]]
    assert "sc-3" not in ids and "ac-6" in ids          # SC-3 is a HIGH-only control
