"""OSCAL assessment-results and POA&M: valid against the NIST 1.2.1 schemas and `trestle validate`, and
carrying the assessment's verdicts, evidence, deadlines and accepted risks."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from _writer_assessment import ACCEPTED, SHA_SBOM, SHA_SCAN, build_assessment
from validators import trestle_validate, validate_oscal_schema

from scc.writers import writer


def _render(name: str, assessment=None) -> dict:
    return json.loads(writer(name).render(assessment or build_assessment()))


@pytest.fixture(scope="module")
def results() -> dict:
    return _render("oscal-assessment-results")["assessment-results"]


@pytest.fixture(scope="module")
def poam() -> dict:
    return _render("oscal-poam")["plan-of-action-and-milestones"]


# -- assessment results --------------------------------------------------------------------------------
@pytest.mark.slow
def test_assessment_results_pass_the_nist_schema_and_trestle(tmp_path):
    path = tmp_path / "ar.json"
    path.write_bytes(writer("oscal-assessment-results").render(build_assessment()))
    validate_oscal_schema(path, "assessment-results")
    trestle_validate(path, "assessment-results")


def test_import_ap_points_at_the_plan_resource_in_back_matter(results):
    href = results["import-ap"]["href"]
    resources = {r["uuid"]: r for r in results["back-matter"]["resources"]}
    assert href.startswith("#") and href[1:] in resources
    assert "rule packs" in resources[href[1:]]["title"]


def test_reviewed_controls_include_every_assessed_control(results):
    (result,) = results["results"]
    selected = [c["control-id"] for c in result["reviewed-controls"]["control-selections"][0]["include-controls"]]
    assert selected == ["ac-6", "ac-6.10", "au-2", "cm-6", "cm-7", "cm-8", "sc-13", "si-2"]
    assert result["start"] == result["end"] and result["start"].startswith("2026-11-20T12:00:00")


def test_findings_cover_every_open_control_and_rule(results):
    findings = results["results"][0]["findings"]
    targets = sorted(f["target"]["target-id"] for f in findings if f["target"]["type"] == "statement-id")
    # not-satisfied: ac-6, ac-6.10 (non-root-user), cm-6 (healthcheck), cm-8 (sbom-present); partial: si-2
    assert targets == ["ac-6.10_smt", "ac-6_smt", "cm-6_smt", "cm-8_smt", "si-2_smt"]
    rules = sorted(p["value"] for f in findings if f["target"]["type"] == "objective-id"
                   for p in f["props"] if p["name"] == "rule-id")
    assert rules == ["healthcheck", "non-root-user", "patched", "sbom-present"]
    assert all(f["target"]["status"]["state"] == "not-satisfied" for f in findings)
    observations = {o["uuid"] for o in results["results"][0]["observations"]}
    assert all(r["observation-uuid"] in observations for f in findings for r in f["related-observations"])


def test_observations_link_evidence_to_hashed_back_matter_resources(results):
    result = results["results"][0]
    resources = {r["uuid"]: r for r in results["back-matter"]["resources"]}
    rule_observations = [o for o in result["observations"]
                         if any(p["name"] == "rule-id" for p in o.get("props", []))]
    assert len(rule_observations) == 7
    for observation in rule_observations:
        (evidence,) = observation["relevant-evidence"]
        resource = resources[evidence["href"][1:]]
        assert resource["rlinks"][0]["href"] == "sbom/app.cdx.json"
        assert resource["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": SHA_SBOM}]
        assert evidence["description"].startswith("sbom/app.cdx.json at /components/")
    vulnerability = [o for o in result["observations"] if o["methods"] == ["TEST"]]
    assert sorted(o["title"].split()[0] for o in vulnerability) == ["CVE-2026-0001", "CVE-2026-0002",
                                                                     "CVE-2026-0004"]   # 0003 is VEX-closed
    hashes = {r["rlinks"][0]["hashes"][0]["value"] for r in resources.values() if r.get("rlinks")}
    assert SHA_SCAN in hashes


# -- POA&M ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_poam_passes_the_nist_schema_and_trestle(tmp_path):
    path = tmp_path / "poam.json"
    path.write_bytes(writer("oscal-poam").render(build_assessment()))
    validate_oscal_schema(path, "poam")
    trestle_validate(path, "plan-of-action-and-milestones")


def test_poam_has_one_item_per_open_vulnerability_and_open_rule(poam):
    titles = sorted(i["title"] for i in poam["poam-items"])
    assert len(titles) == 3 + 4      # CVE 0001, 0002, 0004 (0003 VEX not_affected); 4 open rule verdicts
    assert not any("CVE-2026-0003" in t for t in titles)
    kinds = sorted(p["value"] for i in poam["poam-items"] for p in i["props"] if p["name"] == "poam-kind")
    assert kinds == ["rule"] * 4 + ["vulnerability"] * 3


def _risk(poam: dict, words: str) -> dict:
    return next(r for r in poam["risks"] if words in r["title"])


def test_vulnerability_deadlines_follow_the_sla_from_first_seen_published_or_scan_time(poam):
    # critical, first seen 2026-11-10, 15 days -> 2026-11-25; high, published 2026-10-01, 30 days -> 10-31;
    # low, only the scan time 2026-11-01, 180 days -> 2027-04-30 (Settings() default SLA days)
    assert _risk(poam, "CVE-2026-0001")["deadline"].startswith("2026-11-25")
    assert _risk(poam, "CVE-2026-0002")["deadline"].startswith("2026-10-31")
    assert _risk(poam, "CVE-2026-0004")["deadline"].startswith("2027-04-30")
    remediation = _risk(poam, "CVE-2026-0001")["remediations"][0]
    assert "3.0.2" in remediation["description"]
    assert remediation["tasks"][0]["timing"]["on-date"]["date"].startswith("2026-11-25")


def test_poam_shows_the_engines_remediation_clock_never_a_recomputation():
    """Writers read the Report's remediation items (scc.engine.remediation); changing one changes every view."""
    from dataclasses import replace as replaced
    from datetime import UTC, datetime

    assessment = build_assessment()
    items = assessment.report.remediation_items
    (item,) = [i for i in items if i.finding is not None and i.finding.id == "CVE-2026-0001"]
    moved = replaced(item.clock, start=datetime(2026, 11, 16, tzinfo=UTC))
    assessment.report = replaced(assessment.report, remediation_items=tuple(
        replaced(i, clock=moved) if i is item else i for i in items))
    document = _render("oscal-poam", assessment)["plan-of-action-and-milestones"]
    risk = _risk(document, "CVE-2026-0001")
    assert risk["deadline"].startswith("2026-12-01")
    assert risk["statement"] == moved.explanation and "+ 15 days (sla_days[critical])" in risk["statement"]


