"""`scc rules lint` against the real catalog, CCI list and SRG/STIG benchmarks."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from scc.cli.content import content, rules
from scc.content import ContentStore
from scc.content.bundle import import_content
from scc.content.lint import lint_rules
from scc.engine.model import Rule, SrgRef


@pytest.fixture(scope="module")
def store(content_files, tmp_path_factory) -> ContentStore:
    """The reference content, else the miniature test content (which carries the same ids as the packs)."""
    loaded = ContentStore(tmp_path_factory.mktemp("content"))
    import_content(loaded, [content_files.nist, content_files.disa], accept_new=content_files.accept_new)
    return loaded


@pytest.fixture(scope="module")
def official_store(shared_data, tmp_path_factory) -> ContentStore:
    """Every reference file (the CCI list and OS STIGs too): the checks whose messages quote DISA's releases."""
    loaded = ContentStore(tmp_path_factory.mktemp("official"))
    import_content(loaded, [shared_data / "nist", shared_data / "disa"])
    return loaded


def _rule(controls=("ac-2.1",), **ref) -> Rule:
    srg = {"benchmark": "gpos-srg", "version": "SRG-OS-000001-GPOS-00001", "group_id": "V-203591",
               "rule_id": "SV-203591r958362_rule", "ccis": ("CCI-000015",), "severity": "medium"}
    srg.update(ref)
    return Rule(id="t-1", title="t", controls=tuple(controls), check="c", srg=(SrgRef(**srg),),
                source="stig/test.yaml")


@pytest.mark.slow
def test_rule_agreeing_with_the_official_content_is_clean(store):
    assert lint_rules([_rule()], store) == []


def test_each_kind_of_mismatch_is_one_line_naming_rule_and_file(official_store):
    problems = [str(p) for p in lint_rules([
        _rule(controls=("ac-2.1", "zz-1", "ac-2.10")),
        _rule(group_id="V-1"),
        _rule(severity="high"),
        _rule(rule_id="SV-203591r1_rule"),
        _rule(ccis=("CCI-999999",)),
        _rule(ccis=("CCI-000366",)),
        _rule(controls=("cm-6",)),
        _rule(version="SRG-OS-999999-GPOS-00001", group_id=""),
        _rule(benchmark="rhel8-stig"),
    ], official_store)]
    assert all(p.startswith("stig/test.yaml: rule t-1: ") for p in problems)
    text = "\n".join(problems)
    assert "control zz-1 is not in the" in text and "control ac-2.10 is withdrawn" in text
    assert "group V-1 differs from the benchmark's V-203591" in text
    assert "severity high differs from the benchmark's medium (CAT II)" in text
    assert "rule id SV-203591r1_rule differs from the benchmark's SV-203591r958362_rule" in text
    assert "CCI-999999 is not one of the requirement's CCIs (CCI-000015)" in text
    assert "CCI-999999 is not in the CCI list 2022-03-09" in text
    assert "CCI-000366 maps to cm-6, which the rule does not cite (cites ac-2.1)" in text
    assert "CCI-000015 maps to ac-2.1, which the rule does not cite (cites cm-6)" in text
    assert "SRG-OS-999999-GPOS-00001: no such requirement in General Purpose Operating System" in text
    assert "unknown benchmark 'rhel8-stig'" in text
    assert len(problems) == 12   # CCI-000366 is both foreign to the requirement and mapped elsewhere


def test_lint_without_content_says_what_it_cannot_check(tmp_path):
    problems = [str(p) for p in lint_rules([_rule()], ContentStore(tmp_path))]
    assert problems == [
        "rule -: cannot check: nist-800-53-rev5-catalog is not loaded (`scc content import`)",
        "rule -: cannot check: disa-cci is not loaded (`scc content import`)",
        "rule -: cannot check: gpos-srg is not loaded (`scc content import`)",
    ]


@pytest.mark.slow
def test_shipped_rule_packs_agree_with_the_official_content(store):
    result = CliRunner().invoke(rules, ["lint", "--dir", str(store.directory)])
    assert result.exit_code == 0, result.output
    assert "rules agree with the official content" in result.output


@pytest.mark.slow
def test_cli_import_list_verify_export_round_trip(shared_data, tmp_path):
    runner = CliRunner()
    cache = str(tmp_path / "cache")
    result = runner.invoke(content, ["import", str(shared_data / "nist"), str(shared_data / "disa"), "--dir", cache])
    assert result.exit_code == 0, result.output
    assert "imported gpos-srg: gpos-srg-xccdf.xml" in result.output and "still missing" not in result.output
    listed = runner.invoke(content, ["list", "--dir", cache]).output
    assert "ubuntu2204-stig" in listed and "missing" not in listed
    verified = runner.invoke(content, ["verify", "--dir", cache])
    assert verified.exit_code == 0 and "ok nist-800-53-rev5-catalog" in verified.output
    bundle = str(tmp_path / "b.tar.gz")
    assert runner.invoke(content, ["export", bundle, "--dir", cache]).exit_code == 0
    enclave = str(tmp_path / "enclave")
    assert runner.invoke(content, ["import", bundle, "--dir", enclave]).exit_code == 0
    (tmp_path / "enclave" / "ctr-srg-xccdf.xml").write_bytes(b"<x/>")
    failed = runner.invoke(content, ["verify", "--dir", enclave])
    assert failed.exit_code == 1 and "ctr-srg-xccdf.xml: size" in failed.output
    refused = runner.invoke(content, ["export", str(tmp_path / "c.tar.gz"), "--dir", enclave])
    assert refused.exit_code == 2 and "refusing to export" in refused.output


