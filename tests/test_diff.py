"""scc diff / scc.diff: posture changes between two packages (issue #13, goal 3).

Two packages are built from the shipped example: OLD as shipped plus an attestation, NEW from a copy
with one scan finding removed, one added, one re-severitied, a component upgraded, one added and one
removed, the severity override removed, and a later clock (SOURCE_DATE_EPOCH) that expires the
attestation; NEW reads OLD as ``--previous`` the way the next CI run would. Each category of the
diff is asserted exactly.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_scc

OLD_EPOCH, NEW_EPOCH = "1780000000", "1790000000"       # 2026-05-28, 2026-09-21
ATTESTED_RULE = "SRG-APP-000133-CTR-000305"
HOSTILE = "evil|`pkg`<script>alert(1)</script>*x*"


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def _change_scan(data: dict) -> None:
    matches = data["matches"]
    matches[:] = [m for m in matches if m["artifact"]["name"] != "urllib3"]          # closed
    for match in matches:
        if match["artifact"]["name"] == "libcrypto3":
            match["vulnerability"]["severity"] = "High"                              # re-severitied
    added = json.loads(json.dumps(next(m for m in matches if m["artifact"]["name"] == "werkzeug")))
    added["vulnerability"]["id"] = "CVE-2099-0001"
    added["vulnerability"]["severity"] = "Critical"
    added["relatedVulnerabilities"] = []
    matches.append(added)                                                            # opened


def _change_sbom(data: dict) -> None:
    components = [c for c in data["components"] if c.get("name") != "gunicorn"]     # removed
    for component in components:
        if component.get("name") == "requests":                                     # upgraded
            component["version"] = "2.32.3"
            component["purl"] = "pkg:pypi/requests@2.32.3"
            component.pop("bom-ref", None)
    components.append({"type": "library", "name": HOSTILE, "version": "1.0",          # added, hostile name
                       "purl": "pkg:npm/left-pad@1.0"})
    data["components"] = components


def _inputs(folder: Path, *, new: bool) -> Path:
    shutil.copytree(EXAMPLE, folder)
    (folder / "system-profile.yaml").unlink()
    if new:
        _edit_json(folder / "grype.json", _change_scan)
        _edit_json(folder / "sbom.cdx.json", _change_sbom)
        overrides = folder / "overrides.yaml"
        text = overrides.read_text()
        overrides.write_text(text[: text.index("  - rule: SRG-OS-000362-GPOS-00149")])   # severity override removed
    return folder


def _build(root: Path, name: str, epoch: str, monkeypatch: pytest.MonkeyPatch, attestations: Path,
           previous: Path | None = None):
    import scc

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    folder = _inputs(root / f"in-{name}", new=name == "new")
    assessment = scc.assess([folder], overrides=folder / "overrides.yaml", keys=[folder / "demo-signing.pub"],
                            attestations=attestations, previous=previous)
    assessment.write_package(root / f"pkg-{name}")
    return assessment, root / f"pkg-{name}"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    """(old assessment, old package, new assessment, new package), built without official content."""
    from scc.engine.attestations import append_attestation

    root = tmp_path_factory.mktemp("diff")
    attestations = root / "attestations.yaml"
    append_attestation(attestations, rule=ATTESTED_RULE, control=None, status="passed",
                       explanation="Reviewed the registry's audit configuration.", updated_by="A. Assessor",
                       updated="2026-05-01", frequency=None, expires="2026-06-30", evidence=None)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SCC_CONTENT_DIR", str(root / "no-content"))
        old = _build(root, "old", OLD_EPOCH, monkeypatch, attestations)
        new = _build(root, "new", NEW_EPOCH, monkeypatch, attestations, previous=old[1])   # the next CI run
    return (*old, *new)


def test_findings_opened_closed_and_resevered_by_their_poam_identity(runs):
    import scc

    d = scc.diff(runs[1], runs[3])
    assert [(f.identity, f.severity) for f in d.findings_opened] == [("CVE-2099-0001|pkg:pypi/werkzeug", "critical")]
    assert [f.identity for f in d.findings_closed] == ["CVE-2023-45803|pkg:pypi/urllib3"]
    assert [(f.identity, f.old_severity, f.severity) for f in d.findings_severity_changed] == [
        ("CVE-2024-0727|pkg:apk/alpine/libcrypto3", "medium", "high")]


def test_components_added_removed_and_upgraded_without_version_in_the_key(runs):
    import scc

    d = scc.diff(runs[1], runs[3])
    assert [(c.key, c.name, c.versions) for c in d.components_added] == [("pkg:npm/left-pad", HOSTILE, ("1.0",))]
    assert [(c.key, c.versions) for c in d.components_removed] == [("pkg:pypi/gunicorn", ("22.0.0",))]
    assert [(c.key, c.old_versions, c.versions) for c in d.components_upgraded] == [
        ("pkg:pypi/requests", ("2.31.0",), ("2.32.3",))]


def test_override_withdrawn_and_attestation_expired(runs):
    import scc

    d = scc.diff(runs[1], runs[3])
    assert [(x.kind, x.rule, x.change, x.action, x.expires) for x in d.decisions] == [
        ("attestation", ATTESTED_RULE, "expired", "passed", "2026-06-30"),
        ("override", "SRG-OS-000362-GPOS-00149", "withdrawn", "severity", "2027-05-31")]


def test_rule_and_control_changes_are_the_verdicts_that_differ(runs):
    """Oracle: the two assessments' own verdicts, compared by hand."""
    import scc

    old, new = runs[0], runs[2]
    d = scc.diff(runs[1], runs[3])
    before = {r.rule.id: r.verdict.value for r in old.rule_results}
    after = {r.rule.id: r.verdict.value for r in new.rule_results}
    assert {(c.id, c.old, c.new) for c in d.rules} == {(k, before[k], after[k]) for k in before if before[k] != after[k]}
    assert (ATTESTED_RULE, "satisfied", "manual", "worse") in {(c.id, c.old, c.new, c.direction) for c in d.rules}
    controls_before = {c.control_id: c.verdict.value for c in old.control_results}
    controls_after = {c.control_id: c.verdict.value for c in new.control_results}
    expected = {k for k in controls_before if controls_before[k] != controls_after[k]}
    in_memory = scc.diff(old, new)
    assert {c.id for c in in_memory.controls} == expected
    assert {c.id for c in d.controls} <= expected     # a package may not state a closed verdict outside its baseline
    assert in_memory.rules == d.rules


