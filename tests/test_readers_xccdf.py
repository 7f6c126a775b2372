"""XCCDF results / ARF reader on the DISA SCC and OpenSCAP samples and on a scan OpenSCAP runs here.

Result counts per value are taken from the raw bytes with a regular expression, not from the reader.
"""
from __future__ import annotations

import collections
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scc.errors import InputError
from scc.facts.scans import xccdf_results
from scc.facts.source import InputDocument

SAMPLES = ["rhel8.disa-scc.xccdf-1.2-results.xml", "rhel8.openscap.xccdf-1.2-results.xml"]
_RESULT = re.compile(rb"<(?:\w+:)?rule-result\b.*?<(?:\w+:)?result>(\w+)</", re.DOTALL)


def raw_counts(path: Path) -> collections.Counter:
    return collections.Counter(m.group(1).decode() for m in _RESULT.finditer(path.read_bytes()))


def read(path):
    doc = InputDocument(path)
    assert xccdf_results.READER.sniff(doc)
    return xccdf_results.READER.read(doc)


@pytest.fixture
def cci_content(tmp_path, monkeypatch, shared_data):
    from scc.content import default_store
    from scc.content.bundle import import_content

    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "content"))
    import_content(default_store(), [shared_data / "disa" / "U_CCI_List.xml"])


@pytest.mark.parametrize("name, expected", [
    ("rhel8.disa-scc.xccdf-1.2-results.xml", {"fail": 175, "pass": 73}),
    ("rhel8.openscap.xccdf-1.2-results.xml", {"fail": 166, "pass": 61, "error": 21}),
])
def test_every_rule_result_is_read_with_its_result_value(samples, no_content, name, expected):
    path = samples / "xccdf-results" / name
    facts = read(path)
    assert raw_counts(path) == expected
    assert collections.Counter(r.result for r in facts.xccdf_results) == expected
    assert len(facts.xccdf_results) == len(re.findall(rb"<(?:\w+:)?rule-result ", path.read_bytes())) == 248


@pytest.mark.parametrize("name", SAMPLES)
def test_stig_rule_results_carry_version_group_ccis_and_benchmark(samples, no_content, name):
    facts = read(samples / "xccdf-results" / name)
    first = facts.xccdf_results[0]
    assert first.rule_id.startswith("xccdf_mil.disa.stig_rule_SV-230221r")
    assert (first.version, first.group_id, first.severity) == ("RHEL-08-010000", "V-230221", "high")
    assert first.title == "RHEL 8 must be a vendor-supported release."
    assert first.ccis == ("CCI-000366",)
    assert first.benchmark == "xccdf_mil.disa.stig_benchmark_RHEL_8_STIG"
    assert all(r.group_id.startswith("V-") and r.version.startswith("RHEL-08-") for r in facts.xccdf_results)
    assert all(r.ccis for r in facts.xccdf_results)
    assert not any("CCI list" in note for note in facts.notes)   # the reader never consults content


def test_disa_scc_tool_time_and_prefixed_xpath(samples, no_content):
    facts = read(samples / "xccdf-results" / "rhel8.disa-scc.xccdf-1.2-results.xml")
    result = facts.xccdf_results[11]
    assert result.tool == "cpe:/a:spawar:scc:5.4.2"
    assert result.timestamp.isoformat() == "2021-12-17T10:30:58+00:00"
    assert result.evidence[0].pointer == "/cdf:Benchmark/cdf:TestResult/cdf:rule-result[12]"
    assert facts.inputs[0].format_version == "1.2"


def test_openscap_tool_and_unprefixed_xpath(samples, no_content):
    facts = read(samples / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml")
    assert facts.xccdf_results[0].tool == "cpe:/a:redhat:openscap:1.3.5"
    assert facts.xccdf_results[-1].evidence[0].pointer == "/Benchmark/TestResult/rule-result[248]"


def test_controls_come_from_the_cci_list_when_content_is_installed(samples, cci_content):
    from scc.content import default_store
    from scc.engine.cci import cci_mapping, controls_for_ccis

    facts = read(samples / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml")
    by_version = {r.version: r for r in facts.xccdf_results}
    mapping = cci_mapping(default_store().cci())
    assert controls_for_ccis(by_version["RHEL-08-010000"].ccis, mapping) == ("cm-6",)     # CCI-000366 -> CM-6 b
    assert controls_for_ccis(by_version["RHEL-08-010020"].ccis, mapping) == ("ac-17.2",)  # CCI-000068 -> AC-17 (2)
    assert controls_for_ccis(by_version["RHEL-08-010000"].ccis, None) == ()
    assert not facts.notes


def test_the_reader_records_the_same_facts_with_and_without_content(samples, tmp_path, monkeypatch, shared_data):
    """Readers only read: the CCI list being installed changes no fact (issue #9)."""
    from scc.content import default_store
    from scc.content.bundle import import_content

    path = samples / "xccdf-results" / "rhel8.disa-scc.xccdf-1.2-results.xml"
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "none"))
    without = read(path)
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "content"))
    import_content(default_store(), [shared_data / "disa" / "U_CCI_List.xml"])
    assert read(path) == without


