"""The shipped rule packs against the official sources: the NIST 800-53 rev5 catalog, the DISA SRGs
and the DISA CCI list (parsed here directly with lxml, independent of scc's own content parser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from scc.content import ContentStore
from scc.engine.checks import registry
from scc.engine.model import Rule
from scc.engine.rules import load_rule_packs, with_official_text
from scc.errors import RulePackError
from scc.yamlsafe import load_file

REPO = Path(__file__).resolve().parents[1]
XCCDF = {"x": "http://checklists.nist.gov/xccdf/1.1"}
CCI_NS = {"c": "http://iase.disa.mil/cci"}
SRG_FILES = {"gpos-srg": "disa-os-srg-v3r2.xml", "ctr-srg": "disa-ctr-srg-v1r3.xml"}
_REV5_INDEX = re.compile(r"^([A-Z]{2})-(\d+)(?:\s*\((\d+)\))?")


def _safe_parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(str(path), parser)


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return load_rule_packs()


@pytest.fixture(scope="module")
def resolved(rules: list[Rule], content_dir: Path) -> list[Rule]:
    """The shipped rules with the official text filled in from the imported reference content."""
    store = ContentStore(content_dir)
    return with_official_text(rules, {name: store.benchmark(name) for name in SRG_FILES})


@pytest.fixture(scope="module")
def catalog(shared_data: Path) -> dict[str, str]:
    """control id -> status ('' or 'withdrawn')."""
    data = json.loads((shared_data / "nist" / "NIST_SP-800-53_rev5_catalog.json").read_text())
    found: dict[str, str] = {}

    def walk(controls: list[dict]) -> None:
        for control in controls:
            status = [p["value"] for p in control.get("props", []) if p["name"] == "status"]
            found[control["id"]] = status[0] if status else ""
            walk(control.get("controls", []))

    for group in data["catalog"]["groups"]:
        walk(group.get("controls", []))
    return found


@pytest.fixture(scope="module")
def srg_requirements(shared_data: Path) -> dict[str, dict[str, dict]]:
    """benchmark -> version -> {group, rule, severity, title, ccis, check, fix}."""
    result: dict[str, dict[str, dict]] = {}
    for benchmark, name in SRG_FILES.items():
        root = _safe_parse(shared_data / "disa" / name).getroot()
        table = result.setdefault(benchmark, {})
        for group in root.iterfind("x:Group", XCCDF):
            rule = group.find("x:Rule", XCCDF)
            table[rule.findtext("x:version", namespaces=XCCDF)] = {
                "group": group.get("id"),
                "rule": rule.get("id"),
                "severity": rule.get("severity"),
                "title": rule.findtext("x:title", namespaces=XCCDF).strip(),
                "ccis": [
                    i.text for i in rule.iterfind("x:ident", XCCDF) if i.get("system", "").endswith("cci")
                ],
                "check": rule.findtext("x:check/x:check-content", namespaces=XCCDF) or "",
                "fix": rule.findtext("x:fixtext", namespaces=XCCDF) or "",
            }
    return result


@pytest.fixture(scope="module")
def cci_controls(shared_data: Path) -> dict[str, set[str]]:
    """CCI id -> the NIST SP 800-53 Revision 5 controls it references (lower-case OSCAL ids)."""
    root = _safe_parse(shared_data / "disa" / "U_CCI_List.xml").getroot()
    mapping: dict[str, set[str]] = {}
    for item in root.iterfind(".//c:cci_item", CCI_NS):
        controls = mapping.setdefault(item.get("id"), set())
        for ref in item.iterfind(".//c:reference", CCI_NS):
            match = _REV5_INDEX.match(ref.get("index", "").strip())
            if ref.get("title") == "NIST SP 800-53 Revision 5" and match:
                family, number, enhancement = match.groups()
                controls.add(
                    f"{family.lower()}-{int(number)}" + (f".{int(enhancement)}" if enhancement else "")
                )
    return mapping


def _words(text: str) -> str:
    return " ".join(text.split())


def test_control_packs_ship_at_least_15_rules_over_the_required_families(rules):
    control_rules = [r for r in rules if r.pack == "controls"]
    assert len(control_rules) >= 15
    cited = {c for r in control_rules for c in r.controls}
    required = {
        "cm-8",
        "ra-5",
        "si-2",
        "ac-6",
        "ac-6.10",
        "cm-7",
        "cm-7.1",
        "sc-13",
        "ia-7",
        "cm-6",
        "sr-3",
        "sr-4",
        "sr-11",
        "si-7",
        "si-7.15",
        "cm-14",
        "sa-10",
        "si-2.6",
        "ac-3",
        "ac-2",
    }
    assert required <= cited, sorted(required - cited)


def test_rule_ids_are_unique_and_control_ids_lower_case_oscal(rules):
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        for control in rule.controls:
            assert re.fullmatch(r"[a-z]{2}-\d+(\.\d+)?", control), (rule.id, control)


def test_every_cited_control_exists_in_the_nist_catalog_and_is_not_withdrawn(rules, catalog):
    for rule in rules:
        for control in rule.controls:
            assert control in catalog, f"{rule.id}: {control} not in the rev5 catalog"
            assert catalog[control] != "withdrawn", f"{rule.id}: {control} is withdrawn"


def test_at_least_25_srg_requirements_from_both_srgs(rules):
    refs = [ref for r in rules for ref in r.srg]
    assert len(refs) >= 25
    by_benchmark = {b: [ref for ref in refs if ref.benchmark == b] for b in SRG_FILES}
    assert len(by_benchmark["gpos-srg"]) >= 12 and len(by_benchmark["ctr-srg"]) >= 12
    assert {ref.benchmark for ref in refs} == set(SRG_FILES)
    assert len({(ref.benchmark, ref.version) for ref in refs}) == len(refs)


def test_every_srg_reference_matches_the_official_disa_file(rules, srg_requirements):
    for rule in rules:
        for ref in rule.srg:
            official = srg_requirements[ref.benchmark].get(ref.version)
            assert official is not None, f"{rule.id}: {ref.version} not in {SRG_FILES[ref.benchmark]}"
            assert (ref.group_id, ref.rule_id, ref.severity) == (
                official["group"],
                official["rule"],
                official["severity"],
            ), rule.id
            assert ref.ccis and set(ref.ccis) <= set(official["ccis"]), rule.id


def test_official_titles_come_from_the_disa_file_not_the_pack(rules, resolved, srg_requirements):
    for packed, rule in zip(rules, resolved):
        for plain, ref in zip(packed.srg, rule.srg):
            official = srg_requirements[ref.benchmark][ref.version]
            assert plain.title == "", rule.id
            assert ref.title == official["title"], rule.id
        if rule.srg:
            assert rule.title == rule.srg[0].title != packed.title, rule.id


def test_every_cited_cci_maps_to_a_control_the_rule_cites(rules, cci_controls):
    for rule in rules:
        for ref in rule.srg:
            for cci in ref.ccis:
                assert cci in cci_controls, f"{rule.id}: {cci} not in the CCI list"
                assert cci_controls[cci] & set(rule.controls), (
                    f"{rule.id}: {cci} maps to {sorted(cci_controls[cci])}, rule cites {rule.controls}"
                )


def test_srg_rules_carry_the_official_check_and_fix_text_once_resolved(resolved, srg_requirements):
    for rule in [r for r in resolved if r.srg]:
        official = srg_requirements[rule.srg[0].benchmark][rule.srg[0].version]
        assert rule.check_text and _words(rule.check_text) == _words(official["check"]), rule.id
        assert rule.fix_text and _words(rule.fix_text) == _words(official["fix"]), rule.id
        assert rule.controls, rule.id


def test_stig_packs_hold_no_copied_disa_prose():
    """Title, discussion, check and fix text are DISA's: the packs cite them, never copy them."""
    for path in sorted((REPO / "stig").glob("*.yaml")):
        for entry in load_file(path)["rules"]:
            assert not {"description", "check_text", "fix_text"} & set(entry), (path.name, entry["id"])
            assert all("title" not in ref for ref in entry["srg"]), (path.name, entry["id"])
            assert len(entry["title"]) <= 80, (path.name, entry["id"])   # scc's short title


