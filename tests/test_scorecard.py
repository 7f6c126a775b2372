"""OpenSSF Scorecard: reading each form Scorecard writes, refusing bad ones in one line, matching a result
to the components (and the image source) whose repository it describes, and the SR-6 / SA-9 / SR-3 rules."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO, run_scc

from scc.engine.checks import CheckContext, registry
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.rules import load_pack_file
from scc.engine.scorecard import component_links, image_source_links, normalise_repository, purl_repository
from scc.errors import InputError, RulePackError
from scc.facts import read_inputs
from scc.facts.model import Component, Evidence, ExternalReference, ImageFacts, Provenance
from scc.facts.registry import registered_readers
from scc.facts.source import InputDocument

DATA = REPO / "tests" / "data" / "scorecard"
WIDGET = DATA / "widget.scorecard-v5.json"
API = DATA / "gizmo.scorecard-api.json"
CRON = DATA / "cron-export.scorecard.jsonl"
COLLECTED = DATA / "collected.scorecard.json"
PROBE = DATA / "widget.scorecard-probe.json"
SBOM = DATA / "payments-api.cdx.json"
PROVENANCE = REPO / "tests" / "data" / "intoto" / "slsa-v1.container-image.statement.json"
NOW = datetime(2026, 11, 26, 13, 33, 20, tzinfo=UTC)   # SOURCE_DATE_EPOCH 1795700000, as the package tests
CTX = CheckContext(now=NOW)
RULES = {r.id: r for r in load_pack_file(REPO / "controls" / "scorecard.yaml", registry())}


def _reader_of(path: Path) -> str:
    doc = InputDocument(path)
    return next(r.format for r in registered_readers() if r.sniff(doc))


def _facts(*paths: Path) -> ImageFacts:
    return read_inputs([str(p) for p in paths])


def _run(facts: ImageFacts, ctx: CheckContext = CTX, **params) -> CheckOutcome:
    spec = registry()["scorecard_repositories"]
    return spec.function(facts, spec.params(**params), ctx)


def _rule(rule_id: str, facts: ImageFacts) -> CheckOutcome:
    rule = RULES[rule_id]
    return registry()[rule.check].function(facts, rule.params, CTX)


# -- reading ---------------------------------------------------------------------------------------------
def test_cli_v5_result_is_read_as_written_with_inconclusive_checks_kept():
    assert _reader_of(WIDGET) == "openssf-scorecard"
    (result,) = _facts(WIDGET).scorecards
    assert (result.repository, result.commit) == ("github.com/acme-labs/widget", "9c1e5f0a7b3d2c4e6f8a0b1c3d5e7f9a1b2c3d4e")
    assert result.date == datetime(2026, 11, 16, 4, 12, 9, tzinfo=UTC)
    assert (result.scorecard_version, result.score) == ("v5.0.0", 6.4)
    checks = {c.name: c for c in result.checks}
    assert checks["Signed-Releases"].score == -1 and checks["Signed-Releases"].reason == "no releases found"
    assert checks["Branch-Protection"].score == 3 and len(checks["Branch-Protection"].details) == 3
    assert checks["Branch-Protection"].evidence[0].pointer == "/checks/1"
    assert checks["Branch-Protection"].evidence[0].sha256 == __import__("hashlib").sha256(WIDGET.read_bytes()).hexdigest()
    assert [e.pointer for e in result.evidence] == ["/repo", "/score"]


def test_api_response_with_null_details_and_string_metadata_is_read():
    (result,) = _facts(API).scorecards
    assert result.repository == "github.com/gizmo-works/gizmo" and result.score == 8.3
    assert all(c.details == () for c in result.checks)
    assert {c.name: c.score for c in result.checks}["Signed-Releases"] == 8


def test_cron_json_lines_are_one_result_per_line_cited_by_line():
    assert _reader_of(CRON) == "openssf-scorecard"
    old, stale = _facts(CRON).scorecards[1], _facts(CRON).scorecards[0]
    assert stale.repository == "github.com/padco/left-pad" and stale.date == datetime(2026, 11, 9, tzinfo=UTC)
    assert old.date == datetime(2024, 3, 11, tzinfo=UTC) and old.scorecard_version == "v4.13.1"
    assert stale.checks[2].score == -1 and stale.checks[2].evidence[0].pointer == "line 1/checks/2"
    assert old.evidence[0].pointer == "line 2/repo"


def test_json_array_of_results_is_read_with_array_pointers():
    results = _facts(COLLECTED).scorecards
    assert [r.repository for r in results] == ["github.com/example-org/payments-api", "github.com/unrelated/tool"]
    assert results[1].checks[0].evidence[0].pointer == "/1/checks/0"


def test_intoto_statement_form_names_the_repository_in_its_subject(tmp_path):
    statement = DATA / "widget.scorecard-intoto.json"
    assert _reader_of(statement) == "in-toto"
    (result,) = _facts(statement).scorecards
    assert (result.repository, result.commit, result.score) == (
        "github.com/acme-labs/widget", "9c1e5f0a7b3d2c4e6f8a0b1c3d5e7f9a1b2c3d4e", 6.4)
    assert [e.pointer for e in result.evidence] == ["/subject/0", "/predicate/score"]
    assert result.checks[5].name == "Signed-Releases" and result.checks[5].evidence[0].pointer == "/predicate/checks/5"
    facts = _facts(statement)
    assert facts.attestations == [] and facts.signatures == []   # about a repository, not the image
    data = json.loads(statement.read_text())
    data["subject"].append(data["subject"][0])
    two = tmp_path / "two-subjects.json"
    two.write_text(json.dumps(data))
    with pytest.raises(InputError, match="names one repository as its subject, found 2"):
        read_inputs([str(two)])


def test_the_input_record_names_the_format_tool_and_count():
    facts = _facts(CRON)
    (record,) = facts.inputs
    assert (record.format, record.tool, dict(record.counts)["scorecards"]) == ("openssf-scorecard", "scorecard v4.13.1", 2)


def _bad(tmp_path: Path, name: str, mutate) -> Path:
    data = json.loads(WIDGET.read_text())
    mutate(data)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("name, mutate, says", [
    ("score.json", lambda d: d.update(score=11), "document.score: 11.0 is outside Scorecard's range"),
    ("check-score.json", lambda d: d["checks"][0].update(score="ten"), "document.checks[0].score: expected a number"),
    ("fraction.json", lambda d: d["checks"][0].update(score=2.5), "expected an integer from -1 to 10"),
    ("checks.json", lambda d: d.update(checks={"name": "x"}), "document.checks: expected an array"),
    ("repo.json", lambda d: d["repo"].update(name=""), "document.repo.name: empty"),
    ("date.json", lambda d: d.update(date="last tuesday"), "document.date: 'last tuesday' is not a date"),
    ("unnamed.json", lambda d: d["checks"][1].pop("name"), "document.checks[1].name: missing"),
    ("nan.json", lambda d: d.update(score=float("nan")), "outside Scorecard's range"),
])
def test_malformed_result_is_one_line_exit_2(capsys, tmp_path, name, mutate, says):
    path = _bad(tmp_path, name, mutate)
    code, _out, err = run_scc(capsys, "facts", str(path))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and says in err


def test_probe_output_is_refused_with_the_command_that_writes_scores(capsys):
    code, _out, err = run_scc(capsys, "facts", str(PROBE))
    assert code == 2 and err.count("\n") == 1
    assert "probe output carries no check scores" in err and "--format json" in err


def test_hostile_json_is_refused_in_one_line(capsys, tmp_path):
    nested = tmp_path / "nested.json"
    nested.write_text('{"repo": {"name": "github.com/a/b"}, "scorecard": {"version": "v5"}, "checks": '
                      + "[" * 100_000 + "]" * 100_000 + "}")
    truncated = tmp_path / "truncated.json"
    truncated.write_text(WIDGET.read_text()[:900])
    bad_line = tmp_path / "bad-line.jsonl"
    bad_line.write_text(CRON.read_text() + '{"repo": {"name": "github.com/x/y"}, "scorecard": {"version": "v4"}, \n')
    for path in (nested, truncated, bad_line):
        code, _out, err = run_scc(capsys, "facts", str(path))
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and str(path) in err, err


# -- repository URLs and routes --------------------------------------------------------------------------
@pytest.mark.parametrize("url, repository", [
    ("https://github.com/OSSF/Scorecard", "github.com/ossf/scorecard"),
    ("git+https://github.com/ossf/scorecard.git", "github.com/ossf/scorecard"),
    ("git+ssh://git@github.com/ossf/scorecard.git#v5.0.0", "github.com/ossf/scorecard"),
    ("git@github.com:ossf/scorecard.git", "github.com/ossf/scorecard"),
    ("[REDACTED]@github.com:ossf/scorecard.git", "github.com/ossf/scorecard"),   # userinfo as the boundary leaves it
    ("git+ssh://[REDACTED]@github.com/ossf/scorecard.git", "github.com/ossf/scorecard"),
    ("ssh://git@github.com:22/ossf/scorecard", "github.com/ossf/scorecard"),
    ("https://www.github.com/ossf/scorecard/tree/main/docs", "github.com/ossf/scorecard"),
    ("github.com/ossf/scorecard", "github.com/ossf/scorecard"),
    ("git+https://github.com/ossf/scorecard@refs/tags/v5.0.0", "github.com/ossf/scorecard"),
    ("scm:git:https://github.com/ossf/scorecard.git", "github.com/ossf/scorecard"),
    ("https://gitlab.com/Group/Sub/Project/-/tree/main", "gitlab.com/group/sub/project"),
    ("https://git.example.org/Team/Repo.git", "git.example.org/Team/Repo"),
    ("https://github.com/ossf", ""),
    ("NOASSERTION", ""),
    ("", ""),
])
def test_repository_urls_are_compared_in_one_form(url, repository):
    assert normalise_repository(url) == repository


@pytest.mark.parametrize("purl, repository", [
    ("pkg:github/Acme-Labs/Widget@v1.4.2", "github.com/acme-labs/widget"),
    ("pkg:golang/github.com/gizmo-works/gizmo/v2/client@v2.7.0", "github.com/gizmo-works/gizmo"),
    ("pkg:bitbucket/birkenfeld/pygments-main@244fd47e07d1", "bitbucket.org/birkenfeld/pygments-main"),
    ("pkg:npm/left-pad@1.3.0", ""),
    ("pkg:golang/golang.org/x/net@v0.30.0", ""),
    ("pkg:deb/debian/libc6@2.36", ""),
])
def test_only_purls_that_name_a_repository_link_one(purl, repository):
    assert purl_repository(purl) == repository


def test_sbom_links_count_only_when_their_type_is_accepted():
    ev = Evidence("sbom.cdx.json", "a" * 64, "/components/0/externalReferences/0")
    component = Component("left-pad", "1.3.0", "library", "pkg:npm/left-pad@1.3.0", external_references=(
        ExternalReference("distribution", "https://github.com/elsewhere/mirror", (ev,)),
        ExternalReference("vcs", "git+ssh://git@github.com/padco/left-pad.git", (ev,)),
    ))
    (link,) = component_links(component, ["vcs"])
    assert (link.repository, link.route, link.field) == (
        "github.com/padco/left-pad", "sbom-reference", "vcs git+ssh://git@github.com/padco/left-pad.git")
    assert link.evidence == (ev,)
    assert component_links(component, []) == []


def test_cyclonedx_and_spdx_readers_keep_the_links_with_their_spots(tmp_path):
    facts = _facts(SBOM)
    left_pad = next(c for c in facts.components if c.name == "left-pad")
    # the facts boundary redacts URL userinfo, even ssh's "git@": the repository is still named
    assert [(r.type, r.url) for r in left_pad.external_references] == [
        ("vcs", "git+ssh://[REDACTED]@github.com/padco/left-pad.git"), ("website", "https://www.npmjs.com/package/left-pad")]
    assert left_pad.external_references[0].evidence[0].pointer == "/components/2/externalReferences/0"
    spdx = tmp_path / "gizmo.spdx.json"
    spdx.write_text(json.dumps({
        "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "gizmo", "dataLicense": "CC0-1.0",
        "documentNamespace": "https://example.org/gizmo", "creationInfo": {"created": "2026-11-20T00:00:00Z",
                                                                            "creators": ["Tool: syft-1.18.1"]},
        "packages": [{"SPDXID": "SPDXRef-Package-gizmo", "name": "gizmo", "versionInfo": "2.7.0",
                      "downloadLocation": "git+https://github.com/Gizmo-Works/gizmo.git@v2.7.0",
                      "homepage": "NOASSERTION",
                      "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                        "referenceLocator": "pkg:pypi/gizmo@2.7.0"}]}]}))
    (gizmo,) = _facts(spdx).components
    (ref,) = gizmo.external_references
    assert (ref.type, ref.evidence[0].pointer) == ("downloadLocation", "/packages/0/downloadLocation")
    assert component_links(gizmo, RULES["sr6-scorecard-supplier-assessment"].params.reference_types)[0].repository \
        == "github.com/gizmo-works/gizmo"


def test_cyclonedx_xml_and_spdx_tag_value_keep_the_links_too(tmp_path):
    xml = tmp_path / "gizmo.cdx.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
        '<components><component type="library"><name>gizmo</name><version>2.7.0</version>'
        '<purl>pkg:pypi/gizmo@2.7.0</purl><externalReferences><reference type="website"><url>https://gizmo.dev</url>'
        '</reference><reference type="vcs"><url>https://github.com/gizmo-works/gizmo.git</url></reference>'
        '</externalReferences></component></components></bom>')
    (gizmo,) = _facts(xml).components
    assert [(r.type, r.evidence[0].pointer) for r in gizmo.external_references] == [
        ("website", "/bom/components/component[1]/externalReferences/reference[1]"),
        ("vcs", "/bom/components/component[1]/externalReferences/reference[2]")]
    tv = tmp_path / "gizmo.spdx"
    tv.write_text("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: gizmo\n"
                  "DocumentNamespace: https://example.org/gizmo\nCreator: Tool: syft-1.18.1\n"
                  "Created: 2026-11-20T00:00:00Z\n\nPackageName: gizmo\nSPDXID: SPDXRef-Package-gizmo\n"
                  "PackageVersion: 2.7.0\nPackageDownloadLocation: git+https://github.com/gizmo-works/gizmo@v2.7.0\n"
                  "PackageHomePage: NOASSERTION\n")
    (package,) = _facts(tv).components
    assert [(r.type, r.url, r.evidence[0].pointer) for r in package.external_references] == [
        ("downloadLocation", "git+https://github.com/gizmo-works/gizmo@v2.7.0", "line 9")]


def test_image_source_comes_from_the_provenance_source_and_git_materials():
    ev = Evidence("prov.json", "b" * 64, "/predicate")
    provenance = Provenance("https://slsa.dev/provenance/v1", source_repository="https://github.com/Example-Org/App",
                            materials=("git+https://github.com/example-org/app@refs/heads/main sha1:abc",
                                       "git+https://github.com/example-org/shared-config@refs/tags/v3 sha1:def",
                                       "pkg:docker/debian@12 sha256:123"), evidence=(ev,))
    links = image_source_links(ImageFacts(provenance=[provenance]))
    assert [(k.repository, k.route) for k in links] == [
        ("github.com/example-org/app", "provenance-source"),
        ("github.com/example-org/shared-config", "provenance-material")]


# -- verdicts ---------------------------------------------------------------------------------------------
def test_a_shortfall_in_a_current_result_is_not_satisfied_citing_the_check_and_the_sbom_link():
    facts = _facts(SBOM, CRON)
    result = _rule("sa9-scorecard-upstream-practices", facts)
    assert result.verdict is Verdict.NOT_SATISFIED
    assert "github.com/padco/left-pad" in result.reason and "Dangerous-Workflow 0 < 10" in result.reason
    assert "Maintained 0 < 1" in result.reason and "via sbom-reference" in result.reason
    cited = {(Path(e.source).name, e.pointer) for e in result.evidence}
    assert ("cron-export.scorecard.jsonl", "line 1/checks/1") in cited          # Dangerous-Workflow 0
    assert ("payments-api.cdx.json", "/components/2/externalReferences/0") in cited   # the vcs link
    assert result.details["matched_count"] == 2


def test_an_old_result_proves_nothing_and_keeps_the_rule_partial():
    facts = _facts(SBOM, CRON)
    facts.components = [c for c in facts.components if c.name == "ancient-lib"]
    result = _run(facts, min_score=5.0, max_age_days=90)
    assert result.verdict is Verdict.PARTIAL
    assert "2024-03-11 is 990 days old (limit 90)" in result.reason
    fresh = _run(facts, CheckContext(now=datetime(2024, 4, 1, tzinfo=UTC)), min_score=5.0, max_age_days=90)
    assert fresh.verdict is Verdict.SATISFIED


def test_an_inconclusive_required_check_is_partial_never_satisfied():
    facts = _facts(SBOM, WIDGET)
    facts.components = [c for c in facts.components if c.name == "widget"]
    without = _run(facts, required_checks={"Dangerous-Workflow": 10})
    assert without.verdict is Verdict.SATISFIED and "via purl" in without.reason
    with_signed = _run(facts, required_checks={"Dangerous-Workflow": 10, "Signed-Releases": 5})
    assert with_signed.verdict is Verdict.PARTIAL
    assert "Signed-Releases inconclusive (no releases found)" in with_signed.reason
    not_run = _run(facts, required_checks={"Fuzzing": 1})
    assert not_run.verdict is Verdict.PARTIAL and "Fuzzing not run" in not_run.reason


def test_components_without_a_result_are_counted_and_named_for_a_person():
    facts = _facts(SBOM, WIDGET, API)
    result = _rule("sr6-scorecard-supplier-assessment", facts)
    assert result.verdict is Verdict.PARTIAL
    assert "2 current Scorecard results for 7 components meet" in result.reason
    assert "3 components from a known repository with no Scorecard result" in result.reason
    assert "2 components whose source repository neither purl nor SBOM link names" in result.reason
    assert result.details["unnamed"]["names"] == ["libc6 2.36-9+deb12u9", "zlib1g 1:1.2.13.dfsg-1"]
    routes = {m["subject"]: (m["route"], m["field"]) for m in result.details["matched"]}
    assert routes["widget 1.4.2"] == ("purl", "pkg:github/Acme-Labs/Widget@v1.4.2")
    assert routes["github.com/gizmo-works/gizmo/v2/client v2.7.0"][0] == "purl"


def test_every_component_with_a_passing_current_result_is_satisfied():
    facts = _facts(SBOM, WIDGET, API)
    facts.components = [c for c in facts.components if c.name in ("widget", "github.com/gizmo-works/gizmo/v2/client")]
    result = _rule("sr6-scorecard-supplier-assessment", facts)
    assert result.verdict is Verdict.SATISFIED
    assert {(Path(e.source).name, e.pointer) for e in result.evidence} >= {
        ("widget.scorecard-v5.json", "/score"), ("gizmo.scorecard-api.json", "/score")}
    lowered = _run(facts, min_score=7.0)
    assert lowered.verdict is Verdict.NOT_SATISFIED and "score 6.4 < 7" in lowered.reason


def test_no_result_at_all_is_manual_and_results_for_other_repositories_say_so():
    assert _rule("sr6-scorecard-supplier-assessment", _facts(SBOM)).verdict is Verdict.MANUAL
    facts = _facts(SBOM, COLLECTED)
    result = _rule("sr6-scorecard-supplier-assessment", facts)
    assert result.verdict is Verdict.MANUAL
    assert "None of the 2 Scorecard results supplied" in result.reason and "github.com/unrelated/tool" in result.reason


def test_the_image_source_rule_reads_the_provenance_and_is_capped_at_partial():
    facts = _facts(SBOM, PROVENANCE, COLLECTED)
    result = _rule("sr3-scorecard-image-source", facts)
    assert result.verdict is Verdict.PARTIAL      # SR-3 asks for more than the repository's controls
    assert "github.com/example-org/payments-api (score 8.7, 2026-11-25) for the image via provenance-source" in result.reason
    assert "SR-3 a" in result.reason
    assert any(Path(e.source).name == "slsa-v1.container-image.statement.json" for e in result.evidence)
    uncapped = _run(facts, subject="image-source", min_score=7.0, required_checks={"Signed-Releases": 8})
    assert uncapped.verdict is Verdict.SATISFIED
    assert _rule("sr3-scorecard-image-source", _facts(SBOM, COLLECTED)).verdict is Verdict.MANUAL   # no provenance
    no_result = _rule("sr3-scorecard-image-source", _facts(PROVENANCE, WIDGET))
    assert no_result.verdict is Verdict.MANUAL and "github.com/example-org/payments-api" in no_result.reason


def test_a_passing_verdict_cites_the_score_of_every_check_it_states():
    """The reason names each required check as met, so each check's score is cited, not only the aggregate."""
    facts = _facts(SBOM, PROVENANCE, COLLECTED)
    result = _run(facts, subject="image-source", min_score=7.0, required_checks={"Signed-Releases": 8, "Maintained": 5})
    assert result.verdict is Verdict.SATISFIED
    result_of = {r.repository: r for r in facts.scorecards}["github.com/example-org/payments-api"]
    wanted = {c.name: c.evidence for c in result_of.checks if c.name in ("Signed-Releases", "Maintained")}
    assert len(wanted) == 2 and all(wanted.values())
    for name, spots in wanted.items():
        assert set(spots) <= set(result.evidence), name