def test_a_manual_stig_benchmark_without_results_is_not_claimed(shared_data):
    assert not xccdf_results.READER.sniff(InputDocument(shared_data / "disa" / "disa-ctr-srg-v1r3.xml"))


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "evil.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE TestResult [<!ENTITY a "aaaaaaaa">]>\n'
                    '<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="x"><rule-result idref="r">'
                    '<result>&a;</result></rule-result></TestResult>')
    with pytest.raises(InputError, match="DTD"):
        read(path)


def test_xccdf_1_1_test_result_root_with_message(tmp_path, no_content):
    path = tmp_path / "r11.xml"
    path.write_text(
        '<TestResult xmlns="http://checklists.nist.gov/xccdf/1.1" id="tr" end-time="2024-05-01T08:00:00Z">'
        '<benchmark href="ubuntu.xml" id="U_Ubuntu"/>'
        '<target-facts><fact name="urn:xccdf:fact:scanner:name" type="string">OpenSCAP</fact>'
        '<fact name="urn:xccdf:fact:scanner:version" type="string">1.2.17</fact></target-facts>'
        '<rule-result idref="SV-1r1_rule" severity="low"><result>notchecked</result>'
        '<ident system="http://iase.disa.mil/cci">CCI-000001</ident><message severity="info">manual</message>'
        '</rule-result></TestResult>')
    result = read(path).xccdf_results[0]
    assert (result.rule_id, result.result, result.ccis, result.message) == (
        "SV-1r1_rule", "notchecked", ("CCI-000001",), "manual")
    assert result.group_id == "" and result.tool == "OpenSCAP 1.2.17" and result.benchmark == "U_Ubuntu"
    assert result.evidence[0].pointer == "/TestResult/rule-result[1]"


