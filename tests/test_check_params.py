"""Issue #9 item 4: check parameters are typed dataclasses, and rule packs are validated into them on load."""
from __future__ import annotations

import dataclasses
from typing import get_type_hints

import pytest
from click.testing import CliRunner

from scc.cli.content import rules as rules_cli
from scc.engine.checks import registry
from scc.engine.params import CheckParams
from scc.engine.rules import load_pack_file, load_rule_packs
from scc.errors import RulePackError


def _pack(tmp_path, params: str, check: str = "no_privileged_ports"):
    path = tmp_path / "mypack" / "ports.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"""rules:
- id: cm-7-ports
  title: No privileged ports
  controls: [cm-7]
  check: {check}
  params:
{params}
""")
    return path


def test_every_check_declares_a_frozen_params_dataclass_and_takes_it():
    for name, spec in registry().items():
        assert issubclass(spec.params, CheckParams), name
        assert dataclasses.is_dataclass(spec.params) and spec.params.__dataclass_params__.frozen, name
        assert get_type_hints(spec.function)["params"] is spec.params, name
        instance = spec.params()
        with pytest.raises(dataclasses.FrozenInstanceError):
            instance.anything = 1  # type: ignore[attr-defined]


def test_shipped_rules_carry_their_checks_params_class_with_the_pack_values():
    loaded = load_rule_packs()
    specs = registry()
    for rule in loaded:
        assert type(rule.params) is specs[rule.check].params, rule.id
    reasons = [r for r in loaded if r.check == "not_applicable_to_images"]
    assert reasons and all(r.params.reason for r in reasons)


def test_a_rule_sets_some_params_and_keeps_the_defaults_of_the_rest(tmp_path):
    (rule,) = load_pack_file(_pack(tmp_path, "    below: 100"), registry())
    assert rule.params.below == 100
    assert rule.params.best_verdict == "satisfied" and rule.params.limit == ""


def test_an_int_is_accepted_for_a_float_param(tmp_path):
    (rule,) = load_pack_file(_pack(tmp_path, "    min_coverage_percent: 90", "sbom_covers_scanned_packages"),
                             registry())
    assert rule.params.min_coverage_percent == 90


def test_an_unknown_param_names_the_pack_the_rule_and_what_the_check_takes(tmp_path):
    path = _pack(tmp_path, "    below: 100\n    ports_under: 10")
    with pytest.raises(RulePackError) as caught:
        load_pack_file(path, registry())
    text = str(caught.value)
    assert str(path) in text and "rule cm-7-ports" in text
    assert "unknown params ['ports_under']" in text and "'below'" in text


@pytest.mark.parametrize(("value", "check", "param", "expected"), [
    ("    below: high", "no_privileged_ports", "below", "must be int, got 'high'"),
    ("    below: true", "no_privileged_ports", "below", "must be int, got True"),
    ("    best_verdict: [satisfied]", "no_privileged_ports", "best_verdict", "must be str"),
    ("    severities: critical", "findings_without_fix", "severities", "must be list of str, got 'critical'"),
    ("    severities: [critical, 7]", "findings_without_fix", "severities", "must be list of str"),
    ("    require_certificate: 'no'", "fips_module_active", "require_certificate", "must be bool"),
])
def test_a_param_of_the_wrong_type_names_the_pack_the_rule_and_the_type(tmp_path, value, check, param, expected):
    path = _pack(tmp_path, value, check)
    with pytest.raises(RulePackError) as caught:
        load_pack_file(path, registry())
    text = str(caught.value)
    assert str(path) in text and "rule cm-7-ports" in text
    assert f"param {param} {expected}" in text


def test_params_that_are_not_a_mapping_are_refused(tmp_path):
    path = _pack(tmp_path, "    - below")
    with pytest.raises(RulePackError, match="params must be a mapping"):
        load_pack_file(path, registry())


def test_rules_lint_reports_a_wrong_param_type_as_one_line_and_exit_2(tmp_path):
    path = _pack(tmp_path, "    below: [1]")
    result = CliRunner().invoke(rules_cli, ["lint", "--packs", str(path.parent)])
    assert result.exit_code == 2
    assert "rule cm-7-ports: param below must be int, got [1]" in result.output
    assert "Traceback" not in result.output