def test_a_package_and_the_assessment_it_was_written_from_do_not_differ(runs):
    import scc

    assert scc.diff(runs[1], runs[0]).empty
    assert scc.diff(runs[0], runs[1]).empty


def test_identical_packages_give_an_empty_diff_and_exit_0(runs, capsys):
    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[1]), "--fail-on", "regressed")
    assert code == 0 and "no regression: no change" in out
    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[1]), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["regressed"] is False and data["rules"] == [] and data["findings-opened"] == []


def test_regression_exits_1_only_with_fail_on(runs, capsys):
    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[3]))
    assert code == 0 and out.startswith("scc diff: ") and "posture regressed" in out
    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[3]), "--fail-on", "regressed")
    assert code == 1
    assert "regression: new open finding CVE-2099-0001 in werkzeug (critical)" in out
    code, _, _ = run_scc(capsys, "diff", str(runs[3]), str(runs[1]), "--fail-on", "regressed",
                         "--fail-severity", "critical")
    assert code == 0, "going back closes the new finding and regains the proof: not a regression"


def test_fail_severity_decides_whether_a_new_finding_regresses(runs):
    import scc

    d = scc.diff(runs[1], runs[3], fail_severity="critical")
    assert any("CVE-2099-0001" in r for r in d.regressions)
    assert not any("CVE-2024-0727" in r for r in d.regressions), "medium -> high does not reach critical"
    assert any("CVE-2024-0727" in r for r in scc.diff(runs[1], runs[3], fail_severity="high").regressions)