@pytest.fixture(scope="module")
def oscap_scan(tmp_path_factory, shared_data):
    """Results and ARF from a real `oscap xccdf eval` over a tiny root filesystem."""
    datastream = shared_data / "disa" / "chainguard-gpos-srg-v3r2-ds.xml"
    if not shutil.which("oscap") or not datastream.exists():
        pytest.skip("oscap or the Chainguard GPOS SRG datastream is not available")
    work = tmp_path_factory.mktemp("oscap")
    root = work / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home:/sbin/nologin\n")
    (root / "etc" / "os-release").write_text('ID=wolfi\nNAME="Wolfi"\n')
    subprocess.run(
        ["oscap", "xccdf", "eval", "--profile", "xccdf_basic_profile_.check", "--results", str(work / "r.xml"),
         "--results-arf", str(work / "arf.xml"), str(datastream)],
        env={"OSCAP_PROBE_ROOT": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=240, check=False,
    )
    if not (work / "r.xml").exists():
        pytest.skip("oscap produced no results here")
    return work


@pytest.mark.slow
@pytest.mark.parametrize("name", ["r.xml", "arf.xml"])
def test_openscap_results_and_arf_generated_here(oscap_scan, no_content, name):
    path = oscap_scan / name
    facts = read(path)
    expected = raw_counts(oscap_scan / "r.xml")
    assert sum(expected.values()) > 100
    assert collections.Counter(r.result for r in facts.xccdf_results) == expected
    assert all(r.tool.startswith("cpe:/a:redhat:openscap:") for r in facts.xccdf_results)
    assert all(r.ccis for r in facts.xccdf_results)
    if name == "arf.xml":
        assert facts.xccdf_results[0].evidence[0].pointer.startswith(
            "/arf:asset-report-collection/arf:reports/arf:report")
        assert facts.xccdf_results[0].title  # the Benchmark inside the ARF's data stream is used


# -- authored twins: scc's own STIG-shaped benchmark, evaluated here by a real oscap run -------------
READERS = Path(__file__).parent / "data" / "readers"
FIXTURE_BENCHMARK = READERS / "fixtureos-stig.xccdf-1.2-benchmark.xml"    # + fixtureos-stig.oval.xml beside it
FIXTURE_PROFILE = "xccdf_mil.disa.stig_profile_MAC-1_Classified"
# what the benchmark's checks must say over the root filesystem below (rule version -> result, CCI, group, severity)
FIXTURE_EXPECTED = {
    "FXOS-02-000010": ("pass", ("CCI-000764",), "V-990101", "high"),          # only root has uid 0
    "FXOS-02-000020": ("fail", ("CCI-000048",), "V-990102", "medium"),        # no /etc/issue
    "FXOS-02-000030": ("pass", ("CCI-000366",), "V-990103", "low"),           # /etc/os-release has ID=
    "FXOS-02-000040": ("notchecked", ("CCI-000187",), "V-990104", "medium"),  # a manual check
}


FIXTURE_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home:/sbin/nologin\n"


def _oscap_eval_fixture(work: Path, passwd: str) -> Path:
    """`oscap xccdf eval` of the authored benchmark over a tiny root filesystem with this /etc/passwd."""
    if not shutil.which("oscap"):
        pytest.skip("oscap is not installed")
    for source in (FIXTURE_BENCHMARK, READERS / "fixtureos-stig.oval.xml"):
        shutil.copyfile(source, work / source.name)
    root = work / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text(passwd)
    (root / "etc" / "os-release").write_text('ID=fixtureos\nNAME="Fixture OS"\n')
    run = subprocess.run(
        ["oscap", "xccdf", "eval", "--profile", FIXTURE_PROFILE, "--results", str(work / "r.xml"),
         "--results-arf", str(work / "arf.xml"), str(work / FIXTURE_BENCHMARK.name)],
        env={"OSCAP_PROBE_ROOT": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=120, check=False,
    )
    assert run.returncode == 2, run.stderr      # 2: evaluated, and some rule failed
    return work


@pytest.fixture(scope="module")
def oscap_fixture_scan(tmp_path_factory) -> Path:
    """Results and ARF from a real `oscap xccdf eval` of the authored benchmark over a tiny root filesystem."""
    return _oscap_eval_fixture(tmp_path_factory.mktemp("oscap-fixture"), FIXTURE_PASSWD)


@pytest.mark.parametrize("name", ["r.xml", "arf.xml"])
def test_openscap_results_and_arf_of_the_authored_benchmark(oscap_fixture_scan, no_content, name):
    facts = read(oscap_fixture_scan / name)
    expected = collections.Counter(result for result, *_ in FIXTURE_EXPECTED.values())
    assert raw_counts(oscap_fixture_scan / "r.xml") == expected == {"pass": 2, "fail": 1, "notchecked": 1}
    assert collections.Counter(r.result for r in facts.xccdf_results) == expected
    got = {r.version: (r.result, r.ccis, r.group_id, r.severity) for r in facts.xccdf_results}
    assert got == FIXTURE_EXPECTED
    assert all(r.tool.startswith("cpe:/a:redhat:openscap:") for r in facts.xccdf_results)
    assert {r.benchmark for r in facts.xccdf_results} == {"xccdf_mil.disa.stig_benchmark_FIXTURE_OS_STIG"}
    first = facts.xccdf_results[0]
    assert first.rule_id == "xccdf_mil.disa.stig_rule_SV-990101r1_rule"
    assert first.title == "Fixture OS must have no account other than root with user id 0."
    assert not facts.notes                     # the reader never consults content
    if name == "arf.xml":
        assert first.evidence[0].pointer.startswith("/arf:asset-report-collection/arf:reports/arf:report")
    else:
        assert facts.xccdf_results[-1].evidence[0].pointer == "/Benchmark/TestResult/rule-result[4]"


def test_a_second_uid_0_account_turns_the_authored_rule_to_fail(tmp_path, no_content):
    work = _oscap_eval_fixture(tmp_path, FIXTURE_PASSWD + "toor:x:0:0:backdoor:/root:/bin/sh\n")
    got = {r.version: r.result for r in read(work / "r.xml").xccdf_results}
    assert got == {version: result for version, (result, *_) in FIXTURE_EXPECTED.items()} | {"FXOS-02-000010": "fail"}


@pytest.mark.parametrize("name, expected", [
    ("fixtureos.disa-scc.xccdf-1.2-results.xml", {"fail": 1, "pass": 1, "notapplicable": 1}),
    ("fixtureos.openscap.xccdf-1.2-results.xml", {"fail": 1, "pass": 1, "error": 1}),
])
def test_every_rule_result_of_the_authored_results_is_read_with_its_result_value(no_content, name, expected):
    path = READERS / name
    facts = read(path)
    assert raw_counts(path) == expected
    assert collections.Counter(r.result for r in facts.xccdf_results) == expected
    assert len(facts.xccdf_results) == len(re.findall(rb"<(?:\w+:)?rule-result ", path.read_bytes())) == 3


@pytest.mark.parametrize("path", [FIXTURE_BENCHMARK, Path(__file__).parent / "data" / "mini-content" / "gpos-srg-xccdf.xml"],
                         ids=["authored-stig", "mini-gpos-srg"])
def test_an_authored_benchmark_without_results_is_not_claimed(path):
    assert not xccdf_results.READER.sniff(InputDocument(path))
