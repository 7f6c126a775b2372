"""The miniature test content (tests/data/mini-content) is what its generator writes, imports like the
official content, and is marked as scc's test fixture everywhere (never mistaken for DISA or NIST text)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import MINI_CONTENT

from scc.content.bundle import import_content
from scc.content.store import ContentStore
from scc.errors import ContentError


def _generator():
    spec = importlib.util.spec_from_file_location("mini_content_generate", MINI_CONTENT / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_files_are_what_the_generator_writes() -> None:
    files = _generator().files()
    assert sorted(files) == sorted(p.name for p in MINI_CONTENT.iterdir() if p.suffix in (".json", ".xml"))
    for name, text in files.items():
        assert (MINI_CONTENT / name).read_text() == text, f"{name} is stale: run tests/data/mini-content/generate.py"


def test_it_is_refused_without_accept_new_and_imported_with_it(tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        import_content(ContentStore(tmp_path / "refused"), [MINI_CONTENT])
    store = ContentStore(tmp_path / "store")
    entries = import_content(store, [MINI_CONTENT], accept_new=True)
    assert sorted(e.name for e in entries) == [
        "ctr-srg", "disa-cci", "fedramp-rev5-moderate", "gpos-srg", "nist-800-53-rev5-catalog",
        "nist-800-53-rev5-high", "nist-800-53-rev5-low", "nist-800-53-rev5-moderate", "nist-800-53-rev5-privacy"]
    sizes = {level: len(store.baseline(level).control_ids) for level in ("low", "moderate", "high", "privacy")}
    assert sizes["privacy"] < sizes["low"] < sizes["moderate"] < sizes["high"]
    assert store.baseline("fedramp-moderate").control_ids == store.baseline("moderate").control_ids
    assert {e.trust for e in entries} == {"accepted"}
    assert {e.release for e in entries if e.name.endswith("srg")} == {"V0R1"}


def test_every_srg_reference_of_the_rule_packs_is_in_its_benchmarks(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "store")
    import_content(store, [MINI_CONTENT], accept_new=True)
    _, references = _generator().rule_pack_references()
    for ref in references:
        rules = {r.version: r for r in store.benchmark(ref["benchmark"]).rules}
        rule = rules[ref["version"]]
        assert (rule.group_id, rule.rule_id, rule.severity) == (ref["group_id"], ref["rule_id"], ref["severity"])
        assert "scc test fixture" in rule.title


def test_every_text_is_marked_as_scc_s_own() -> None:
    for path in MINI_CONTENT.glob("*.xml"):
        text = path.read_text()
        assert text.count("scc test fixture, not NIST or DISA text") >= text.count("<Rule ") + text.count("<cci_item ")
    assert "Not DISA or NIST text" in (MINI_CONTENT / "README.md").read_text()
