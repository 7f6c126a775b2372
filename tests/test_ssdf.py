"""NIST SSDF tasks and CISA attestation form items: the mapping, its lint, the roll-up, ssdf.json and the
CISA form evidence appendix."""
from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import EXAMPLE, REPO, run_scc

from scc.engine.rules import load_rule_packs
from scc.engine.ssdf import lint_ssdf_mapping, load_ssdf_mapping, roll_up
from scc.errors import RulePackError
from scc.report import Rule, RuleResult, Verdict
from scc.ssdf import MappedPractice
from scc.writers import available_writers, writer
from scc.writers.selection import format_names, select_writers

MAPPING = REPO / "frameworks" / "ssdf.yaml"
SCHEMA = REPO / "frameworks" / "ssdf-evidence.schema.json"
KEY = EXAMPLE / "demo-signing.pub"
#: the 42 tasks of SP 800-218 v1.1 (PW.3 was folded into PO.1.3 and PW.4.3 into PW.1.3 by v1.1)
SSDF_V11_TASKS = (
    [f"PO.1.{n}" for n in (1, 2, 3)] + [f"PO.2.{n}" for n in (1, 2, 3)] + [f"PO.3.{n}" for n in (1, 2, 3)]
    + ["PO.4.1", "PO.4.2", "PO.5.1", "PO.5.2", "PS.1.1", "PS.2.1", "PS.3.1", "PS.3.2"]
    + ["PW.1.1", "PW.1.2", "PW.1.3", "PW.2.1", "PW.4.1", "PW.4.2", "PW.4.4", "PW.5.1", "PW.6.1", "PW.6.2"]
    + ["PW.7.1", "PW.7.2", "PW.8.1", "PW.8.2", "PW.9.1", "PW.9.2"]
    + ["RV.1.1", "RV.1.2", "RV.1.3", "RV.2.1", "RV.2.2"] + [f"RV.3.{n}" for n in (1, 2, 3, 4)]
)


def _ids(text: str) -> tuple[str, ...]:
    """Task ids as the form's appendix prints them, space-separated."""
    return tuple(text.split())


ITEM_4_TASKS = _ids("PO.4.1 PO.4.2 PS.1.1 PW.2.1 PW.4.4 PW.5.1 PW.6.1 PW.6.2 PW.7.1 PW.7.2 PW.8.2 PW.9.1 PW.9.2 "
                    "RV.1.1 RV.1.2 RV.1.3 RV.2.1 RV.2.2 RV.3.3")


def _assess():
    """The example assessed at a fixed time (a module fixture is made before the per-test clock is set)."""
    import scc

    return scc.assess([str(EXAMPLE)], keys=[str(KEY)], assessed_at=datetime.fromtimestamp(1795700000, UTC)).report


@pytest.fixture(scope="module")
def report():
    return _assess()


@pytest.fixture(scope="module")
def document(report) -> dict:
    return json.loads(writer("ssdf-json").render(report))


@pytest.fixture(scope="module")
def appendix(report) -> str:
    return writer("ssdf-cisa").render(report).decode("utf-8")


def _mapping_copy(tmp_path: Path, change) -> Path:
    """frameworks/ssdf.yaml with ``change(document)`` applied, written to tmp_path/frameworks/ssdf.yaml."""
    document = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "frameworks" / "ssdf.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


# -- the mapping ---------------------------------------------------------------------------------------
def test_mapping_lists_every_ssdf_v11_task_and_every_form_item_with_a_person_check():
    mapping = load_ssdf_mapping(MAPPING)
    assert [t.id for t in mapping.tasks] == SSDF_V11_TASKS
    assert [i.id for i in mapping.cisa_items] == ["1a", "1b", "1c", "1d", "1e", "1f", "2", "3", "4a", "4b", "4c"]
    assert all(p.person_check and p.title for p in (*mapping.tasks, *mapping.cisa_items))
    assert {t.practice for t in mapping.tasks} == set(mapping.practices)
    assert {t.group for t in mapping.tasks} == set(mapping.groups) == {"PO", "PS", "PW", "RV"}


def test_form_items_cite_the_ssdf_tasks_the_forms_appendix_lists():
    items = {i.id: i.ssdf for i in load_ssdf_mapping(MAPPING).cisa_items}
    assert items["1a"] == items["1b"] == items["1d"] == ("PO.5.1",)
    assert items["1c"] == ("PO.5.1", "PO.5.2") and items["1e"] == ("PO.5.2",)
    assert items["1f"] == ("PO.3.2", "PO.3.3", "PO.5.1", "PO.5.2")
    assert items["2"] == _ids("PO.1.1 PO.3.1 PO.3.2 PO.5.1 PO.5.2 PS.1.1 PS.2.1 PS.3.1 PW.4.1 PW.4.4 PW.7.1 "
                              "PW.8.1 RV.1.1")
    assert items["3"] == _ids("PO.1.3 PO.3.2 PO.5.1 PO.5.2 PS.3.1 PS.3.2 PW.4.1 PW.4.4 RV.1.1 RV.1.2")
    assert items["4a"] == items["4b"] == items["4c"] == ITEM_4_TASKS


