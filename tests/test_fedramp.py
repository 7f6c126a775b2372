"""FedRAMP rev5 baselines and FedRAMP metadata/props on OSCAL outputs (issue 11, item 4)."""
from __future__ import annotations

import json

import pytest
from conftest import EXAMPLE
from test_cli import run_scc
from validators import trestle_validate, validate_oscal_schema

from scc.content.bundle import import_content
from scc.content.store import ContentStore

MODELS = {"component-definition.json": "component",
          "oscal-assessment-results.json": "assessment-results", "oscal-poam.json": "poam"}
KINDS = {"component-definition.json": "component-definition", "oscal-assessment-results.json": "assessment-results",
         "oscal-poam.json": "plan-of-action-and-milestones"}
FR_NS = "https://fedramp.gov/ns/oscal"
LEVELS = {"fedramp-low": "LOW", "fedramp-moderate": "MODERATE", "fedramp-high": "HIGH",
          "fedramp-li-saas": "LI-SaaS"}


@pytest.fixture(scope="module")
def content_dir(shared_data, tmp_path_factory):
    directory = tmp_path_factory.mktemp("fedramp-content")
    import_content(ContentStore(directory), [shared_data / "nist" / "NIST_SP-800-53_rev5_catalog.json",
                                             shared_data / "nist" / "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json",
                                             *sorted((shared_data / "fedramp").glob("FedRAMP_rev5_*"))])
    return directory


@pytest.mark.slow
@pytest.mark.parametrize("level", sorted(LEVELS))
def test_each_fedramp_baseline_loads_with_the_profiles_control_count(level, content_dir, shared_data):
    profile = json.loads((shared_data / "fedramp" / f"FedRAMP_rev5_{LEVELS[level]}-baseline_profile.json").read_text())
    expected = {i.lower() for imp in profile["profile"]["imports"] for rule in imp["include-controls"]
                for i in rule["with-ids"]}
    baseline = ContentStore(content_dir).baseline(level)
    assert set(baseline.control_ids) == expected and len(baseline.control_ids) == len(expected)
    assert baseline.version == "fedramp2.1.0-oscal1.0.4"


def _package(capsys, monkeypatch, content_dir, out, baseline, source=EXAMPLE):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))
    code, _, err = run_scc(capsys, "package", str(source), "--baseline", baseline, "--out", str(out))
    assert code == 0, err
    return {name: json.loads((out / name).read_text()) for name in
            ("component-definition.json", "oscal-assessment-results.json", "oscal-poam.json")}


def _fr_props(node):
    return [(p["name"], p["value"]) for p in node.get("props") or [] if p.get("ns") == FR_NS]


@pytest.mark.slow
def test_fedramp_moderate_package_carries_fedramp_props_and_is_schema_valid(capsys, monkeypatch, content_dir, tmp_path):
    documents = _package(capsys, monkeypatch, content_dir, tmp_path / "out", "fedramp-moderate")
    for name, document in documents.items():
        root = next(iter(document.values()))
        metadata = root["metadata"]
        assert ("fedramp-version", "fedramp2.1.0-oscal1.0.4") in _fr_props(metadata), name
        assert any(p["name"] == "marking" for p in metadata["props"]), name
        assert metadata["published"]
        roles = {r["role-id"] for r in metadata["responsible-parties"]}
        assert {"prepared-by", "prepared-for", "information-system-security-officer"} <= roles
        validate_oscal_schema(tmp_path / "out" / name, MODELS[name])
        assert trestle_validate(tmp_path / "out" / name, KINDS[name]).returncode == 0, name
    poam = documents["oscal-poam.json"]["plan-of-action-and-milestones"]
    ids = [dict(_fr_props(item)).get("POAM-ID") for item in poam["poam-items"]]
    assert len(set(ids)) == len(ids) and all(i == "V-" + it["uuid"].replace("-", "")[:10].upper()
                                             for i, it in zip(ids, poam["poam-items"], strict=True))
    impacted = [v for risk in poam["risks"] for n, v in _fr_props(risk) if n == "impacted-control-id"]
    assert impacted and all(v == v.lower() for v in impacted)
    observations = {o["uuid"]: o for o in poam["observations"]}
    item = next(i for i in poam["poam-items"] if any(p["name"] == "first-detected" for p in i["props"]))
    first = next(p["value"] for p in item["props"] if p["name"] == "first-detected")
    assert observations[item["related-observations"][0]["observation-uuid"]]["collected"] == first


@pytest.mark.slow
def test_nist_baseline_produces_no_fedramp_props(capsys, monkeypatch, content_dir, tmp_path):
    documents = _package(capsys, monkeypatch, content_dir, tmp_path / "out", "moderate")
    assert FR_NS not in json.dumps(documents)


def test_fedramp_baseline_without_content_is_exit_2_naming_it(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    code, _, err = run_scc(capsys, "package", str(EXAMPLE), "--baseline", "fedramp-high", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "fedramp-rev5-high (for baseline fedramp-high)" in err and "scc content fetch fedramp-rev5-high" in err


def test_poam_ids_are_stable_from_run_to_run(capsys, monkeypatch, content_dir, tmp_path):
    """The same open finding keeps its POAM-ID in a later run (another time, and without the VEX, so
    other items are open and document order shifts)."""
    import shutil

    first = _package(capsys, monkeypatch, content_dir, tmp_path / "one", "fedramp-moderate")
    later = tmp_path / "later"
    shutil.copytree(EXAMPLE, later)
    (later / "vex.openvex.json").unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796000000")
    second = _package(capsys, monkeypatch, content_dir, tmp_path / "two", "fedramp-moderate", later)

    def by_title(document):
        items = document["oscal-poam.json"]["plan-of-action-and-milestones"]["poam-items"]
        return {item["title"]: dict(_fr_props(item))["POAM-ID"] for item in items}

    assert first["oscal-poam.json"]["plan-of-action-and-milestones"]["metadata"]["last-modified"] != \
        second["oscal-poam.json"]["plan-of-action-and-milestones"]["metadata"]["last-modified"]
    shared = set(by_title(first)) & set(by_title(second))
    position = [{t: n for n, t in enumerate(by_title(d))} for d in (first, second)]
    assert any(position[0][t] != position[1][t] for t in shared)     # document order shifted between runs
    assert shared and all(by_title(first)[t] == by_title(second)[t] for t in shared)


def test_scc_is_the_origin_tool_of_every_observation_and_risk(capsys, monkeypatch, content_dir, tmp_path):
    documents = _package(capsys, monkeypatch, content_dir, tmp_path / "out", "fedramp-moderate")
    poam = documents["oscal-poam.json"]["plan-of-action-and-milestones"]
    results = documents["oscal-assessment-results.json"]["assessment-results"]["results"]
    holders = [poam, *results]
    checked = 0
    for holder in holders:
        tools = {c["uuid"] for c in holder["local-definitions"]["components"] if c["title"].startswith("scc ")}
        assert len(tools) == 1
        for node in [*(holder.get("observations") or []), *(holder.get("risks") or [])]:
            actors = [a for o in node["origins"] for a in o["actors"]]
            assert {"type": "tool", "actor-uuid": next(iter(tools))} in actors
            checked += 1
    assert checked > 5
    nist = _package(capsys, monkeypatch, content_dir, tmp_path / "nist", "moderate")
    assert "origins" not in json.dumps(nist["oscal-poam.json"])
