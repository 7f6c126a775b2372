"""Conformance with what real tools write: syft (every output format) and OpenSCAP, run here.

One Debian 12 root filesystem is built per session (30 dpkg packages copied from this machine's
status database, their copyright files, /etc/os-release and four real wheels installed by pip);
syft runs once over it writing every format, once over the example OCI layout, and oscap once over
it with the Chainguard GPOS SRG datastream. Expected values come from the raw files (json / lxml)
and from what the fixture put into the tree, never from scc's readers.
"""
from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from realtools import (
    DPKG_PACKAGES,
    NOT_READ,
    SYFT_FORMATS,
    WHEELS,
    build_debian_rootfs,
    python_packages,
    run_oscap,
    run_syft,
    syft_version,
)

from scc.errors import InputError
from scc.facts import read_input, read_inputs

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "demo-image"
SBOMS = [name for name, fmt in SYFT_FORMATS.items() if fmt not in NOT_READ]
REFUSED = [name for name, fmt in SYFT_FORMATS.items() if fmt in NOT_READ]
# file -> (scc format, format version); syft 1.18 writes CycloneDX XML 1.6 by default
EXPECTED_FORMAT = {
    "sbom.syft.json": ("syft-json", "16."),
    "sbom.cdx-1.4.json": ("cyclonedx-json", "1.4"),
    "sbom.cdx-1.5.json": ("cyclonedx-json", "1.5"),
    "sbom.cdx-1.6.json": ("cyclonedx-json", "1.6"),
    "sbom.cdx.xml": ("cyclonedx-xml", "1.6"),
    "sbom.spdx-2.2.json": ("spdx-json", "2.2"),
    "sbom.spdx-2.3.json": ("spdx-json", "2.3"),
    "sbom.spdx-2.2.tv.spdx": ("spdx-tag-value", "2.2"),
    "sbom.spdx-2.3.tv.spdx": ("spdx-tag-value", "2.3"),
    "sbom.cdx-1.2.json": ("cyclonedx-json", "1.2"),
    "sbom.cdx-1.3.json": ("cyclonedx-json", "1.3"),
    "sbom.cdx-1.2.xml": ("cyclonedx-xml", "1.2"),
    "sbom.cdx-1.4.xml": ("cyclonedx-xml", "1.4"),
    "sbom.cdx-1.5.xml": ("cyclonedx-xml", "1.5"),
    "sbom.spdx-2.1.tv.spdx": ("spdx-tag-value", "2.1"),
}
CYCLONEDX = [n for n in SBOMS if ".cdx" in n]
SPDX = [n for n in SBOMS if ".spdx" in n]
XCCDF_NS = "http://checklists.nist.gov/xccdf/1.2"


# -- fixtures: one build, one syft run per source, one oscap run ----------------------------------
@pytest.fixture(scope="session")
def rootfs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("debian-rootfs")
    problem = build_debian_rootfs(root)
    if problem:
        pytest.skip(problem)
    return root


@pytest.fixture(scope="session")
def syft_run(rootfs, tmp_path_factory) -> tuple[Path, str]:
    version = syft_version()
    if not version:
        pytest.skip("syft is not installed")
    out = tmp_path_factory.mktemp("syft")
    problem = run_syft(f"dir:{rootfs}", SYFT_FORMATS, out)
    if problem:
        pytest.fail(problem)
    return out, version


@pytest.fixture(scope="session")
def syft_out(syft_run) -> Path:
    return syft_run[0]


@pytest.fixture(scope="session")
def artifacts(syft_out) -> list[dict]:
    """syft's own inventory, straight from its JSON."""
    return json.loads((syft_out / "sbom.syft.json").read_text())["artifacts"]


@pytest.fixture(scope="session")
def syft_keys(syft_out) -> set[str]:
    return {c.key for c in read_input(str(syft_out / "sbom.syft.json"))[1].components}


@pytest.fixture(scope="session")
def oscap_out(rootfs, tmp_path_factory, shared_data) -> Path:
    datastream = shared_data / "disa" / "chainguard-gpos-srg-v3r2-ds.xml"
    if not datastream.is_file():
        pytest.skip(f"{datastream} is not available")
    out = tmp_path_factory.mktemp("oscap")
    problem = run_oscap(datastream, "xccdf_basic_profile_.check", rootfs, out)
    if problem == "oscap is not installed":
        pytest.skip(problem)
    if problem:
        pytest.fail(problem)
    return out


