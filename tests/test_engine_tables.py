"""The data tables the engine decides with (scc/engine/tables.py): YAML in controls/, not Python.

Each test edits a copy of the shipped controls/ and shows the decision follows the data: a builder
taken off slsa-builders.yaml lowers the SLSA level, a package added to a `packages:` list is then
counted, a malformed list is refused naming the file, and readers record the same facts whatever
the tables say (issue #9: readers record raw facts, the engine decides).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLE, edit_yaml

from scc.engine.checks import CheckContext, registry
from scc.engine.slsa import assess_level
from scc.engine.tables import load_tables
from scc.errors import RulePackError
from scc.facts import ReadContext, load_verification_keys, read_inputs
from scc.facts.model import Component, ImageFacts, SbomRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GENERATOR = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml"


def _demo_provenance():
    keys = load_verification_keys([EXAMPLE / "demo-signing.pub"])
    facts = read_inputs([str(EXAMPLE / "provenance.intoto.jsonl")], context=ReadContext(keys=keys))
    return facts.provenance[0]


def test_the_slsa_level_follows_the_builder_list(controls_copy: Path) -> None:
    provenance = _demo_provenance()
    assert provenance.builder_id.startswith(GENERATOR)
    assert assess_level(provenance, load_tables(controls_copy).slsa_builders).level == 3
    edit_yaml(controls_copy / "slsa-builders.yaml",
          lambda d: d.update(builders=[b for b in d["builders"] if b["id"] != GENERATOR]))
    lowered = assess_level(provenance, load_tables(controls_copy).slsa_builders)
    assert lowered.level == 1
    assert any(not ok and "hosted build platform" in name for name, ok, _ in lowered.requirements)
    assert _demo_provenance() == provenance       # the reader's facts do not depend on the table


def test_a_package_added_to_the_shell_list_is_counted(controls_copy: Path) -> None:
    facts = ImageFacts(components=[Component("rc-shell", "1.0", "apk")], sboms=[SbomRecord("cyclonedx-json")])
    shipped = CheckContext(now=NOW)
    check = registry()["no_shell"]
    params = check.params()
    assert check.function(facts, params, shipped).verdict.value == "manual"
    edit_yaml(controls_copy / "configuration.yaml", lambda d: d["packages"]["shell"].append("rc-*"))
    edited = replace(shipped, tables=load_tables(controls_copy))
    outcome = check.function(facts, params, edited)
    assert outcome.verdict.value == "not-satisfied" and "rc-shell 1.0" in outcome.reason
    assert check.function(facts, replace(params, packages=["zsh"]), edited).verdict.value == "manual"  # rule's own


def test_a_malformed_package_list_is_refused_naming_the_file(controls_copy: Path) -> None:
    edit_yaml(controls_copy / "crypto.yaml", lambda d: d["packages"].update(crypto="openssl"))
    with pytest.raises(RulePackError, match=r"crypto\.yaml: packages\.crypto must be a list"):
        load_tables(controls_copy)
    edit_yaml(controls_copy / "crypto.yaml", lambda d: d.pop("packages"))
    with pytest.raises(RulePackError, match=r"crypto\.yaml: 'packages' must map each of fips, crypto"):
        load_tables(controls_copy)


def test_the_shipped_tables_load_and_name_every_list() -> None:
    tables = load_tables()
    assert {kind: bool(tables.package_patterns(kind)) for kind in
            ("shell", "package manager", "compiler", "fips", "crypto")} == dict.fromkeys(
            ("shell", "package manager", "compiler", "fips", "crypto"), True)
    assert "bash" in tables.package_patterns("shell") and "apk-tools" in tables.package_patterns("package manager")
    assert any(b.level == 3 for b in tables.slsa_builders) and tables.fips_modules