def test_mapping_holds_no_long_copy_of_the_publications_text():
    """Titles are scc's paraphrases: none repeats a NIST task sentence (spot-checked against SP 800-218)."""
    text = MAPPING.read_text(encoding="utf-8")
    for nist in ("Separate and protect each environment involved in software development",
                 "Make software integrity verification information available to software acquirers",
                 "Analyze identified vulnerabilities to determine their root causes"):
        assert nist.lower() not in text.lower()


def test_shipped_mapping_names_only_rules_that_exist():
    assert lint_ssdf_mapping(load_ssdf_mapping(MAPPING), load_rule_packs()) == []


def test_lint_fails_on_a_mapping_to_a_rule_id_that_does_not_exist(tmp_path):
    path = _mapping_copy(tmp_path, lambda d: d["tasks"][11]["rules"].append("sr99-no-such-rule"))
    problems = lint_ssdf_mapping(load_ssdf_mapping(path), load_rule_packs())
    assert problems == [("PO.5.1", "maps to rule sr99-no-such-rule, which no rule pack defines")]


def test_scc_rules_lint_reports_the_unknown_rule_and_exits_1(tmp_path, capsys, monkeypatch):
    import scc.resources

    path = _mapping_copy(tmp_path, lambda d: d["cisa_items"][0]["rules"].append("sr99-no-such-rule"))
    shipped = scc.resources.pack_dir
    monkeypatch.setattr(scc.resources, "pack_dir", lambda name: path.parent if name == "frameworks" else shipped(name))
    code, out, _err = run_scc(capsys, "rules", "lint", "--dir", str(tmp_path / "no-content"))
    assert code == 1
    assert "frameworks/ssdf.yaml: rule 1a: maps to rule sr99-no-such-rule, which no rule pack defines" in out


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["tasks"][0].update(evidence="full"), "evidence none goes with no rules"),
    (lambda d: d["tasks"][11].update(evidence="complete"), "evidence must be one of full, partial, none"),
    (lambda d: d["cisa_items"][0]["ssdf"].append("PO.9.9"), "cites SSDF tasks that are not in tasks: PO.9.9"),
    (lambda d: d["tasks"].append(json.loads(json.dumps(d["tasks"][0]))), "task ids defined twice: PO.1.1"),
    (lambda d: d["tasks"][0].pop("person_check"), "each entry needs id, title and person_check"),
    (lambda d: d.update(format="something-else"), "not an SSDF mapping"),
])
def test_a_malformed_mapping_is_refused_naming_the_file_and_entry(tmp_path, change, message):
    path = _mapping_copy(tmp_path, change)
    with pytest.raises(RulePackError, match=re.escape(message)) as raised:
        load_ssdf_mapping(path)
    assert str(path) in str(raised.value)


# -- the roll-up ---------------------------------------------------------------------------------------
def _practice(evidence: str, *rules: str) -> MappedPractice:
    return MappedPractice(kind="ssdf-task", id="PS.2.1", title="t", evidence=evidence, rules=rules,
                          person_check="look", pointer="/tasks/0")


def _results(**verdicts: Verdict) -> dict[str, RuleResult]:
    return {name: RuleResult(Rule(id=name, title=name, controls=("si-7",), check="signature_verified"), verdict,
                             statement=f"{name} statement", reason="r") for name, verdict in verdicts.items()}


S, P, N, M, NA = (Verdict.SATISFIED, Verdict.PARTIAL, Verdict.NOT_SATISFIED, Verdict.MANUAL, Verdict.NOT_APPLICABLE)


@pytest.mark.parametrize(("evidence", "verdicts", "expected"), [
    ("full", {"a": S, "b": S}, S),          # only full evidence with every rule satisfied satisfies
    ("partial", {"a": S, "b": S}, P),       # all satisfied, but the rules show only part of the task
    ("full", {"a": S, "b": P}, P),
    ("full", {"a": S, "b": M}, P),
    ("full", {"a": S, "b": N}, N),          # any contradiction wins
    ("partial", {"a": P, "b": N}, N),
    ("full", {"a": M, "b": M}, M),          # nothing decided: a person checks it
    ("full", {"a": NA, "b": M}, M),
    ("partial", {"a": NA}, M),
])
def test_roll_up_of_mapped_rule_results(evidence, verdicts, expected):
    practice = _practice(evidence, *verdicts)
    result = roll_up(practice, _results(**verdicts))
    assert result.verdict is expected
    assert result.needs_person is (expected is not Verdict.SATISFIED)
    assert [r.rule.id for r in result.rule_results] == list(verdicts)
    for name, verdict in verdicts.items():
        assert f"{name}: {verdict.value}" in result.reason