def facts_of(syft_out: Path, name: str):
    return read_inputs([syft_out / name])


# -- what syft itself found ------------------------------------------------------------------------
@pytest.mark.slow
def test_syft_found_every_package_the_tree_holds(rootfs, artifacts):
    wheels = python_packages(rootfs)
    kinds = collections.Counter(a["type"] for a in artifacts)
    assert kinds == {"deb": DPKG_PACKAGES, "python": len(wheels)} and len(wheels) == len(WHEELS)
    assert {a["purl"] for a in artifacts if a["type"] == "python"} == wheels


# -- every syft format gives the same inventory ----------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", SBOMS)
def test_every_syft_format_carries_syft_purls_exactly(syft_out, artifacts, name):
    facts = facts_of(syft_out, name)
    purls = [c.purl for c in facts.components if c.purl]
    assert sorted(purls) == sorted(a["purl"] for a in artifacts)


@pytest.mark.slow
@pytest.mark.parametrize("name", SBOMS)
def test_every_syft_format_gives_the_same_component_keys(syft_out, syft_keys, artifacts, name):
    facts = facts_of(syft_out, name)
    keys = [c.key for c in facts.components]
    assert len(keys) == len(set(keys))
    if name in CYCLONEDX:
        # syft-json keeps the distro in /distro; CycloneDX lists it as an operating-system component
        extra = [c for c in facts.components if c.type == "operating-system"]
        assert [(c.name, c.version, c.purl) for c in extra] == [("debian", "12", "")]
        assert set(keys) == syft_keys | {extra[0].key}
        assert len(keys) == len(artifacts) + 1
    else:
        # SPDX: syft's described root (SPDXRef-DocumentRoot-Directory-<path>) is the scanned
        # directory, not a package, and is not counted
        assert set(keys) == syft_keys
        assert len(keys) == len(artifacts)
    # the count is software only: the distro record is the subject, not a component (issue 10)
    assert facts.sboms[0].component_count == len(artifacts)


def _spdx_license_ref(value: str) -> str:
    """What syft writes in SPDX for a license that is not an SPDX id (idstring: letters, digits, . and -)."""
    return "LicenseRef-" + re.sub(r"[^A-Za-z0-9.-]", "-", value)


def _expected_licenses(artifact: dict, spdx: bool) -> set[str]:
    found = set()
    for lic in artifact.get("licenses") or ():
        expression = lic.get("spdxExpression") or ""
        found.add(expression or (_spdx_license_ref(lic["value"]) if spdx else lic["value"]))
    return found


def _license_terms(licenses: tuple[str, ...]) -> set[str]:
    return {term.strip("() ") for text in licenses for term in re.split(r"\s+AND\s+", text)}


@pytest.mark.slow
@pytest.mark.parametrize("name", SBOMS)
def test_licenses_are_read_wherever_syft_wrote_them(syft_out, artifacts, name):
    by_purl = {c.purl: c for c in facts_of(syft_out, name).components if c.purl}
    spdx = name in SPDX
    with_licenses = 0
    for artifact in artifacts:
        component = by_purl[artifact["purl"]]
        expected = _expected_licenses(artifact, spdx)
        found = _license_terms(component.licenses) if spdx else set(component.licenses)
        assert found == expected, artifact["purl"]
        with_licenses += bool(expected)
    assert with_licenses >= DPKG_PACKAGES     # every deb here ships a copyright file naming licenses


@pytest.mark.slow
@pytest.mark.parametrize("name", SBOMS)
def test_sbom_record_names_syft_its_version_and_the_spec(syft_run, name):
    syft_out, version = syft_run
    record, facts = read_input(str(syft_out / name))
    fmt, spec = EXPECTED_FORMAT[name]
    assert record.format == fmt and record.format_version.startswith(spec)
    sbom = facts.sboms[0]
    assert sbom.spec_version.startswith(spec)
    assert "syft" in sbom.tool and version in sbom.tool
    assert "syft" in record.tool and version in record.tool