def test_srg_rules_have_a_short_title_of_their_own(rules, srg_requirements):
    for rule in [r for r in rules if r.srg]:
        official = srg_requirements[rule.srg[0].benchmark][rule.srg[0].version]
        assert rule.title and rule.title != official["title"], rule.id


@pytest.mark.parametrize("field, value", [
    ("description", "copied discussion"), ("check_text", "copied check"), ("fix_text", "copied fix"),
])
def test_a_pack_copying_official_prose_is_refused_naming_file_and_rule(tmp_path, field, value):
    (tmp_path / "copy.yaml").write_text(
        "rules:\n- id: r-1\n  title: t\n  check: manual_review\n  manual: m\n"
        f"  {field}: {value}\n"
        "  srg:\n  - {benchmark: gpos-srg, version: SRG-OS-000001-GPOS-00001}\n")
    with pytest.raises(RulePackError, match=rf"copy.yaml: rule r-1: {field} of an SRG/STIG requirement come "
                                            "from the official content"):
        load_rule_packs([tmp_path])


def test_a_pack_copying_an_official_srg_title_is_refused(tmp_path):
    (tmp_path / "copy.yaml").write_text(
        "rules:\n- id: r-1\n  title: t\n  check: manual_review\n  manual: m\n"
        "  srg:\n  - {benchmark: gpos-srg, version: SRG-OS-000001-GPOS-00001, title: copied}\n")
    with pytest.raises(RulePackError, match="copy.yaml: rule r-1: an srg entry's title comes from the official"):
        load_rule_packs([tmp_path])


def test_control_rules_keep_their_authored_description(tmp_path):
    (tmp_path / "own.yaml").write_text(
        "rules:\n- id: r-1\n  title: t\n  controls: [cm-7]\n  check: manual_review\n"
        "  description: scc's own rationale\n  manual: m\n")
    (rule,) = load_rule_packs([tmp_path])
    assert with_official_text([rule], {}) == [rule] and rule.description == "scc's own rationale"


def test_srg_packs_mix_fact_decided_manual_and_not_applicable_requirements(rules):
    checks = [r.check for r in rules if r.srg]
    fact_decided = [c for c in checks if c not in ("manual_review", "not_applicable_to_images")]
    assert len(fact_decided) >= 20
    assert checks.count("manual_review") >= 5 and checks.count("not_applicable_to_images") >= 5


def test_not_applicable_rules_give_a_reason_and_decidable_rules_say_what_an_assessor_checks(rules):
    for rule in rules:
        if rule.check == "not_applicable_to_images":
            assert len(rule.params["reason"]) > 40, rule.id
        else:
            assert rule.manual, f"{rule.id}: a rule that can end MANUAL needs `manual:` text"


def test_docs_list_every_rule_and_every_check(rules):
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    missing_rules = [r.id for r in rules if f"`{r.id}`" not in text]
    missing_checks = [name for name in registry() if f"`{name}`" not in text]
    assert not missing_rules, missing_rules
    assert not missing_checks, missing_checks