def test_of_two_results_for_one_repository_the_newest_decides():
    facts = _facts(SBOM, CRON)
    newer = replace(facts.scorecards[1], repository="github.com/OldCo/ancient-lib", date=datetime(2026, 11, 20, tzinfo=UTC),
                    score=2.0)
    facts.scorecards.append(newer)
    facts.components = [c for c in facts.components if c.name == "ancient-lib"]
    result = _run(facts, min_score=5.0)
    assert result.verdict is Verdict.NOT_SATISFIED and "score 2 < 5" in result.reason


def test_rule_pack_params_are_validated_on_load(tmp_path):
    pack = tmp_path / "bad.yaml"
    pack.write_text("rules:\n  - id: x\n    title: x\n    controls: [sr-6]\n    check: scorecard_repositories\n"
                    "    params: {subject: everything}\n    manual: x\n    description: x\n")
    with pytest.raises(RulePackError, match=r"bad.yaml: rule x: .*subject 'everything'"):
        load_pack_file(pack, registry())
    assert set(RULES) == {"sr6-scorecard-supplier-assessment", "sa9-scorecard-upstream-practices",
                          "sr3-scorecard-image-source"}


def test_scale_thousands_of_components_and_few_results_stays_linear():
    ev = Evidence("sbom.json", "c" * 64, "/components/0")
    facts = _facts(WIDGET)
    facts.components = [Component(f"pkg{i}", "1.0", "library", f"pkg:npm/pkg{i}@1.0", evidence=[ev]) for i in range(5000)]
    facts.components.append(Component("widget", "1.4.2", "library", "pkg:github/acme-labs/widget@v1.4.2", evidence=[ev]))
    result = _rule("sr6-scorecard-supplier-assessment", facts)
    assert result.verdict is Verdict.PARTIAL and result.details["unnamed"]["count"] == 5000
    assert len(result.details["unnamed"]["names"]) == 20 and "and 4997 more" in result.reason