@pytest.mark.slow
@pytest.mark.parametrize("name", SBOMS)
def test_a_directory_scan_names_no_image_and_the_os_where_the_format_carries_it(syft_out, name):
    identity = facts_of(syft_out, name).identity
    assert (identity.name, identity.tag, identity.digest) == ("", "", "")
    # syft's SPDX output carries the distro only inside each purl (distro=debian-12)
    assert identity.os == ("" if name in SPDX else "debian 12")


def test_syft_json_names_the_supplier_syft_cyclonedx_names(syft_out):
    cyclonedx = {c.key: c.supplier for c in facts_of(syft_out, "sbom.cdx-1.6.json").components}
    native = {c.key: c.supplier for c in facts_of(syft_out, "sbom.syft.json").components}
    assert native == {k: v for k, v in cyclonedx.items() if k in native}
    assert all(native.values())    # every deb has a Maintainer, every wheel here an author


def test_cpes_and_suppliers_agree_between_cyclonedx_json_and_xml(syft_out):
    raw = json.loads((syft_out / "sbom.cdx-1.6.json").read_text())["components"]
    with_more_cpes = sum(any(p["name"] == "syft:cpe23" for p in c.get("properties", ())) for c in raw)
    json_components = {c.key: c for c in facts_of(syft_out, "sbom.cdx-1.6.json").components}
    xml_components = {c.key: c for c in facts_of(syft_out, "sbom.cdx.xml").components}
    assert json_components.keys() == xml_components.keys()
    for key, component in json_components.items():
        assert xml_components[key].cpes == component.cpes, key
        assert xml_components[key].supplier == component.supplier, key
    assert with_more_cpes > 0     # syft writes the extra CPEs as syft:cpe23 properties: both readers keep them
    assert sum(len(c.cpes) > 1 for c in xml_components.values()) == with_more_cpes
    assert sum(bool(c.supplier) for c in xml_components.values()) == sum(bool(c.get("publisher") or c.get("author")) for c in raw)


@pytest.mark.parametrize("name", REFUSED)
def test_syft_outputs_scc_does_not_read_are_refused_with_one_line(syft_out, name):
    with pytest.raises(InputError) as caught:
        read_inputs([syft_out / name])
    message = str(caught.value)
    assert "\n" not in message and name in message