def test_a_tampered_package_is_a_one_line_error_exit_2(runs, tmp_path, capsys):
    tampered = tmp_path / "tampered"
    shutil.copytree(runs[1], tampered)
    poam = tampered / "oscal-poam.json"
    poam.write_text(poam.read_text().replace('"high"', '"low"'))
    code, out, err = run_scc(capsys, "diff", str(runs[1]), str(tampered))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "oscal-poam.json" in err and "altered" in err
    code, _, err = run_scc(capsys, "diff", str(runs[1]), str(EXAMPLE))
    assert code == 2 and "not an scc package" in err and err.count("\n") == 1


def test_json_round_trips(runs, capsys):
    from scc.posture import PostureDiff, diff

    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[3]), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == 1 and data["regressed"] is True
    assert PostureDiff.from_dict(data) == diff(runs[1], runs[3])
    assert PostureDiff.from_dict(data).to_json() == out


def _table_rows(markdown: str, heading: str) -> list[list[str]]:
    block = markdown.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("|")]
    return [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]


def test_markdown_is_a_summary_line_and_tables_with_hostile_text_inert(runs, capsys):
    code, out, _ = run_scc(capsys, "diff", str(runs[1]), str(runs[3]), "--format", "markdown")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("**scc diff: posture regressed: ") and first.endswith("**")
    rows = _table_rows(out, "Components added")
    assert [cell.strip() for cell in rows[0]] == ["component", "versions"]
    assert set(rows[1][0].strip()) == {"-"}
    assert all(len(row) == 2 for row in rows), "a pipe in a name must not add a column"
    assert len(rows) == 3
    rows = _table_rows(out, "Findings opened")
    assert [c.strip() for c in rows[2]][:3] == ["CVE-2099-0001", "werkzeug", "critical"]
    assert "<script>" not in out and "&lt;script&gt;" in out and "`pkg`" not in out


def test_markdown_escapes_hostile_names_in_every_cell():
    from scc.posture.model import ComponentChange, PostureDiff
    from scc.posture.render import md_escape

    hostile = "a|b`c`<img src=x onerror=alert(1)>[link](http://x)\nnext"
    escaped = md_escape(hostile)
    assert "|" not in escaped.replace("\\|", "") and "`" not in escaped.replace("\\`", "")
    assert "<" not in escaped and "\n" not in escaped and "](" not in escaped
    d = PostureDiff("a", "b", "i", "i", "t", "t", components_added=(ComponentChange(hostile, hostile, ("1",)),))
    table = [line for line in d.to_markdown().splitlines() if line.startswith("| ")]
    assert all(len(re.split(r"(?<!\\)\|", line)) == 4 for line in table)
    assert "<img" not in d._repr_html_() and "&lt;img" in d._repr_html_()


def test_long_lists_are_collapsed_in_markdown():
    from scc.posture.model import ComponentChange, PostureDiff

    many = tuple(ComponentChange(f"pkg:pypi/p{i}", f"p{i}", ("1",)) for i in range(12))
    out = PostureDiff("a", "b", "i", "i", "t", "t", components_added=many).to_markdown()
    assert "<details><summary>12 components added</summary>" in out and out.count("| pkg:pypi/p") == 12


@pytest.mark.parametrize(("old", "new", "direction"), [
    ("satisfied", "partial", "worse"), ("partial", "not-satisfied", "worse"), ("not-applicable", "not-satisfied", "worse"),
    ("satisfied", "manual", "worse"), ("not-applicable", "manual", "worse"), ("manual", "partial", "worse"),
    ("partial", "manual", "changed"), ("not-satisfied", "manual", "changed"), ("manual", "satisfied", "better"),
    ("not-satisfied", "partial", "better"), ("satisfied", "not-applicable", "changed"), ("closed", "satisfied", None),
    ("closed", "manual", None), ("closed", "partial", "worse"), ("not-satisfied", "closed", "better"),
])
def test_the_documented_order_of_verdicts(old, new, direction):
    from scc.posture import status_direction

    assert status_direction(old, new) == direction


