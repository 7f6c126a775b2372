"""SPDX 2 JSON / tag-value, SPDX 3 JSON-LD, CycloneDX XML and syft JSON readers on real files.

Expected numbers come from the raw files (json / lxml / line counts here), not from the readers.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from scc.errors import InputError
from scc.facts.identity import normalise_purl
from scc.facts.sbom import cyclonedx_json, cyclonedx_xml, spdx3, spdx_json, spdx_tagvalue, syft_json
from scc.facts.source import InputDocument

DATA = Path(__file__).parent / "data"
SPDX23_JSON = DATA / "fixture-image" / "sbom.spdx-2.3.json"     # authored, like syft's SPDX 2.3 JSON
TAG_VALUE = DATA / "alpine.syft-1.18.spdx-2.3.tv.spdx"
SPDX3 = DATA / "alpine.spdx-3.0.1.json"
CDX14_XML = DATA / "alpine.syft-1.18.cdx-1.4.xml"
SYFT16 = DATA / "alpine.syft-schema-16.json"
SPDX23_PACKAGES = DATA / "readers" / "spdx-2.3.fixture-packages.spdx.json"   # authored, SPDX example layout
SYFT11 = DATA / "readers" / "syft-schema-11.fixture-tools.syft.json"           # authored, syft 0.94 layout


def read(module, path):
    doc = InputDocument(path)
    assert module.READER.sniff(doc), f"{module.__name__} does not claim {path}"
    return module.READER.read(doc)


def resolve(data, pointer: str):
    for part in pointer.strip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def raw_keys(purls_and_fallbacks) -> list[str]:
    return sorted(normalise_purl(p) or fallback for p, fallback in purls_and_fallbacks)


# -- SPDX 2 JSON ---------------------------------------------------------------------------------

AUTHORED_SPDX = {"fixture-image": SPDX23_JSON, "fixture-packages": SPDX23_PACKAGES}


@pytest.mark.parametrize("name", ["SPDXJSONExample-v2.3.spdx.json", "alpine.syft.spdx-2.3.json",
                                  "conda.trivy.spdx-2.3.json", *AUTHORED_SPDX])
def test_spdx_json_reads_every_package_that_is_not_the_image(request, name):
    # the reference samples need ../shared; the authored files (tests/data) always run
    path = AUTHORED_SPDX.get(name) or request.getfixturevalue("samples") / "spdx" / name
    raw = json.loads(path.read_text())
    facts = read(spdx_json, path)
    images = [p for p in raw["packages"] if p.get("primaryPackagePurpose") == "CONTAINER"]
    assert len(facts.components) == len(raw["packages"]) - len(images)
    assert len(facts.relationships) == len(raw.get("relationships", []))
    for component in facts.components:  # every evidence pointer lands on the package it names
        assert resolve(raw, component.evidence[0].pointer)["name"] == component.name
    record = facts.sboms[0]
    assert (record.format, record.spec_version, record.serial) == ("spdx", "2.3", raw["documentNamespace"])
    assert record.timestamp.isoformat().startswith(raw["creationInfo"]["created"][:19])


def test_spdx_json_described_container_package_becomes_the_image_identity(samples):
    facts = read(spdx_json, samples / "spdx" / "alpine.syft.spdx-2.3.json")
    identity = facts.identity
    assert (identity.name, identity.tag, identity.architecture) == ("alpine", "latest", "arm64")
    assert identity.digest == "sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82"
    assert identity.evidence[0].pointer == "/packages/14"
    assert all(c.type == "apk" and c.purl.startswith("pkg:apk/alpine/") for c in facts.components)
    assert facts.sboms[0].tool == "syft-1.5.0"
    musl = next(c for c in facts.components if c.name == "musl")
    assert musl.supplier == "Natanael Copa" and musl.licenses == ("MIT",)
    libcrypto = next(c for c in facts.components if c.name == "libcrypto3")
    assert (musl.key, "DEPENDENCY_OF", libcrypto.key) in facts.relationships   # SPDXIDs -> component keys


def test_spdx_json_normalises_checksums_licenses_cpes_and_suppliers(samples):
    facts = read(spdx_json, samples / "spdx" / "SPDXJSONExample-v2.3.spdx.json")
    glibc = next(c for c in facts.components if c.name == "glibc")
    assert glibc.hashes == {
        "md5": "624c1abb3664f4b35547e7c73864ad24", "sha-1": "85ed0817af83a24ad8da68c2b5094de69833983c",
        "sha-256": "11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd",
        "blake2b-384": "aaabd89c926ab525c242e6621f2f5fa73aa4afe3d9e24aed727faaadd6af38b620bdb623dd2b4788b1c8086984af8706",
    }
    assert glibc.licenses == ("(LGPL-2.0-only OR LicenseRef-3)", "(LGPL-2.0-only AND LicenseRef-3)")
    assert glibc.cpes == ("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*",)
    assert glibc.supplier == "Jane Doe"
    commons = next(c for c in facts.components if c.name == "Apache Commons Lang")
    assert commons.licenses == () and commons.supplier == ""      # NOASSERTION everywhere
    jena = next(c for c in facts.components if c.name == "Jena")
    assert jena.purl == "pkg:maven/org.apache.jena/apache-jena@3.12.0"
    assert facts.identity.name == ""                              # glibc is SOURCE, not an image


def test_spdx_json_described_container_package_of_the_authored_sbom_becomes_the_image_identity():
    facts = read(spdx_json, SPDX23_JSON)
    raw = json.loads(SPDX23_JSON.read_text())
    identity = facts.identity
    assert identity.name == "registry.example.test/fixture/app"
    assert identity.evidence[0].pointer == "/packages/0"
    assert raw["packages"][0]["primaryPackagePurpose"] == "CONTAINER"
    assert sorted(c.name for c in facts.components) == ["busybox", "musl"]
    assert all(c.type == "apk" and c.purl.startswith("pkg:apk/alpine/") for c in facts.components)
    assert facts.sboms[0].tool == "syft-1.99.0"


def test_spdx_json_normalises_checksums_licenses_cpes_and_suppliers_of_the_authored_packages():
    facts = read(spdx_json, SPDX23_PACKAGES)
    libc = next(c for c in facts.components if c.name == "fixture-libc")
    assert libc.hashes == {
        "md5": "00112233445566778899aabbccddeeff", "sha-1": "00112233445566778899aabbccddeeff00112233",
        "sha-256": "ffeeddccbbaa99887766554433221100" * 2, "blake2b-384": "0a0b0c0d0e0f" * 8,
    }
    assert libc.licenses == ("(LGPL-2.1-only OR LicenseRef-fixture)", "(LGPL-2.1-only AND LicenseRef-fixture)")
    assert libc.cpes == ("cpe:2.3:a:fixture_org:fixture_libc:2.99:*:*:*:*:*:*:*",)
    assert libc.supplier == "Fixture Maintainer"
    lang = next(c for c in facts.components if c.name == "Fixture Lang Utilities")
    assert lang.licenses == () and lang.supplier == ""           # NOASSERTION everywhere
    store = next(c for c in facts.components if c.name == "Fixture Store")
    assert store.purl == "pkg:maven/org.example.fixture/fixture-store@3.12.0"
    assert facts.identity.name == ""                              # fixture-libc is SOURCE, not an image


@pytest.mark.parametrize("algorithm, expected", [
    ("SHA256", "sha-256"), ("SHA-256", "sha-256"), ("sha1", "sha-1"), ("MD5", "md5"),
    ("SHA3-256", "sha3-256"), ("sha3_512", "sha3-512"), ("BLAKE2b-256", "blake2b-256"), ("blake2b512", "blake2b-512"),
])
def test_hash_algorithm_names_match_the_cyclonedx_spelling(algorithm, expected):
    assert spdx_json.hash_algorithm(algorithm) == expected


@pytest.mark.parametrize("body, problem", [
    ({"spdxVersion": "SPDX-2.3", "packages": {"name": "x"}}, "packages is not a list"),
    ({"spdxVersion": "SPDX-2.3", "packages": ["x"]}, "packages[0] is not an object"),
    ({"spdxVersion": "SPDX-2.3", "creationInfo": [], "packages": []}, "creationInfo is not an object"),
])
def test_spdx_json_malformed_content_is_one_input_error(tmp_path, body, problem):
    path = tmp_path / "bad.spdx.json"
    path.write_text(json.dumps(body))
    with pytest.raises(InputError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        read(spdx_json, path)


# -- SPDX 2 tag-value ----------------------------------------------------------------------------

def test_tag_value_from_syft_gives_the_same_components_as_the_json_sample(samples):
    text = TAG_VALUE.read_text()
    facts = read(spdx_tagvalue, TAG_VALUE)
    json_facts = read(spdx_json, samples / "spdx" / "alpine.syft.spdx-2.3.json")
    assert sorted(c.key for c in facts.components) == sorted(c.key for c in json_facts.components)
    assert len(facts.components) == text.count("\nPackageName: ") - text.count("PrimaryPackagePurpose: CONTAINER")
    assert len(facts.relationships) == text.count("\nRelationship: ")
    lines = text.splitlines()
    for component in facts.components:
        number = int(component.evidence[0].pointer.removeprefix("line "))
        assert lines[number - 1] == f"PackageName: {component.name}"
    assert facts.identity.name == "alpine" and facts.identity.digest.startswith("sha256:1c3b93ed")
    assert facts.inputs[0].format == "spdx-tag-value" and facts.sboms[0].spec_version == "2.3"


HAND_WRITTEN = """\
## written after spdx/spdx-spec examples/SPDXTagExample-v2.3.spdx
SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: example-image
DocumentNamespace: https://example.com/spdx/example-image-1
Creator: Organization: Example Corp (ops@example.com)
Creator: Tool: trivy-0.50.1
Created: 2024-03-01T12:00:00Z
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image