def test_a_practice_with_no_rule_is_manual():
    result = roll_up(MappedPractice("ssdf-task", "PO.2.2", "t", "none", (), "look", "/tasks/4"), _results(a=S))
    assert result.verdict is Verdict.MANUAL and result.rule_results == ()
    assert "a person must check it" in result.reason


def test_a_mapped_rule_the_assessment_did_not_run_keeps_it_from_being_satisfied():
    result = roll_up(_practice("full", "a", "gone"), _results(a=S))
    assert result.verdict is Verdict.PARTIAL and result.missing_rules == ("gone",)
    assert "gone: not run in this assessment" in result.reason


# -- ssdf.json on the example --------------------------------------------------------------------------
def test_ssdf_json_validates_against_the_shipped_schema(document):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    broken = json.loads(json.dumps(document))
    del broken["ssdf_tasks"][0]["person_check"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_ssdf_json_results_are_the_reports_roll_up_of_the_rule_verdicts(report, document):
    verdicts = {r.rule.id: r.verdict.value for r in report.rule_results}
    entries = [*document["ssdf_tasks"], *document["cisa_items"]]
    assert [e["id"] for e in document["ssdf_tasks"]] == SSDF_V11_TASKS
    for entry in entries:
        decided = report.ssdf.task(entry["id"]) or report.ssdf.item(entry["id"])
        assert entry["result"] == decided.verdict.value
        assert [(r["id"], r["verdict"]) for r in entry["rules"]] == [(i, verdicts[i]) for i in decided.practice.rules]
        mapped = {r["verdict"] for r in entry["rules"]}
        if entry["result"] == "satisfied":
            assert entry["evidence_level"] == "full" and mapped == {"satisfied"} and not entry["needs_person"]
        if not entry["rules"]:
            assert entry["result"] == "manual" and entry["evidence_level"] == "none"
        if "not-satisfied" in mapped:
            assert entry["result"] == "not-satisfied"
    counts = document["summary"]["ssdf_tasks"]
    assert sum(counts.values()) == 42
    assert counts["manual"] >= 25          # most tasks are the producer's organisation: only a person can check


def test_ssdf_json_cites_each_rules_evidence_with_the_hash_of_the_input_read(document):
    inputs = {i["path"]: i["sha256"] for i in document["inputs"]}
    cited = [e for entry in (*document["ssdf_tasks"], *document["cisa_items"]) for r in entry["rules"]
             for e in r["evidence"]]
    assert cited
    for evidence in cited:
        source = Path(evidence["source"])
        if source.is_file():
            assert hashlib.sha256(source.read_bytes()).hexdigest() == evidence["sha256"]
        assert evidence["source"] in inputs or any(evidence["source"].startswith(p) for p in inputs)
    mapping_sha = hashlib.sha256(MAPPING.read_bytes()).hexdigest()
    assert document["mapping"] == {"source": "frameworks/ssdf.yaml", "sha256": mapping_sha, "version": 1}
    for index, entry in enumerate(document["ssdf_tasks"]):
        assert entry["mapping"] == {"source": "frameworks/ssdf.yaml", "sha256": mapping_sha, "pointer": f"/tasks/{index}"}


def test_ps21_is_satisfied_only_by_a_verified_signature_and_provenance_of_this_digest(report, document):
    entry = next(e for e in document["ssdf_tasks"] if e["id"] == "PS.2.1")
    signature, provenance = (next(r for r in report.rule_results if r.rule.id == rule_id)
                             for rule_id in ("si7-signature-verified", "sr4-provenance-covers-image"))
    both = signature.verdict is provenance.verdict is Verdict.SATISFIED
    assert (entry["result"] == "satisfied") is both


# -- the CISA form evidence appendix -------------------------------------------------------------------
def test_cisa_appendix_states_each_form_item_its_result_and_what_a_person_must_check(appendix, document):
    from scc.writers._ssdf_view import RESULT_WORDS

    text = html.unescape(re.sub(r"<[^>]+>", " ", appendix))
    assert "OMB Control No. 1670-0052" in text and "This appendix does not attest" in text
    for item in document["cisa_items"]:
        label = item["id"][0] + (f"({item['id'][1:]})" if len(item["id"]) > 1 else "")
        section = text.split(f"Item {label}: ", 1)[1].split("A person must check:", 1)
        assert section[0].lstrip().startswith(item["title"])
        assert RESULT_WORDS[item["result"]] in section[0]
        assert " ".join(section[1].split()).startswith(" ".join(item["person_check"].split()))
        for rule in item["rules"]:
            assert rule["id"] in section[0]
            for evidence in rule["evidence"]:
                assert evidence["sha256"] in section[0]


def test_cisa_appendix_lists_every_ssdf_task_and_loads_nothing(appendix):
    for task in SSDF_V11_TASKS:
        assert f"<td>{task}</td>" in appendix
    assert "default-src 'none'" in html.unescape(appendix)
    assert not re.search(r"""(src|href)=["']?https?:""", appendix)


# -- the package -----------------------------------------------------------------------------------------
def test_ssdf_outputs_are_byte_identical_across_runs(report, document, appendix):
    again = _assess()
    assert json.loads(writer("ssdf-json").render(again)) == document
    assert writer("ssdf-json").render(again) == writer("ssdf-json").render(report)
    assert writer("ssdf-cisa").render(again).decode("utf-8") == appendix


def test_ssdf_is_a_format_family_that_formats_and_skip_choose():
    writers = available_writers()
    assert format_names(select_writers(writers, ["ssdf"])) == ["ssdf-json", "ssdf-cisa"]
    assert not {"ssdf-json", "ssdf-cisa"} & set(format_names(select_writers(writers, None, ["ssdf"])))
    assert format_names(select_writers(writers, None, ["ssdf-cisa"])).count("ssdf-json") == 1


def test_package_writes_ssdf_outputs_into_the_manifest_and_skip_leaves_them_out(tmp_path, capsys):
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--key", str(KEY), "--formats", "ssdf,hdf",
                              "--out", str(out), "--quiet")
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert set(listed) == {"ssdf.json", "cisa-attestation-evidence.html", "hdf.json"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    skipped = tmp_path / "skipped"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--key", str(KEY), "--formats", "ssdf,hdf",
                              "--skip", "ssdf", "--out", str(skipped), "--quiet")
    assert code == 0, err
    assert sorted(p.name for p in skipped.iterdir()) == ["hdf.json", "manifest.json"]
    assert (skipped / "hdf.json").read_bytes() == (out / "hdf.json").read_bytes()