def test_many_matched_results_cite_a_bounded_evidence_list():
    facts = _facts(WIDGET)
    base = facts.scorecards[0]
    facts.scorecards = [replace(base, repository=f"github.com/org{i}/repo", score=2.0 if i % 2 else 9.0,
                                evidence=(Evidence("many.jsonl", "d" * 64, f"line {i + 1}/repo"),)) for i in range(300)]
    facts.components = [Component(f"c{i}", "1", "library", f"pkg:github/org{i}/repo@1",
                                  evidence=[Evidence("sbom.json", "e" * 64, f"/components/{i}")]) for i in range(300)]
    result = _run(facts, min_score=5.0)
    assert result.verdict is Verdict.NOT_SATISFIED and "150 source repository results fall short" in result.reason
    assert len(result.evidence) == 50
    assert result.evidence[0].pointer == "line 2/repo"   # a shortfall is cited first
    assert result.details["matched_count"] == 300 and len(result.details["matched"]) == 20


def test_scc_facts_lists_each_result(capsys):
    code, out, _err = run_scc(capsys, "facts", str(CRON))
    assert code == 0
    assert "openssf-scorecard by scorecard v4.13.1 -> 2 scorecards" in out
    assert "github.com/padco/left-pad score 4.1 (2026-11-09, scorecard v4.13.1)" in out


