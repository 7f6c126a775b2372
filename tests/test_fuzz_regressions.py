"""Every distinct crash bench/fuzz/run.py has found, as a minimal reproducer authored here.

A reader returns facts or one InputError line naming the file; every writer then renders output its
validator accepts. The lone-surrogate cases crashed writers until the facts boundary
(scc/facts/safety.py) made every string safe.
"""
from __future__ import annotations

import io
import json

import pytest

from scc.assessment import Assessment
from scc.errors import InputError
from scc.facts import read_inputs
from scc.package import render_outputs


def grype_scan(version: str = "2.2.3", name: str = "werkzeug", vuln_id: str = "CVE-2023-46136") -> dict:
    """The smallest Grype document scc reads: one match, one artifact."""
    return {
        "descriptor": {"name": "grype", "version": "0.87.0", "timestamp": "2026-11-20T14:02:11Z"},
        "source": {"type": "image", "target": {"userInput": "demo:1"}},
        "matches": [{
            "artifact": {"name": name, "version": version, "type": "python", "purl": f"pkg:pypi/{name}@{version}"},
            "vulnerability": {"id": vuln_id, "severity": "High", "namespace": "github:language:python",
                              "fix": {"state": "fixed", "versions": ["2.3.8"]}},
            "relatedVulnerabilities": [],
            "matchDetails": [],
        }],
    }


def validate(name: str, data: bytes) -> None:
    """The fuzzer's validators, minus the OSCAL schema (tests/test_writer_oscal*.py cover it)."""
    if name.endswith((".json", ".cklb")):
        json.loads(data.decode("utf-8"))
    elif name.endswith((".xml", ".ckl")):
        from lxml import etree

        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    elif name.endswith(".xlsx"):
        import openpyxl

        openpyxl.load_workbook(io.BytesIO(data))
    elif name.endswith(".pdf"):
        assert data.startswith(b"%PDF-")


def read_then_render(tmp_path, document: dict | str, name: str = "scan.json") -> None:
    """The document is read (a refusal fails the test: these are valid inputs) and every output renders."""
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    facts = read_inputs([str(path)])
    assert [i.path for i in facts.inputs] == [str(path)]
    outputs = render_outputs(Assessment(facts))
    assert outputs
    for output, (data, _media) in render_outputs(Assessment(facts)).items():
        validate(output, data)


@pytest.mark.slow
def test_plain_minimal_grype_scan_renders_every_output(tmp_path):
    read_then_render(tmp_path, grype_scan())


@pytest.mark.slow
def test_lone_surrogate_in_a_grype_artifact_version_renders_every_output(tmp_path):
    # found: "render: UnicodeEncodeError at assessment.py:75" (uuid5 seed of a finding observation)
    read_then_render(tmp_path, json.dumps(grype_scan(version="\ud83d")))   # json.dumps writes "\ud83d" escaped


def test_xml_syntax_error_is_one_line(tmp_path):
    # found: cyclonedx-xml "InputError message is not one line" (libxml2's message for a NUL character
    # carries a newline before ", line N, column M"); a raw NUL byte triggers it
    bom = ('<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
           '<components><component type="library"><name>a\x00b</name><version>1</version></component>'
           '</components></bom>')
    path = tmp_path / "bom.cdx.xml"
    path.write_text(bom, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inputs([str(path)])
    assert "\n" not in str(caught.value) and "bom.cdx.xml" in str(caught.value)
    assert "malformed XML" in str(caught.value)


def slsa_statement(subject_sha256: str) -> dict:
    """The smallest SLSA v0.2 provenance statement scc reads."""
    return {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "demo", "digest": {"sha256": subject_sha256}}],
        "predicate": {"builder": {"id": "https://github.com/actions/runner"}, "buildType": "https://example/build"},
    }


@pytest.mark.slow
def test_plain_minimal_slsa_statement_renders_every_output(tmp_path):
    read_then_render(tmp_path, slsa_statement("a" * 64), "provenance.intoto.json")


@pytest.mark.slow
def test_lone_surrogate_in_an_attestation_subject_digest_renders_every_output(tmp_path):
    # found (in-toto and oci-image): "render: UnicodeEncodeError at _oscal_common.py:161" in the component definition
    read_then_render(tmp_path, json.dumps(slsa_statement("\ud83d")), "provenance.intoto.json")