def test_the_docs_page_tables_say_what_the_mapping_says():
    """docs/ssdf.md lists each evidenced task and each form item with the mapping's evidence level and rules."""
    page = (REPO / "docs" / "ssdf.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ")}
    mapping = load_ssdf_mapping(MAPPING)
    for entry in (*mapping.tasks, *mapping.cisa_items):
        label = entry.id if entry.kind == "ssdf-task" or len(entry.id) == 1 else f"{entry.id[0]}({entry.id[1:]})"
        if entry.kind == "ssdf-task" and not entry.rules:
            assert entry.id in page.split("## What always needs a person", 1)[1].split("##", 1)[0]
            continue
        cells = [c.strip() for c in rows[label].split("|")]
        assert cells[-3] == entry.evidence
        assert cells[-2] == (", ".join(f"`{r}`" for r in entry.rules) or "—")


def test_without_the_verification_key_ps21_and_the_form_items_need_a_person():
    """The same evidence with no key to verify the signature: nothing can be satisfied any more."""
    import scc

    report = scc.assess([str(EXAMPLE)], assessed_at=datetime.fromtimestamp(1795700000, UTC)).report
    signature = next(r for r in report.rule_results if r.rule.id == "si7-signature-verified")
    assert signature.verdict is not Verdict.SATISFIED
    task = report.ssdf.task("PS.2.1")
    assert task.verdict in (Verdict.PARTIAL, Verdict.MANUAL, Verdict.NOT_SATISFIED) and task.needs_person
    assert "si7-signature-verified: " + signature.verdict.value in task.reason
    assert all(r.needs_person for r in report.ssdf.cisa_items)


def test_the_report_with_its_ssdf_results_pickles_for_the_writer_processes(report):
    import pickle

    again = pickle.loads(pickle.dumps(report))
    assert writer("ssdf-json").render(again) == writer("ssdf-json").render(report)


def test_every_rule_verdict_the_appendix_shows_is_cited_with_its_input_hashes(appendix, document):
    for entry in (*document["ssdf_tasks"], *document["cisa_items"]):
        for rule in entry["rules"]:
            for evidence in rule["evidence"]:
                pointer = f" <code>{html.escape(evidence['pointer'])}</code>" if evidence["pointer"] else ""
                cited = f'<div class="cite">{html.escape(evidence["source"])}{pointer} sha256 <code>{evidence["sha256"]}</code>'
                assert cited in appendix, f"{rule['id']} evidence {evidence} not cited"


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8 \x80", b"a: &x [1]\nb: *x\n", b"format: [" * 2000])
def test_an_unreadable_or_hostile_mapping_file_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "ssdf.yaml"
    path.write_bytes(content)
    with pytest.raises(RulePackError, match="cannot read the SSDF mapping") as raised:
        load_ssdf_mapping(path)
    assert "\n" not in str(raised.value)