def test_reader_refuses_what_is_not_a_result():
    doc = InputDocument(SBOM)
    assert not next(r for r in registered_readers() if r.format == "openssf-scorecard").sniff(doc)
    with pytest.raises(InputError):
        read_inputs([str(PROBE)])


# -- end to end ---------------------------------------------------------------------------------------------
def test_scc_package_carries_the_scorecard_verdicts_and_their_evidence(capsys, tmp_path):
    out = tmp_path / "ato"
    inputs = [str(p) for p in (SBOM, WIDGET, API, CRON, COLLECTED, PROVENANCE)]
    code, _out, err = run_scc(capsys, "package", *inputs, "--out", str(out), "--formats", "oscal-ar,html", "--quiet")
    assert code == 0, err
    results = json.loads((out / "oscal-assessment-results.json").read_text())
    text = json.dumps(results)
    for rule_id in RULES:
        assert rule_id in text
    assert "line 1/checks/1" in text and "github.com/padco/left-pad" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert {Path(i["path"]).name: i["format"] for i in manifest["inputs"]}["cron-export.scorecard.jsonl"] \
        == "openssf-scorecard"
    html = (out / "report.html").read_text()
    assert "sr3-scorecard-image-source" in html
    # the components table shows the result the engine matched, with its citation
    assert ("OpenSSF Scorecard: github.com/padco/left-pad: score 4.1 (2026-11-09), matched by sbom-reference vcs "
            "git+ssh://[REDACTED]@github.com/padco/left-pad.git") in html
    assert "line 1/repo" in html


def test_the_report_carries_each_components_match_for_the_views():
    import scc

    assessment = scc.assess([str(p) for p in (SBOM, WIDGET, CRON)])
    matched = {m.component: m for m in assessment.report.component_scorecards}
    widget = next(c for c in assessment.facts.components if c.name == "widget")
    assert matched[widget.key].route == "purl" and matched[widget.key].score == 6.4
    assert len(matched) == 3     # widget (purl), left-pad and ancient-lib (vcs links); requests has no result
    frame = assessment.components_df().set_index("name")
    assert frame.loc["widget", "scorecard"].startswith("github.com/acme-labs/widget: score 6.4 (2026-11-16)")
    assert frame.loc["libc6", "scorecard"] == ""
    bare = scc.assess([str(SBOM), str(WIDGET)], rules=[r for r in assessment.report.rules
                                                      if r.check != "scorecard_repositories"])
    assert bare.report.component_scorecards == ()   # no rule matches components: nothing to show
