"""OpenVEX and CSAF VEX reading, and applying VEX to real scanner findings.

Statement counts come from the raw files (len(statements); CSAF: one statement per vulnerability
and product_status category whose products share flags/threats/remediations).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURE_IMAGE

from scc.errors import InputError
from scc.facts import read_input, read_inputs
from scc.facts.model import FindingState
from scc.facts.vex.vex_apply import apply_vex

VEX_TARGET = FIXTURE_IMAGE / "vex-target.grype.json"
IMAGE_DIGEST = "sha256:" + "d0" * 32   # VEX_TARGET's source.target.repoDigests
READERS = FIXTURE_IMAGE.parent / "readers"
#: authored VEX documents (tests/data/readers) the sample tests also run over, with or without ../shared
AUTHORED = {name: READERS / name for name in (
    "openvex-0.2.0.fixture.openvex.json", "openvex-early.fixture.vex.json", "csaf-2.0.fixture.csaf.json")}


def vex_file(request: pytest.FixtureRequest, folder: str, name: str) -> Path:
    """An authored document by its file name, else the reference sample (skips without ../shared)."""
    return AUTHORED.get(name) or request.getfixturevalue("samples") / folder / name


def _write(tmp_path: Path, name: str, value) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def _openvex(statements: list[dict], doc_id: str = "https://vex.example/doc-1", when: str = "2024-01-01T00:00:00Z"):
    return {"@context": "https://openvex.dev/ns/v0.2.0", "@id": doc_id, "author": "Example PSIRT",
            "timestamp": when, "version": 1, "statements": statements}


def _csaf(cve: str, category: str, purl: str, when: str, flag: str = "") -> dict:
    vuln = {"cve": cve, "product_status": {category: ["CSAFPID-1"]}}
    if flag:
        vuln["flags"] = [{"label": flag, "product_ids": ["CSAFPID-1"]}]
    return {
        "document": {
            "category": "csaf_vex", "csaf_version": "2.0", "title": "t",
            "publisher": {"category": "vendor", "name": "Vendor CERT", "namespace": "https://vendor.example"},
            "tracking": {"id": "VENDOR-VEX-1", "current_release_date": when, "initial_release_date": when,
                         "status": "final", "version": "1", "revision_history": []},
        },
        "product_tree": {"full_product_names": [{"name": "uri gem", "product_id": "CSAFPID-1",
                                                 "product_identification_helper": {"purl": purl}}]},
        "vulnerabilities": [vuln],
    }


# -- OpenVEX -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "count"), [
    ("demo.vex.json", 1), ("document1.vex.json", 1), ("images.vex.json", 4), ("nginx-sample-2vulns.openvex.json", 2),
    ("openvex-0.2.0.fixture.openvex.json", 3), ("openvex-early.fixture.vex.json", 2),
])
def test_every_openvex_sample_gives_one_statement_per_raw_statement(request, name, count):
    path = vex_file(request, "openvex", name)
    raw = json.loads(path.read_text())
    record, facts = read_input(str(path))
    assert record.format == "openvex"
    assert len(facts.vex) == len(raw["statements"]) == count
    for index, (statement, entry) in enumerate(zip(facts.vex, raw["statements"], strict=True)):
        assert statement.status.value == entry["status"]
        assert statement.evidence[0].pointer == f"/statements/{index}"
        assert statement.document == raw["@id"] and statement.author == raw["author"]
        assert statement.timestamp is not None


def test_openvex_v020_object_vulnerability_keeps_aliases_and_justification(samples):
    _, facts = read_input(str(samples / "openvex" / "nginx-sample-2vulns.openvex.json"))
    first = facts.vex[0]
    assert first.vulnerability == "CVE-2023-27103" and first.aliases == ("SNYK-DEBIAN12-LIBDE265-3361563",)
    assert first.status is FindingState.NOT_AFFECTED and first.justification == "component_not_present"
    assert first.products == ("pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0",)


def test_early_openvex_string_vulnerability_and_products(samples):
    _, facts = read_input(str(samples / "openvex" / "images.vex.json"))
    assert [s.vulnerability for s in facts.vex] == ["CVE-1234-5678"] * 4
    assert facts.vex[1].products == ("nginx",)
    assert facts.inputs[0].format_version == "pre-v0.2.0"


def test_product_subcomponents_are_what_the_statement_is_about(tmp_path):
    doc = _openvex([{
        "vulnerability": {"name": "CVE-2024-0001"}, "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "products": [{"@id": "pkg:oci/app@sha256%3Aabc",
                      "subcomponents": [{"@id": "pkg:apk/wolfi/foo@1.2.3"},
                                        {"identifiers": {"purl": "pkg:apk/wolfi/bar@2.0"}}]}],
    }])
    _, facts = read_input(_write(tmp_path, "sub.openvex.json", doc))
    assert facts.vex[0].products == ("pkg:apk/wolfi/foo@1.2.3", "pkg:apk/wolfi/bar@2.0")


def test_openvex_unknown_status_names_the_statement(tmp_path):
    doc = _openvex([{"vulnerability": {"name": "CVE-2024-0001"}, "status": "maybe"}])
    with pytest.raises(InputError, match=r"bad\.openvex\.json: OpenVEX /statements/0/status 'maybe'"):
        read_input(_write(tmp_path, "bad.openvex.json", doc))


# -- CSAF VEX ----------------------------------------------------------------------------------
def _csaf_groups(raw: dict) -> int:
    return sum(1 for v in raw["vulnerabilities"] for ids in v["product_status"].values() if ids)


@pytest.mark.parametrize(("name", "count", "released"), [
    ("2022-evd-uc-01-a-001.json", 1, "2022-03-03T11:00:00+00:00"),
    ("2022-evd-uc-02-na-001.json", 19, "2022-03-03T11:00:00+00:00"),
    ("vexctl-example.csaf.json", 1, "2022-03-03T11:00:00+00:00"),
    ("csaf-2.0.fixture.csaf.json", 2, "2099-06-01T08:00:00+00:00"),
])
def test_every_csaf_sample_is_read(request, name, count, released):
    path = vex_file(request, "csaf-vex", name)
    raw = json.loads(path.read_text())
    record, facts = read_input(str(path))
    assert record.format == "csaf-vex"
    assert len(facts.vex) == _csaf_groups(raw) == count
    for statement in facts.vex:
        assert statement.author == raw["document"]["publisher"]["name"]
        assert statement.document == raw["document"]["tracking"]["id"]
        assert statement.timestamp.isoformat() == released


def test_csaf_product_ids_become_purls_else_names(samples):
    _, with_purl = read_input(str(samples / "csaf-vex" / "vexctl-example.csaf.json"))
    assert with_purl.vex[0].products == ("pkg:generic/component1@1.3.4",)
    assert with_purl.vex[0].impact_statement == "Class with vulnerable code was removed before shipping."
    _, affected = read_input(str(samples / "csaf-vex" / "2022-evd-uc-01-a-001.json"))
    assert affected.vex[0].products == ("Example Company DEF 1.0",)
    assert affected.vex[0].status is FindingState.AFFECTED
    assert affected.vex[0].action_statement.startswith("vendor_fix: Customers should update")


def test_csaf_relationships_compose_component_purls_and_groups_carry_flags(tmp_path):
    doc = _csaf("CVE-2024-1111", "known_not_affected", "pkg:rpm/redhat/openssl@3.0.7-27.el9", "2024-05-01T00:00:00Z")
    doc["product_tree"] = {
        "branches": [{"category": "vendor", "name": "Red Hat", "branches": [
            {"category": "product_name", "name": "RHEL 9", "product": {"name": "RHEL 9", "product_id": "rhel-9"}},
            {"category": "product_version", "name": "openssl", "product": {
                "name": "openssl", "product_id": "openssl-3.0.7",
                "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src"}}},
        ]}],
        "relationships": [{"category": "default_component_of", "product_reference": "openssl-3.0.7",
                           "relates_to_product_reference": "rhel-9",
                           "full_product_name": {"name": "openssl on RHEL 9", "product_id": "rhel-9:openssl"}}],
        "product_groups": [{"group_id": "g1", "product_ids": ["rhel-9:openssl"]}],
    }
    doc["vulnerabilities"][0]["product_status"] = {"known_not_affected": ["rhel-9:openssl"]}
    doc["vulnerabilities"][0]["flags"] = [{"label": "vulnerable_code_not_present", "group_ids": ["g1"]}]
    _, facts = read_input(_write(tmp_path, "rh.csaf.json", doc))
    statement = facts.vex[0]
    assert statement.products == ("pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src",)
    assert statement.justification == "vulnerable_code_not_present"


# -- applying VEX to real findings (tests/data/fixture-image/vex-target.grype.json) ----------------------------------------------------------------
def test_openvex_about_the_image_closes_a_real_grype_finding(tmp_path):
    vex = _openvex([{
        "vulnerability": {"name": "CVE-2099-2001"}, "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "the runtime's parser is not used by the service",
        "products": [{"@id": f"pkg:oci/runtime@{IMAGE_DIGEST.replace(':', '%3A')}",
                      "subcomponents": [{"@id": "pkg:apk/wolfi/fixture-runtime@3.0.4-r1"}]}],
    }], when="2024-02-01T10:00:00Z")
    facts = read_inputs([str(VEX_TARGET), _write(tmp_path, "ruby.openvex.json", vex)])
    closed = [f for f in facts.findings if f.package == "fixture-runtime"]
    assert len(closed) == 1 and closed[0].state is FindingState.NOT_AFFECTED
    assert closed[0] not in facts.open_findings and closed[0] in facts.findings
    assert closed[0].vex.document == "https://vex.example/doc-1" and closed[0].vex.author == "Example PSIRT"
    assert closed[0].vex.justification == "vulnerable_code_not_in_execute_path"
    assert closed[0].vex.timestamp.isoformat() == "2024-02-01T10:00:00+00:00"
    # the same CVE in the gem is another package: still open
    assert [f.package for f in facts.open_findings] == ["fixture-gem"]


def test_statement_about_the_whole_image_covers_all_its_packages(tmp_path):
    vex = _openvex([{"vulnerability": {"name": "CVE-2099-2001"}, "status": "fixed",
                     "products": [{"@id": f"registry.example.test/fixture/runtime@{IMAGE_DIGEST}"}]}])
    facts = read_inputs([str(VEX_TARGET), _write(tmp_path, "image.openvex.json", vex)])
    assert {f.state for f in facts.findings} == {FindingState.FIXED} and not facts.open_findings


def test_statement_about_another_image_digest_does_not_apply(tmp_path):
    vex = _openvex([{"vulnerability": {"name": "CVE-2099-2001"}, "status": "not_affected",
                     "justification": "component_not_present",
                     "products": [{"@id": "pkg:oci/runtime@sha256%3A" + "0" * 64}]}])
    facts = read_inputs([str(VEX_TARGET), _write(tmp_path, "other.openvex.json", vex)])
    assert len(facts.open_findings) == len(facts.findings) == 2


def test_alias_and_versionless_purl_match_but_other_version_does_not(tmp_path):
    vex = _openvex([
        {"vulnerability": {"name": "GHSA-fxfx-vex0-0001"}, "status": "not_affected",
         "justification": "inline_mitigations_already_exist", "products": [{"@id": "pkg:gem/fixture-gem"}]},
        {"vulnerability": {"name": "CVE-2099-2001"}, "status": "fixed",
         "products": [{"@id": "pkg:apk/wolfi/fixture-runtime@3.0.5-r0"}]},
    ])
    facts = read_inputs([str(VEX_TARGET), _write(tmp_path, "alias.openvex.json", vex)])
    states = {f.package: f.state for f in facts.findings}
    assert states == {"fixture-gem": FindingState.NOT_AFFECTED, "fixture-runtime": FindingState.AFFECTED}


def test_conflicting_statements_latest_wins_and_the_note_names_both(tmp_path):
    openvex = _openvex([{"vulnerability": {"name": "CVE-2099-2001"}, "status": "affected",
                         "action_statement": "upgrade uri", "products": [{"@id": "pkg:gem/fixture-gem@0.10.1"}]}],
                       doc_id="https://vex.example/openvex-early", when="2024-01-01T00:00:00Z")
    csaf = _csaf("CVE-2099-2001", "known_not_affected", "pkg:gem/fixture-gem@0.10.1", "2024-03-01T00:00:00Z",
                 flag="vulnerable_code_not_in_execute_path")
    paths = [str(VEX_TARGET), _write(tmp_path, "a.openvex.json", openvex), _write(tmp_path, "b.csaf.json", csaf)]
    facts = read_inputs(paths)
    uri = next(f for f in facts.findings if f.package == "fixture-gem")
    assert uri.state is FindingState.NOT_AFFECTED and uri.vex.format == "csaf-vex"
    assert uri.vex.document == "VENDOR-VEX-1" and uri.vex.justification == "vulnerable_code_not_in_execute_path"
    assert [s.document for s in uri.vex_conflicts] == ["https://vex.example/openvex-early"]
    notes = [n for n in facts.notes if "VEX conflict on CVE-2099-2001" in n]
    assert len(notes) == 1
    assert "https://vex.example/openvex-early" in notes[0] and "VENDOR-VEX-1" in notes[0]
    assert "not_affected" in notes[0] and "affected in openvex" in notes[0]
    apply_vex(facts)   # re-applying (as a second merge does) adds no duplicate note
    assert len([n for n in facts.notes if "VEX conflict" in n]) == 1


def test_conflict_resolution_follows_time_not_input_order(tmp_path):
    openvex = _openvex([{"vulnerability": {"name": "CVE-2099-2001"}, "status": "affected",
                         "products": [{"@id": "pkg:gem/fixture-gem@0.10.1"}]}], when="2024-06-01T00:00:00Z")
    csaf = _csaf("CVE-2099-2001", "known_not_affected", "pkg:gem/fixture-gem@0.10.1", "2024-03-01T00:00:00Z")
    facts = read_inputs([_write(tmp_path, "b.csaf.json", csaf), str(VEX_TARGET),
                         _write(tmp_path, "a.openvex.json", openvex)])
    uri = next(f for f in facts.findings if f.package == "fixture-gem")
    assert uri.state is FindingState.AFFECTED and uri in facts.open_findings
    assert uri.vex.format == "openvex" and uri.vex_conflicts[0].format == "csaf-vex"