def test_content_change_is_reported():
    from types import MappingProxyType

    from scc.posture import compare
    from scc.posture.snapshot import PostureSnapshot

    def snap(sha: str) -> PostureSnapshot:
        record = {"scc-version": "0.1.0", "rule-packs": [{"name": "stig/gpos-srg.yaml", "sha256": sha}],
                  "content": [], "settings": {"baseline": "moderate"}}
        return PostureSnapshot("x", "i", "", "2026-01-01T00:00:00Z", {}, {}, {}, {},
                               provenance=MappingProxyType(record))

    d = compare(snap("aa"), snap("bb"))
    assert [(c.kind, c.name, c.old, c.new) for c in d.content] == [("rule-pack", "stig/gpos-srg.yaml", "aa", "bb")]
    assert "rules or content changed" in d.to_text() and not d.regressed
    assert "verdict changes may come from that rather than from the image" in d.to_markdown()


def test_an_sbom_recorded_relative_is_found_beside_the_package_only_with_its_hash(runs, tmp_path, monkeypatch):
    import hashlib

    from scc.posture.package import PackageReader, _sbom_file

    artifact = tmp_path / "previous"
    shutil.copytree(runs[1], artifact / "ato")
    (artifact / "build").mkdir()
    sbom = artifact / "build" / "sbom.cdx.json"
    shutil.copy(EXAMPLE / "sbom.cdx.json", sbom)
    monkeypatch.chdir(tmp_path)       # the working directory holds no build/sbom.cdx.json
    reader = PackageReader(artifact / "ato")
    digest = hashlib.sha256(sbom.read_bytes()).hexdigest()
    assert _sbom_file(reader, {"path": "build/sbom.cdx.json", "sha256": digest}) == artifact / "build" / "sbom.cdx.json"
    assert _sbom_file(reader, {"path": "build/sbom.cdx.json", "sha256": "0" * 64}) is None


def _snapshot(image: str = "registry.example/app:1", rules=None, findings=None, components=None):
    from types import MappingProxyType

    from scc.posture.snapshot import PostureSnapshot

    return PostureSnapshot("x", image, "", "2026-01-01T00:00:00Z", {}, MappingProxyType(rules or {}),
                           MappingProxyType(findings or {}), components)


def test_more_open_cat1_is_a_regression_and_fewer_is_not():
    from scc.posture import compare
    from scc.posture.snapshot import RuleState

    closed = {"r1": RuleState("r1", "t", "satisfied", "high", ("SRG-OS-000001-GPOS-00001",))}
    opened = {"r1": RuleState("r1", "t", "not-satisfied", "high", ("SRG-OS-000001-GPOS-00001",))}
    d = compare(_snapshot(rules=closed), _snapshot(rules=opened))
    assert (d.old_cat1, d.new_cat1) == (0, 1)
    assert "open CAT I rule results rose from 0 to 1" in d.regressions
    back = compare(_snapshot(rules=opened), _snapshot(rules=closed))
    assert not back.regressed and [c.direction for c in back.rules] == ["better"]


def test_a_different_image_is_noted_and_missing_components_are_not_compared():
    from scc.posture import compare
    from scc.posture.snapshot import ComponentState

    d = compare(_snapshot("registry.example/app:1"), _snapshot("registry.example/other:1",
                                                                  components={"k": ComponentState("k", "k", ("1",))}))
    assert d.components_added is None and d.components_upgraded is None
    assert any("different images" in n for n in d.notes)
    assert not any("different images" in n for n in compare(_snapshot("r.example/app:1"),
                                                             _snapshot("r.example/app:2@sha256:ab")).notes)


def test_components_are_not_compared_when_the_sbom_input_changed_since(runs):
    import scc

    manifest = json.loads((runs[1] / "manifest.json").read_text())
    sbom = Path(next(i["path"] for i in manifest["inputs"] if i["format"].startswith("cyclonedx")))
    saved = sbom.read_bytes()
    try:
        sbom.write_bytes(saved + b"\n")
        d = scc.diff(runs[1], runs[3])
    finally:
        sbom.write_bytes(saved)
    assert d.components_added is None
    assert any("not found with the sha256 the manifest records" in n for n in d.notes)
    assert "components are not compared" in d.to_text()
    assert d.findings_opened, "everything else is still compared"


