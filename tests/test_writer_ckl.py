"""CKL (STIG Viewer 2.x XML) and CKLB (STIG Viewer 3 JSON) checklists, checked against a real consumer
(MITRE SAF CLI ckl2hdf) and against the official SRG content in the shared reference data."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from _writer_assessment import ACCEPTED, HOSTILE_NAME, PLAN, build_assessment, expected_ckl_status
from lxml import etree

from scc.content.model import Benchmark, BenchmarkRule
from scc.writers import writer

SAF_VERSION = "1.5.3"
SAF_DIR = Path.home() / ".cache" / "scc-test-saf"
XCCDF11 = {"x": "http://checklists.nist.gov/xccdf/1.1"}
VULN_ATTRIBUTES = [
    "Vuln_Num", "Severity", "Group_Title", "Rule_ID", "Rule_Ver", "Rule_Title", "Vuln_Discuss", "IA_Controls",
    "Check_Content", "Fix_Text", "False_Positives", "False_Negatives", "Documentable", "Mitigations",
    "Potential_Impact", "Third_Party_Tools", "Mitigation_Control", "Responsibility",
    "Security_Override_Guidance", "Check_Content_Ref", "Weight", "Class", "STIGRef", "TargetKey", "STIG_UUID",
    "LEGACY_ID", "LEGACY_ID",
]
CKLB_RULE_KEYS = [
    "uuid", "stig_uuid", "target_key", "stig_ref", "group_id", "rule_id", "rule_id_src", "weight",
    "classification", "severity", "rule_version", "group_title", "rule_title", "fix_text", "false_positives",
    "false_negatives", "discussion", "check_content", "documentable", "mitigations", "potential_impacts",
    "third_party_tools", "mitigation_control", "responsibility", "security_override_guidance", "ia_controls",
    "check_content_ref", "legacy_ids", "ccis", "group_tree", "createdAt", "updatedAt", "STIGUuid", "status",
    "overrides", "comments", "finding_details",
]
#: group id of each planned SRG rule -> the scc rule id
GROUP_OF = {ref.group_id: rule_id for rule_id, (_, ref, _) in PLAN.items() if ref is not None}


def parse_ckl(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def vulns(root: etree._Element) -> dict[str, dict[str, object]]:
    """Vuln_Num -> {attribute: value or [values], STATUS, FINDING_DETAILS, ...}."""
    found = {}
    for vuln in root.iter("VULN"):
        row: dict[str, object] = {}
        for data in vuln.findall("STIG_DATA"):
            name, value = data.findtext("VULN_ATTRIBUTE"), data.findtext("ATTRIBUTE_DATA")
            if name in ("CCI_REF", "LEGACY_ID"):
                row.setdefault(name, []).append(value)
            else:
                row[name] = value
        for tag in ("STATUS", "FINDING_DETAILS", "COMMENTS", "SEVERITY_OVERRIDE", "SEVERITY_JUSTIFICATION"):
            row[tag] = vuln.findtext(tag)
        found[str(row["Vuln_Num"])] = row
    return found


# -- official content stand-in: the shared DISA SRGs parsed here, independently of scc.content ----------
def _benchmark(path: Path) -> Benchmark:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    rules = []
    for group in tree.getroot().iterfind("x:Group", XCCDF11):
        rule = group.find("x:Rule", XCCDF11)
        description = rule.findtext("x:description", "", XCCDF11)
        rules.append(BenchmarkRule(
            group_id=group.get("id"), rule_id=rule.get("id"), version=rule.findtext("x:version", "", XCCDF11),
            severity=rule.get("severity"), title=rule.findtext("x:title", "", XCCDF11),
            description=description.split("<VulnDiscussion>")[-1].split("</VulnDiscussion>")[0],
            check_text=rule.findtext("x:check/x:check-content", "", XCCDF11),
            fix_text=rule.findtext("x:fixtext", "", XCCDF11),
            ccis=tuple(i.text for i in rule.iterfind("x:ident", XCCDF11) if i.text.startswith("CCI-")),
            group_title=group.findtext("x:title", "", XCCDF11),
        ))
    root = tree.getroot()
    release = root.findtext("x:plain-text[@id='release-info']", "", XCCDF11)
    return Benchmark(root.get("id"), root.findtext("x:title", "", XCCDF11), root.findtext("x:version", "", XCCDF11),
                     release, rules, source=str(path))


class FakeContent:
    def __init__(self, benchmarks: dict[str, Benchmark]) -> None:
        self.benchmarks = benchmarks

    def benchmark(self, name: str) -> Benchmark | None:
        return self.benchmarks.get(name)

    def catalog(self) -> None:     # only benchmarks are cached in this stand-in
        return None

    def cci(self) -> None:
        return None

    def baseline(self, name: str) -> None:
        return None


@pytest.fixture(scope="module")
def official(shared_data: Path) -> FakeContent:
    return FakeContent({"gpos-srg": _benchmark(shared_data / "disa" / "disa-os-srg-v3r2.xml"),
                        "ctr-srg": _benchmark(shared_data / "disa" / "disa-ctr-srg-v1r3.xml")})


# -- CKL -----------------------------------------------------------------------------------------------
def test_ckl_starts_like_a_stig_viewer_2_file():
    data = writer("ckl").render(build_assessment())
    lines = data.decode().splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert lines[1].startswith("<!--DISA STIG Viewer :: 2.") and lines[2] == "<CHECKLIST>"
    root = parse_ckl(data)
    assert [child.tag for child in root] == ["ASSET", "STIGS"]
    assert [child.tag for child in root.find("ASSET")] == [
        "ROLE", "ASSET_TYPE", "HOST_NAME", "HOST_IP", "HOST_MAC", "HOST_FQDN", "TARGET_COMMENT", "TECH_AREA",
        "TARGET_KEY", "WEB_OR_DATABASE", "WEB_DB_SITE", "WEB_DB_INSTANCE"]
    assert root.findtext("ASSET/HOST_NAME") == "registry.example/team/app:1.4.2@sha256:" + "d" * 64
    assert root.findtext("ASSET/ROLE") == "None" and root.findtext("ASSET/WEB_OR_DATABASE") == "false"
    assert "<HOST_IP></HOST_IP>" in data.decode()   # empty elements written open/close, as STIG Viewer does


def test_ckl_has_one_istig_per_benchmark_holding_only_that_benchmarks_rules():
    root = parse_ckl(writer("ckl").render(build_assessment()))
    istigs = root.findall("STIGS/iSTIG")
    ids = [{d.findtext("SID_NAME"): d.findtext("SID_DATA") for d in i.iterfind("STIG_INFO/SI_DATA")}["stigid"]
           for i in istigs]
    assert ids == ["General_Purpose_Operating_System", "Container_Platform_SRG"]
    numbers = [[v.find("STIG_DATA/ATTRIBUTE_DATA").text for v in i.iterfind("VULN")] for i in istigs]
    assert numbers == [["V-203591", "V-203695", "V-203593"], ["V-233015", "V-233016", "V-233163"]]
    names = [d.findtext("SID_NAME") for d in istigs[0].iterfind("STIG_INFO/SI_DATA")]
    assert names == ["version", "classification", "customname", "stigid", "description", "filename",
                     "releaseinfo", "title", "uuid", "notice", "source"]


def test_ckl_status_of_every_rule_is_the_engines_verdict():
    rows = vulns(parse_ckl(writer("ckl").render(build_assessment())))
    assert {GROUP_OF[g]: row["STATUS"] for g, row in rows.items()} == expected_ckl_status()


def test_ckl_vuln_attributes_are_in_stig_viewer_order_with_one_cci_ref_per_cci():
    root = parse_ckl(writer("ckl").render(build_assessment()))
    for vuln in root.iter("VULN"):
        names = [d.findtext("VULN_ATTRIBUTE") for d in vuln.findall("STIG_DATA")]
        assert names[:len(VULN_ATTRIBUTES)] == VULN_ATTRIBUTES
        assert set(names[len(VULN_ATTRIBUTES):]) == {"CCI_REF"}
        assert [c.tag for c in vuln][-5:] == ["STATUS", "FINDING_DETAILS", "COMMENTS", "SEVERITY_OVERRIDE",
                                              "SEVERITY_JUSTIFICATION"]
    audit = vulns(root)["V-203593"]
    assert audit["CCI_REF"] == ["CCI-000018", "CCI-001403"]
    assert audit["Rule_ID"] == "SV-203593r958368_rule" and audit["Rule_Ver"] == "SRG-OS-000004-GPOS-00004"
    assert audit["Group_Title"] == "SRG-OS-000004" and audit["Severity"] == "medium"


def test_ckl_finding_details_cite_evidence_and_comments_carry_the_accepted_risk():
    rows = vulns(parse_ckl(writer("ckl").render(build_assessment())))
    root_rule = rows["V-203695"]
    assert "non-root-user is not-satisfied on the facts" in root_rule["FINDING_DETAILS"]
    assert "sbom/app.cdx.json#/components/1" in root_rule["FINDING_DETAILS"]
    assert root_rule["Severity"] == "high" and root_rule["SEVERITY_OVERRIDE"] == ""
    accepted = rows["V-233163"]
    assert accepted["STATUS"] == "Open"
    assert "Orchestrator probes liveness instead." in accepted["COMMENTS"]
    assert "J. Smith (AO)" in accepted["COMMENTS"] and "2027-06-30" in accepted["COMMENTS"]
    assert "origin override" in accepted["COMMENTS"]
    assert accepted["Severity"] == "medium" and accepted["SEVERITY_OVERRIDE"] == "low"
    assert "J. Smith (AO)" in accepted["SEVERITY_JUSTIFICATION"]


@pytest.mark.slow
def test_ckl_with_official_content_lists_every_benchmark_rule(official):
    rows = vulns(parse_ckl(writer("ckl").render(build_assessment(content=official))))
    # 198 Groups in the GPOS SRG V3R2 and 173 in the Container Platform SRG V1R3 (counted with lxml)
    assert len(rows) == 198 + 173
    assert {GROUP_OF[g]: rows[g]["STATUS"] for g in GROUP_OF} == expected_ckl_status()
    unevaluated = [row for g, row in rows.items() if g not in GROUP_OF]
    assert {row["STATUS"] for row in unevaluated} == {"Not_Reviewed"}
    assert all("Not evaluated by scc" in row["COMMENTS"] for row in unevaluated)
    first = rows["V-203591"]
    assert first["Rule_Title"].startswith("The operating system must provide automated mechanisms")
    assert "this is a finding" in first["Check_Content"]
    assert first["STIGRef"] == ("General Purpose Operating System Security Requirements Guide :: Version 3, "
                                "Release: 2 Benchmark Date: 30 Jan 2025")


def test_ckl_survives_control_characters_and_markup_in_statements():
    assessment = build_assessment()
    assessment.rule_results[0].statement = "bad \x00\x1b[31m <script>&amp; " + HOSTILE_NAME
    rows = vulns(parse_ckl(writer("ckl").render(assessment)))
    assert "<script>&amp; =HYPERLINK" in rows["V-203591"]["FINDING_DETAILS"]


def test_ckl_and_cklb_render_identically_twice():
    for name in ("ckl", "cklb"):
        assert writer(name).render(build_assessment()) == writer(name).render(build_assessment())


# -- CKLB ----------------------------------------------------------------------------------------------
def test_cklb_has_stig_viewer_3_fields_in_order():
    document = json.loads(writer("cklb").render(build_assessment()))
    assert list(document) == ["title", "id", "stigs", "active", "mode", "has_path", "target_data", "cklb_version"]
    assert document["cklb_version"] == "1.0" and uuid.UUID(document["id"])
    assert document["target_data"]["host_name"].startswith("registry.example/team/app:1.4.2")
    assert isinstance(document["target_data"]["is_web_database"], bool)
    for stig in document["stigs"]:
        assert list(stig) == ["stig_name", "display_name", "stig_id", "release_info", "version", "uuid",
                              "reference_identifier", "size", "rules"]
        assert stig["size"] == len(stig["rules"])
        for rule in stig["rules"]:
            assert list(rule) == CKLB_RULE_KEYS
            assert rule["stig_uuid"] == rule["STIGUuid"] == stig["uuid"]
            assert rule["rule_id_src"] == rule["rule_id"] + "_rule"
            assert rule["group_tree"][0]["id"] == rule["group_id"]


def test_cklb_statuses_and_rows_match_the_ckl():
    assessment = build_assessment()
    ckl_rows = vulns(parse_ckl(writer("ckl").render(assessment)))
    document = json.loads(writer("cklb").render(assessment))
    spelled = {"NotAFinding": "not_a_finding", "Open": "open", "Not_Applicable": "not_applicable",
               "Not_Reviewed": "not_reviewed"}
    rules = {r["group_id"]: r for stig in document["stigs"] for r in stig["rules"]}
    assert set(rules) == set(ckl_rows)
    for group, rule in rules.items():
        assert rule["status"] == spelled[ckl_rows[group]["STATUS"]]
        assert rule["severity"] == ckl_rows[group]["Severity"]
        assert rule["finding_details"] == ckl_rows[group]["FINDING_DETAILS"]
    accepted = rules[next(g for g, r in GROUP_OF.items() if r == ACCEPTED)]
    assert accepted["overrides"]["severity"]["severity"] == "low"


# -- a real consumer: MITRE SAF CLI ckl2hdf -------------------------------------------------------------
@pytest.fixture(scope="session")
def saf() -> list[str]:
    binary = SAF_DIR / "node_modules" / ".bin" / "saf"
    if not binary.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not available to install @mitre/saf")
        SAF_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"@mitre/saf@{SAF_VERSION}"],
                              cwd=SAF_DIR, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0 or not binary.exists():
            pytest.skip(f"npm install @mitre/saf@{SAF_VERSION} failed: {done.stderr.strip()[-300:]}")
    return [str(binary)]


def _hdf_status(control: dict) -> str:
    """The control status Heimdall/inspecjs derives: impact 0 -> not applicable, else from the results."""
    statuses = {r["status"] for r in control["results"]}
    if control["impact"] == 0:
        return "not applicable"
    if "failed" in statuses:
        return "failed"
    if statuses == {"passed"}:
        return "passed"
    return "not reviewed"


@pytest.mark.slow
@pytest.mark.parametrize("with_content", [False, True])
def test_saf_ckl2hdf_reads_the_same_controls_and_statuses(saf, tmp_path, official, with_content):
    assessment = build_assessment(content=official if with_content else None)
    ckl = tmp_path / "scc.ckl"
    ckl.write_bytes(writer("ckl").render(assessment))
    out = tmp_path / "scc.hdf.json"
    done = subprocess.run([*saf, "convert", "ckl2hdf", "-i", str(ckl), "-o", str(out)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"}, check=False,
                          cwd=tmp_path)  # saf writes saf-cli.log into its working directory
    assert done.returncode == 0, done.stderr
    hdf = json.loads(out.read_text())
    per_benchmark = [p for p in hdf["profiles"] if p["name"] != "Parent Profile"] or hdf["profiles"]
    controls = {c["id"]: c for p in per_benchmark for c in p["controls"]}
    ours = vulns(parse_ckl(ckl.read_bytes()))
    assert len(controls) == len(ours)
    expected = {"NotAFinding": "passed", "Open": "failed", "Not_Applicable": "not applicable",
                "Not_Reviewed": "not reviewed"}
    assert {g: _hdf_status(c) for g, c in controls.items()} == {g: expected[r["STATUS"]] for g, r in ours.items()}


@pytest.mark.slow
def test_saf_reads_a_checklist_of_real_samples(saf, samples, tmp_path):
    import scc

    assessment = scc.assess([samples / "cyclonedx" / "alpine.syft.cdx-1.5.json",
                             samples / "grype" / "golang-1.12-alpine.grype.json",
                             samples / "image-config" / "oci1-config.json"])
    assessment.__dict__["content"] = None
    ckl = tmp_path / "real.ckl"
    ckl.write_bytes(writer("ckl").render(assessment))
    out = tmp_path / "real.hdf.json"
    done = subprocess.run([*saf, "convert", "ckl2hdf", "-i", str(ckl), "-o", str(out)], capture_output=True,
                          text=True, timeout=300, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    profiles = {p["name"]: len(p["controls"]) for p in json.loads(out.read_text())["profiles"]}
    ours = vulns(parse_ckl(ckl.read_bytes()))
    requirements = {(ref.benchmark, ref.group_id or ref.version) for r in assessment.srg_results for ref in r.rule.srg}
    assert profiles["Parent Profile"] == len(ours) == len(requirements) > 0