PackageName: example-image
SPDXID: SPDXRef-Image
PackageVersion: sha256:DIGEST
PrimaryPackagePurpose: CONTAINER
ExternalRef: PACKAGE-MANAGER purl pkg:oci/example-image@sha256%3ADIGEST?tag=1.2

PackageName: openssl
SPDXID: SPDXRef-openssl
PackageVersion: 3.1.4-r5
PackageSupplier: Organization: Alpine Linux
PackageDescription: <text>Toolkit for TLS.
Spans several lines: PackageName: not-a-package
</text>
PackageChecksum: SHA256: BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
PackageLicenseConcluded: NOASSERTION
PackageLicenseDeclared: Apache-2.0
ExternalRef: SECURITY cpe23Type cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*
ExternalRef: PACKAGE-MANAGER purl pkg:apk/alpine/openssl@3.1.4-r5?arch=x86_64
Relationship: SPDXRef-Image CONTAINS SPDXRef-openssl

FileName: ./usr/bin/openssl
SPDXID: SPDXRef-File-openssl
FileChecksum: SHA1: cccccccccccccccccccccccccccccccccccccccc
""".replace("DIGEST", "a" * 64)


def test_tag_value_text_blocks_checksums_and_image_package(tmp_path):
    path = tmp_path / "image.spdx"
    path.write_text(HAND_WRITTEN)
    facts = read(spdx_tagvalue, path)
    assert [c.name for c in facts.components] == ["openssl"]
    openssl = facts.components[0]
    assert openssl.evidence[0].pointer == "line 18"
    assert openssl.hashes == {"sha-256": "b" * 64}
    assert openssl.licenses == ("Apache-2.0",) and openssl.supplier == "Alpine Linux"
    assert openssl.cpes == ("cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*",)
    assert facts.identity.name == "example-image" and facts.identity.tag == "1.2"
    assert facts.identity.digest == "sha256:" + "a" * 64
    assert facts.relationships == [("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"),
                                   ("SPDXRef-Image", "CONTAINS", openssl.key)]
    assert facts.sboms[0].tool == "trivy-0.50.1"


def test_tag_value_unclosed_text_block_is_an_input_error(tmp_path):
    path = tmp_path / "broken.spdx"
    path.write_text(HAND_WRITTEN.replace("</text>\n", ""))
    with pytest.raises(InputError, match="never closed"):
        read(spdx_tagvalue, path)


def test_tag_value_reader_does_not_claim_spdx_json():
    assert spdx_json.READER.sniff(InputDocument(SPDX23_JSON))
    assert not spdx_tagvalue.READER.sniff(InputDocument(SPDX23_JSON))
    assert not spdx_json.READER.sniff(InputDocument(TAG_VALUE))


# -- SPDX 3 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("spdx2", ["sample-json", "data-tag-value"])
def test_spdx3_reads_packages_identity_licenses_and_relationships(request, spdx2):
    # the same image in SPDX 2: the reference JSON sample (../shared), or tests/data's syft tag-value file
    raw = json.loads(SPDX3.read_text())
    packages = [e for e in raw["@graph"] if e["type"] == "software_Package"]
    containers = [e for e in packages if e.get("software_primaryPurpose") == "container"]
    facts = read(spdx3, SPDX3)
    assert len(facts.components) == len(packages) - len(containers) == 14
    two = (read(spdx_json, request.getfixturevalue("samples") / "spdx" / "alpine.syft.spdx-2.3.json")
           if spdx2 == "sample-json" else read(spdx_tagvalue, TAG_VALUE))
    assert sorted(c.key for c in facts.components) == sorted(c.key for c in two.components)
    assert facts.identity.digest == two.identity.digest and facts.identity.tag == "latest"
    zlib = next(c for c in facts.components if c.name == "zlib")
    assert zlib.licenses == ("Zlib",) and zlib.cpes and zlib.version == "1.3.1-r1"
    assert resolve(raw, zlib.evidence[0].pointer)["name"] == "zlib"
    license_rels = sum(len(e["to"]) for e in raw["@graph"] if e.get("relationshipType", "").startswith("has"))
    all_rels = sum(len(e["to"]) for e in raw["@graph"] if e["type"] == "Relationship")
    assert len(facts.relationships) == all_rels - license_rels
    record = facts.sboms[0]
    assert (record.spec_version, record.tool, record.component_count) == ("3.0.1", "syft-1.5.0", 14)


def test_spdx3_hashes_and_supplier_follow_the_element_references(tmp_path):
    graph = [
        {"@id": "_:c", "type": "CreationInfo", "specVersion": "3.0.0", "created": "2024-01-01T00:00:00Z",
         "createdBy": ["urn:org"], "createdUsing": ["urn:tool"]},
        {"spdxId": "urn:tool", "type": "Tool", "name": "example-tool 2", "creationInfo": "_:c"},
        {"spdxId": "urn:org", "type": "Organization", "name": "Example Org", "creationInfo": "_:c"},
        {"spdxId": "urn:p", "type": "software_Package", "name": "bash", "software_packageVersion": "5.2",
         "suppliedBy": "urn:org", "software_primaryPurpose": "operatingSystem",
         "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl",
                                 "identifier": "pkg:deb/debian/bash@5.2"}],
         "verifiedUsing": [{"type": "Hash", "algorithm": "sha3_256", "hashValue": "AB"}], "creationInfo": "_:c"},
        {"spdxId": "urn:r", "type": "Relationship", "relationshipType": "hasConcludedLicense", "from": "urn:p",
         "to": ["https://spdx.org/licenses/GPL-3.0-or-later"], "creationInfo": "_:c"},
    ]
    path = tmp_path / "bash.spdx3.json"
    path.write_text(json.dumps({"@context": "https://spdx.org/rdf/3.0.0/spdx-context.jsonld", "@graph": graph}))
    component = read(spdx3, path).components[0]
    assert component.purl == "pkg:deb/debian/bash@5.2" and component.hashes == {"sha3-256": "ab"}
    assert component.supplier == "Example Org" and component.type == "operating-system"
    assert component.licenses == ("GPL-3.0-or-later",)


def test_spdx3_reader_leaves_spdx2_alone():
    assert not spdx3.READER.sniff(InputDocument(SPDX23_JSON))
    assert not spdx_json.READER.sniff(InputDocument(SPDX3))


# -- CycloneDX XML -------------------------------------------------------------------------------

def _xml_components(path: Path):
    root = etree.parse(str(path)).getroot()
    ns = {"c": root.tag[1:].split("}")[0]}
    return list(root.find("c:components", ns).iter(f"{{{ns['c']}}}component")), ns


@pytest.mark.parametrize("path", ["samples", "data"])
def test_cyclonedx_xml_reads_every_component(request, path):
    # only the reference sample needs ../shared; tests/data's own file always runs
    file = request.getfixturevalue("samples") / "cyclonedx" / "alpine.syft.cdx-1.5.xml" if path == "samples" else CDX14_XML
    elements, ns = _xml_components(file)
    facts = read(cyclonedx_xml, file)
    assert len(facts.components) == len(elements) == 15
    expected = raw_keys((e.findtext("c:purl", "", ns), f"{e.get('type')}/{e.findtext('c:name', '', ns)}@"
                         f"{e.findtext('c:version', '', ns)}".lower()) for e in elements)
    assert sorted(c.key for c in facts.components) == expected
    assert facts.identity.name == "alpine" and facts.identity.os == "alpine 3.20.0"
    assert facts.identity.digest == "sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82"
    assert facts.sboms[0].tool == "syft 1.5.0"            # as the CycloneDX JSON reader writes it
    assert facts.components[2].evidence[0].pointer == "/bom/components/component[3]"
    assert facts.components[2].name == elements[2].findtext("c:name", "", ns)


def test_cyclonedx_xml_and_json_samples_give_the_same_component_keys(samples):
    raw = json.loads((samples / "cyclonedx" / "alpine.syft.cdx-1.5.json").read_text())
    expected = raw_keys((c.get("purl", ""), f"{c['type']}/{c['name']}@{c.get('version', '')}".lower())
                        for c in raw["components"])
    xml_facts = read(cyclonedx_xml, samples / "cyclonedx" / "alpine.syft.cdx-1.5.xml")
    assert sorted(c.key for c in xml_facts.components) == expected
    json_facts = cyclonedx_json.READER.read(InputDocument(samples / "cyclonedx" / "alpine.syft.cdx-1.5.json"))
    assert sorted(c.key for c in json_facts.components) == sorted(c.key for c in xml_facts.components)


NESTED = """<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
 <metadata><tools><components><component type="application"><name>cdxgen</name><version>10.1</version>
 </component></components></tools></metadata>
 <components>
  <component type="application" bom-ref="app"><group>com.acme</group><name>app</name><version>1</version>
   <hashes><hash alg="SHA-256">ABCD</hash></hashes>
   <licenses><expression>MIT OR Apache-2.0</expression></licenses>
   <supplier><name>Acme</name></supplier>
   <components>
    <component type="library" bom-ref="lib"><name>lib</name><version>2</version>
     <purl>pkg:maven/com.acme/lib@2</purl><licenses><license><name>Custom</name></license></licenses></component>
   </components>
  </component>
 </components>
 <dependencies><dependency ref="app"><dependency ref="lib"/></dependency></dependencies>