def test_every_public_name_of_scc_posture_has_a_docstring():
    import importlib
    import inspect

    missing = []
    for name in ("scc.posture", "scc.posture.model", "scc.posture.compare", "scc.posture.snapshot", "scc.posture.package",
                 "scc.posture.render", "scc.cli.diff"):
        module = importlib.import_module(name)
        missing += [name] if not module.__doc__ else []
        for attr, value in vars(module).items():
            if attr.startswith("_") or getattr(value, "__module__", None) != name:
                continue
            missing += [f"{name}.{attr}"] if (inspect.isfunction(value) or inspect.isclass(value)) \
                and not value.__doc__ else []
            for member, item in vars(value).items() if inspect.isclass(value) else ():
                function = item.fget if isinstance(item, property) else getattr(item, "__func__", item)
                if not member.startswith("_") and inspect.isfunction(function) and not function.__doc__:
                    missing.append(f"{name}.{attr}.{member}")
    assert missing == []


def _cklb_statuses(package: Path) -> dict[tuple[str, str], str]:
    data = json.loads((package / "checklist.cklb").read_text())
    return {(stig["stig_id"], rule["group_id"] or rule["rule_version"]): rule["status"]
            for stig in data["stigs"] for rule in stig["rules"]}


def test_checklist_rows_whose_cklb_status_changed(runs):
    import scc

    before, after = _cklb_statuses(runs[1]), _cklb_statuses(runs[3])
    expected = {f"{b} {g}" for (b, g) in before if before[(b, g)] != after.get((b, g))}
    d = scc.diff(runs[1], runs[3])
    assert {c.id for c in d.checklist} == expected
    assert [(c.id.split(" ")[0], c.srg, c.old, c.new) for c in d.checklist] == [
        ("Container_Platform_SRG", ("SRG-APP-000133-CTR-000305",), "satisfied", "manual")]
    assert scc.diff(runs[0], runs[2]).checklist == d.checklist


def test_a_rule_that_appears_open_is_worse_and_one_that_disappears_is_neutral():
    from scc.posture import compare
    from scc.posture.snapshot import RuleState

    failing = {"new-rule": RuleState("new-rule", "t", "not-satisfied", "medium")}
    passing = {"new-rule": RuleState("new-rule", "t", "satisfied", "medium")}
    assert [(c.old, c.new, c.direction) for c in compare(_snapshot(), _snapshot(rules=failing)).rules] == [
        ("not-assessed", "not-satisfied", "worse")]
    assert compare(_snapshot(), _snapshot(rules=failing)).regressed
    assert [c.direction for c in compare(_snapshot(), _snapshot(rules=passing)).rules] == ["changed"]
    gone = compare(_snapshot(rules=failing), _snapshot())
    assert [c.direction for c in gone.rules] == ["changed"] and not gone.regressed


def _rewrite(package: Path, name: str, document: object) -> None:
    """Replace one file of a package and record its new sha256 in the manifest (a forged package)."""
    import hashlib

    data = json.dumps(document).encode()
    (package / name).write_bytes(data)
    manifest = json.loads((package / "manifest.json").read_text())
    for output in manifest["outputs"]:
        if output["path"] == name:
            output["sha256"] = hashlib.sha256(data).hexdigest()
    manifest["provenance"] = {"settings": ["not", "a", "mapping"], "rule-packs": "x", "content": [1]}
    (package / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("document", [
    {"assessment-results": {"results": [{"observations": [1, "x", {"props": "bad"}, {"props": [
        {"ns": "https://scc.dev/ns/oscal", "name": "rule-id", "value": "r|<b>"}, 3]}],
        "findings": [{"target": "x"}, 2, {"target": {"type": "statement-id", "status": []}}],
        "reviewed-controls": {"control-selections": [{"include-controls": [{"control-id": 5}, 7]}]}}]}},
    {"assessment-results": {"results": []}},
    [],
])
def test_a_forged_but_consistent_package_never_crashes(runs, tmp_path, capsys, document):
    forged = tmp_path / "forged"
    shutil.copytree(runs[1], forged)
    _rewrite(forged, "oscal-assessment-results.json", document)
    for output in ("text", "json", "markdown"):
        code, _, err = run_scc(capsys, "diff", str(runs[1]), str(forged), "--format", output)
        assert code in (0, 2), err
        assert code == 0 or (err.count("\n") == 1 and err.startswith("scc: error: ")), err