def test_accepted_risk_is_deviation_approved_with_approver_and_expiry(poam):
    risk = _risk(poam, f"Rule {ACCEPTED} title")
    assert risk["status"] == "deviation-approved"
    assert risk["deadline"].startswith("2027-06-30")
    assert "J. Smith (AO)" in risk["statement"]
    props = {p["name"]: p["value"] for p in risk["props"]}
    assert props["approver"] == "J. Smith (AO)" and props["expires"] == date(2027, 6, 30).isoformat()
    open_rules = [r for r in poam["risks"] if r["title"].startswith("Rule ") and ACCEPTED not in r["title"]]
    assert {r["status"] for r in open_rules} == {"open"}


def test_rule_items_carry_the_fix_text(poam):
    risk = _risk(poam, "Rule non-root-user title")
    assert risk["remediations"][0]["description"] == "Fix non-root-user by rebuilding the image."


def test_oscal_outputs_are_reproducible():
    for name in ("oscal-assessment-results", "oscal-poam"):
        assert writer(name).render(build_assessment()) == writer(name).render(build_assessment())


def test_an_assessment_with_nothing_assessed_still_validates():
    from scc.assessment import Assessment
    from scc.facts.model import ImageFacts

    empty = Assessment(ImageFacts(), rules=[])
    empty.__dict__["content"] = None
    results = json.loads(writer("oscal-assessment-results").render(empty))
    validate_oscal_schema(results, "assessment-results")
    assert "include-all" in results["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]
    document = json.loads(writer("oscal-poam").render(empty))
    validate_oscal_schema(document, "poam")
    (item,) = document["plan-of-action-and-milestones"]["poam-items"]
    assert item["props"][0]["value"] == "none" and item["title"] == "No open items"


@pytest.mark.slow
def test_real_sample_assessment_results_and_poam_validate(samples, tmp_path):
    import scc

    assessment = scc.assess([samples / "cyclonedx" / "alpine.syft.cdx-1.5.json",
                             samples / "grype" / "golang-1.12-alpine.grype.json",
                             samples / "image-config" / "oci1-config.json"])
    for name, model, kind in (("oscal-assessment-results", "assessment-results", "assessment-results"),
                              ("oscal-poam", "poam", "plan-of-action-and-milestones")):
        path = tmp_path / f"{name}.json"
        path.write_bytes(writer(name).render(assessment))
        validate_oscal_schema(path, model)
        trestle_validate(path, kind)
    poam = json.loads((tmp_path / "oscal-poam.json").read_text())["plan-of-action-and-milestones"]
    # the grype report lists 89 matches, 89 distinct (id, package, version); no VEX input closes any
    raw = json.loads((samples / "grype" / "golang-1.12-alpine.grype.json").read_text())["matches"]
    distinct = {(m["vulnerability"]["id"], m["artifact"]["name"], m["artifact"]["version"]) for m in raw}
    kinds = Counter(p["value"] for i in poam["poam-items"] for p in i["props"] if p["name"] == "poam-kind")
    assert kinds["vulnerability"] == len(distinct) == 89
    assert kinds["rule"] == sum(1 for r in assessment.rule_results if r.verdict.is_open) > 0