@pytest.mark.slow
def test_scc_facts_cli_reports_each_syft_format(syft_run):
    syft_out, version = syft_run
    run = subprocess.run([sys.executable, "-m", "scc.cli", "facts", "--json", *(str(syft_out / n) for n in SBOMS)],
                         check=False, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    seen = {Path(i["path"]).name: (i["format"], i["version"], i["tool"]) for i in report["inputs"]}
    for name, (fmt, spec) in EXPECTED_FORMAT.items():
        assert seen[name][0] == fmt and seen[name][1].startswith(spec) and version in seen[name][2]
    refused = subprocess.run([sys.executable, "-m", "scc.cli", "facts", "--json", str(syft_out / "sbom.github.json")],
                             check=False, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1


# -- scc's own readers of the tree agree with syft -------------------------------------------------
def test_scc_rootfs_reader_finds_the_same_debian_packages_as_syft(rootfs, artifacts, syft_keys):
    _, facts = read_input(str(rootfs))
    deb_keys = {c.key for c in facts.components if c.key.startswith("pkg:deb/")}
    assert len(deb_keys) == DPKG_PACKAGES
    assert deb_keys == {k for k in syft_keys if k.startswith("pkg:deb/")}
    assert facts.filesystem is not None and facts.filesystem.os_release.get("ID") == "debian"


# -- syft over the example OCI image layout --------------------------------------------------------
@pytest.fixture(scope="session")
def oci_syft(syft_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("syft-oci")
    problem = run_syft(f"oci-dir:{EXAMPLE / 'image'}", {"oci.syft.json": "syft-json"}, out)
    if problem:
        pytest.fail(problem)
    return out / "oci.syft.json"


@pytest.mark.slow
def test_syft_over_the_oci_layout_reads_and_meets_scc_image_reader(oci_syft):
    raw = json.loads(oci_syft.read_text())
    record, facts = read_input(str(oci_syft))
    assert record.format == "syft-json"
    assert sorted(c.purl for c in facts.components) == sorted(a["purl"] for a in raw["artifacts"])
    # syft names an oci-dir scan after the local path; that is not the image's name
    assert raw["source"]["name"] == str(EXAMPLE / "image") and facts.identity.name == ""
    assert facts.identity.digest == raw["source"]["metadata"]["manifestDigest"]
    assert facts.identity.os == f"alpine {raw['distro']['versionID']}"
    _, image = read_input(str(EXAMPLE / "image"))
    assert {c.key for c in image.components} <= {c.key for c in facts.components}
    merged = read_inputs([oci_syft, EXAMPLE / "image"])
    assert merged.identity.name == image.identity.name != ""
    assert merged.identity.digest == facts.identity.digest == image.identity.digest


# -- OpenSCAP results and ARF ----------------------------------------------------------------------
def _raw_rule_results(path: Path) -> list[tuple[str, str]]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    return [(r.get("idref"), r.findtext(f"{{{XCCDF_NS}}}result"))
            for r in tree.iter(f"{{{XCCDF_NS}}}rule-result")]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["results.xml", "results-arf.xml"])
def test_openscap_rule_results_counted_per_value_like_lxml(oscap_out, no_content, name):
    path = oscap_out / name
    raw = _raw_rule_results(path)
    record, facts = read_input(str(path))
    assert record.format == "xccdf-results" and record.format_version == "1.2"
    assert collections.Counter(r.result for r in facts.xccdf_results) == collections.Counter(v for _, v in raw)
    assert [r.rule_id for r in facts.xccdf_results] == [idref for idref, _ in raw]
    assert {"pass", "fail"} <= {v for _, v in raw}
    assert all(r.tool.startswith("cpe:/a:redhat:openscap:") for r in facts.xccdf_results)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["results.xml", "results-arf.xml"])
def test_openscap_rule_results_carry_the_ccis_of_their_rules(oscap_out, no_content, name):
    tree = etree.parse(str(oscap_out / name), etree.XMLParser(resolve_entities=False, no_network=True))
    ccis = {}
    for result in tree.iter(f"{{{XCCDF_NS}}}rule-result"):
        idents = [i.text.strip() for i in result.iter(f"{{{XCCDF_NS}}}ident") if i.get("system") == "http://cyber.mil/cci"]
        ccis[result.get("idref")] = tuple(idents)
    _, facts = read_input(str(oscap_out / name))
    assert all(ccis.values())
    assert {r.rule_id: r.ccis for r in facts.xccdf_results} == ccis


# -- scc package over syft + oscap + image config --------------------------------------------------
@pytest.mark.slow
def test_package_uses_the_openscap_scan_for_the_srg_rules_it_decided(syft_out, oscap_out, tmp_path, no_content):
    from scc.assessment import assess
    from scc.engine.rules import load_rule_packs
    raw = _raw_rule_results(oscap_out / "results-arf.xml")
    decided = {m: v for idref, v in raw if v in ("pass", "fail", "notapplicable")
               for m in re.findall(r"SV-(\d+)", idref)}
    srg_rules = [r for r in load_rule_packs(None) if any(re.search(r"SV-(\d+)", s.rule_id) for s in r.srg)]
    if not srg_rules:
        pytest.skip("no rule pack names SRG rules (SV- ids) yet")
    inputs = [syft_out / "sbom.cdx-1.5.json", oscap_out / "results-arf.xml", EXAMPLE / "image-config.json"]
    run = subprocess.run([sys.executable, "-m", "scc.cli", "package", *map(str, inputs), "--out", str(tmp_path / "ato")],
                         check=False, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "ato" / "manifest.json").is_file()
    verdicts = {"pass": "satisfied", "fail": "not-satisfied", "notapplicable": "not-applicable"}
    matched = 0
    for result in assess(inputs).rule_results:
        numbers = {m for s in result.rule.srg for m in re.findall(r"SV-(\d+)", s.rule_id)}
        scanned = {decided[n] for n in numbers if n in decided}
        if not scanned:
            assert result.origin != "xccdf-scan", result.rule.id
            continue
        matched += 1
        assert result.origin == "xccdf-scan", result.rule.id
        if len(scanned) == 1:
            assert result.verdict.value == verdicts[scanned.pop()], result.rule.id
    assert matched > 0