</bom>"""


def test_cyclonedx_xml_nested_components_have_their_own_xpath(tmp_path):
    path = tmp_path / "nested.cdx.xml"
    path.write_text(NESTED)
    facts = read(cyclonedx_xml, path)
    app, lib = facts.components
    assert app.name == "com.acme/app" and app.hashes == {"sha-256": "abcd"} and app.supplier == "Acme"
    assert app.licenses == ("MIT OR Apache-2.0",) and lib.licenses == ("Custom",)
    assert lib.evidence[0].pointer == "/bom/components/component[1]/components/component[1]"
    assert facts.relationships == [(app.key, "dependsOn", lib.key)]
    assert facts.sboms[0].tool == "cdxgen 10.1" and facts.sboms[0].spec_version == "1.6"


@pytest.mark.parametrize("name", ["billion-laughs.cdx.xml", "xxe-file.cdx.xml", "xxe-network.cdx.xml"])
def test_cyclonedx_xml_refuses_hostile_documents(hostile, name):
    doc = InputDocument(hostile / name)
    if not cyclonedx_xml.READER.sniff(doc):
        pytest.skip("not a CycloneDX root")
    with pytest.raises(InputError):
        cyclonedx_xml.READER.read(doc)


# -- syft JSON -----------------------------------------------------------------------------------

SYFT_SAMPLES = ["alpine-latest.syft-schema-1.1.json", "alpine.syft-schema-6.json", "busybox.syft-schema-11.json"]


@pytest.mark.parametrize("path", [*SYFT_SAMPLES, "schema-16", "schema-11-authored"])
def test_syft_json_reads_every_artifact_and_the_image(request, path):
    authored = {"schema-16": SYFT16, "schema-11-authored": SYFT11}
    file = authored.get(path) or request.getfixturevalue("samples") / "syft" / path
    raw = json.loads(file.read_text())
    facts = read(syft_json, file)
    assert len(facts.components) == len(raw["artifacts"])
    assert len(facts.relationships) == len(raw.get("artifactRelationships") or [])
    image = raw["source"].get("target") or raw["source"].get("metadata")
    assert facts.identity.digest == image["manifestDigest"]
    distro = raw["distro"]
    assert facts.identity.os == f"{distro.get('id') or distro['name']} {distro.get('versionID') or distro['version']}"
    for component, artifact in zip(facts.components, raw["artifacts"]):
        assert (component.name, component.version, component.purl) == (
            artifact["name"], artifact["version"], artifact["purl"])
        assert len(component.cpes) == len({c["cpe"] if isinstance(c, dict) else c for c in artifact["cpes"]})
    assert facts.sboms[0].format == "syft" and facts.sboms[0].spec_version == raw["schema"]["version"]


def test_syft_json_old_and_new_schemas_agree_on_the_same_image(samples):
    old = read(syft_json, samples / "syft" / "alpine.syft-schema-6.json")
    new = read(syft_json, SYFT16)
    assert [c.key for c in old.components] == [c.key for c in new.components]
    raw = json.loads(SYFT16.read_text())
    for component, artifact in zip(new.components, raw["artifacts"]):  # the SPDX expression wins over the text
        assert sorted(component.licenses) == sorted({x["spdxExpression"] or x["value"] for x in artifact["licenses"]})
    assert old.identity == type(old.identity)(**{**new.identity.__dict__, "evidence": old.identity.evidence})
    assert (new.identity.name, new.identity.tag, new.identity.architecture) == ("alpine", "latest", "amd64")


def test_syft_json_identity_from_busybox_schema_11(samples):
    facts = read(syft_json, samples / "syft" / "busybox.syft-schema-11.json")
    assert (facts.identity.name, facts.identity.tag, facts.identity.architecture) == ("busybox", "1.31", "arm64")
    assert facts.sboms[0].tool == "syft 0.94.0"
    assert facts.identity.evidence[0].pointer == "/source/metadata"


def test_syft_json_identity_from_the_authored_schema_11_source_metadata():
    facts = read(syft_json, SYFT11)
    identity = facts.identity
    assert (identity.name, identity.tag, identity.architecture) == ("registry.example.test/fixture/tools", "2.5", "arm64")
    assert identity.digest == "sha256:" + "5e" * 32                  # manifestDigest, not imageID
    assert facts.sboms[0].tool == "syft 0.94.0"
    assert identity.evidence[0].pointer == "/source/metadata"
    box = next(c for c in facts.components if c.name == "fixture-box")
    assert box.cpes == ("cpe:2.3:a:fixture-box:fixture-box:1.36.1:*:*:*:*:*:*:*",)   # the repeated CPE once
    assert next(c for c in facts.components if c.name == "fixture-ssl").licenses == ("Apache-2.0",)


def test_syft_json_malformed_artifact_is_an_input_error(tmp_path):
    path = tmp_path / "bad.syft.json"
    path.write_text(json.dumps({"artifacts": [{"name": "x", "cpes": "cpe:2.3:a"}], "source": {}, "descriptor": {}}))
    with pytest.raises(InputError, match=r"artifacts\[0\]\.cpes"):
        read(syft_json, path)


@pytest.mark.parametrize("path, fmt", [
    (TAG_VALUE, "spdx-tag-value"), (SPDX3, "spdx3-jsonld"), (CDX14_XML, "cyclonedx-xml"), (SYFT16, "syft-json"),
])
def test_the_registry_sends_each_sbom_format_to_its_reader(path, fmt):
    from scc.facts import detect_reader

    assert detect_reader(InputDocument(path)).format == fmt


_EXAMPLE_SBOM = Path(__file__).resolve().parents[1] / "examples" / "demo-image" / "sbom.cdx.json"
_JSON_LEAF = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.sampled_from(
    ["", "MIT", "Apache-2.0", "syft:cpe23", "cpe:2.3:a:x:x:1"])
_JSON_VALUE = st.recursive(_JSON_LEAF, lambda inner: st.lists(inner, max_size=2)
                           | st.dictionaries(st.sampled_from(["id", "name", "expression", "license", "value"]),
                                             inner, max_size=3), max_leaves=6)
_TEXTISH = st.sampled_from(["", "MIT", "Apache-2.0", "GPL-2.0-only"]) | _JSON_VALUE   # mostly texts, any JSON
_LICENSE = st.fixed_dictionaries({}, optional={"license": st.fixed_dictionaries(
    {}, optional={"id": _TEXTISH, "name": _TEXTISH}) | _JSON_VALUE, "expression": _TEXTISH})
_PROPERTY = st.fixed_dictionaries({}, optional={"name": _TEXTISH, "value": _TEXTISH})

def _outcome(read, *args):
    try:
        return read(*args)
    except InputError as error:
        return f"error: {error}"


@settings(max_examples=1000, deadline=None)
@given(st.lists(_LICENSE | _JSON_VALUE, max_size=2) | _JSON_VALUE)
def test_cyclonedx_licenses_fast_path_reads_what_the_full_reading_reads(value):
    cdx = cyclonedx_json
    doc = InputDocument(_EXAMPLE_SBOM)
    assert _outcome(cdx._licenses, doc, value, "components[0].licenses") == \
        _outcome(cdx._licenses_in_full, doc, value, "components[0].licenses")


@settings(max_examples=400, deadline=None)
@given(st.lists(_PROPERTY | _JSON_VALUE, max_size=2) | _JSON_VALUE)
def test_cyclonedx_properties_fast_path_reads_what_the_full_reading_reads(value):
    cdx = cyclonedx_json
    doc = InputDocument(_EXAMPLE_SBOM)
    expected = [] if value is None else _outcome(cdx._properties_in_full, doc, value, "components[0]")
    assert _outcome(cdx._properties, doc, {"properties": value}, "components[0]") == expected