def test_cli_verify_reports_a_corrupt_lock_file_in_one_line(tmp_path):
    (tmp_path / "scc-content.lock.json").write_text('{"format": "scc-content-lock/1", "sources": {"x": {}}}')
    result = CliRunner().invoke(content, ["verify", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a valid content lock file" in result.output
    assert isinstance(result.exception, SystemExit)    # a clean exit 1, not an escaping error


# -- issue #10 item 3: a rule that consults what no reader collects fails lint ------------------------
OLD_LOCKOUT_RULE = """rules:
- id: SRG-OS-000021-GPOS-00005
  title: The operating system must enforce the limit of three consecutive invalid logon attempts.
  controls: [ac-7]
  check: config_file_setting
  params:
    paths: [/etc/security/faillock.conf, /etc/pam.d/system-auth, /etc/pam.d/common-auth]
    absent_reason: The image configures no PAM authentication stack.
"""


@pytest.mark.slow
def test_lint_fails_on_a_file_no_reader_collects(tmp_path, store):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "old.yaml").write_text(OLD_LOCKOUT_RULE)
    result = CliRunner().invoke(rules, ["lint", "--packs", str(packs), "--dir", str(store.directory)])
    assert result.exit_code == 1
    assert "consults /etc/pam.d/system-auth, which no reader collects" in result.output
    assert "consults /etc/pam.d/common-auth, which no reader collects" in result.output


@pytest.mark.slow
def test_lint_fails_on_a_fact_no_reader_collects_or_an_undeclared_check(monkeypatch):
    from dataclasses import replace

    from scc.content.lint import lint_facts
    from scc.engine import checks as registry_module
    from scc.engine.rules import load_rule_packs

    shipped = load_rule_packs()
    assert lint_facts(shipped) == []
    specs = dict(registry_module.registry())
    specs["no_shell"] = replace(specs["no_shell"], consults=("filesystem.shell_history",))
    specs["healthcheck_declared"] = replace(specs["healthcheck_declared"], consults=None)
    monkeypatch.setattr(registry_module, "registry", lambda: specs)
    text = "\n".join(str(p) for p in lint_facts(shipped))
    assert "check no_shell consults filesystem.shell_history, which no reader collects" in text
    assert "check healthcheck_declared does not declare the facts it consults" in text


# -- issue #9 item 3: the packs carry DISA's ids (checked here), the prose comes from the content ------
def test_a_reference_that_leaves_out_an_id_is_reported_with_the_official_one(store):
    problems = [str(p) for p in lint_rules([_rule(group_id="", rule_id="", ccis=())], store)]
    assert problems == [
        ("stig/test.yaml: rule t-1: gpos-srg SRG-OS-000001-GPOS-00001: no group id (the benchmark's is V-203591); "
        "a pack cites every id DISA publishes"),
        ("stig/test.yaml: rule t-1: gpos-srg SRG-OS-000001-GPOS-00001: no rule id (the benchmark's is "
        "SV-203591r958362_rule); a pack cites every id DISA publishes"),
        ("stig/test.yaml: rule t-1: gpos-srg SRG-OS-000001-GPOS-00001: no CCI (the benchmark's is CCI-000015); "
        "a pack cites every id DISA publishes"),
    ]


@pytest.mark.parametrize("line, wrong, message", [
    ("    group_id: V-233163", "    group_id: V-233164", "group V-233164 differs from the benchmark's V-233163"),
    ("    rule_id: SV-233163r601765_rule", "    rule_id: SV-233163r1_rule",
     "rule id SV-233163r1_rule differs from the benchmark's SV-233163r601765_rule"),
    ("    - CCI-002233", "    - CCI-000366", "CCI-000366 is not one of the requirement's CCIs (CCI-002233)"),
    ("    severity: medium", "    severity: high", "severity high differs from the benchmark's medium (CAT II)"),
    ("    version: SRG-APP-000342-CTR-000775", "    version: SRG-APP-000342-CTR-000776",
     "SRG-APP-000342-CTR-000776: not in {benchmark}; V-233163 there is SRG-APP-000342-CTR-000775"),
])
def test_lint_fails_on_a_wrong_reference_in_a_shipped_pack(tmp_path, store, line, wrong, message):
    from scc.resources import pack_dir

    text = (pack_dir("stig") / "ctr-srg.yaml").read_text(encoding="utf-8")
    first = text.index("- id: SRG-APP-000342-CTR-000775\n")
    rule_end = text.index("\n- id: ", first + 1)
    rule = text[first:rule_end]
    assert rule.count(line) == 1
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "ctr-srg.yaml").write_text(text[:first] + rule.replace(line, wrong) + text[rule_end:], encoding="utf-8")
    result = CliRunner().invoke(rules, ["lint", "--packs", str(packs), "--dir", str(store.directory)])
    assert result.exit_code == 1, result.output
    problems = result.output.splitlines()[:-1]
    assert problems and all(p.startswith("packs/ctr-srg.yaml: rule SRG-APP-000342-CTR-000775: ") for p in problems)
    ctr = store.benchmark("ctr-srg")
    assert any(message.format(benchmark=f"{ctr.title} {ctr.release}") in p for p in problems), problems
