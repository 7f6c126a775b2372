"""Writers at scale (issue #12): the OSCAL assessment results and POA&M carry each finding once and stay
within twice the size of the scan they came from; the fast paths (plain-dict OSCAL written by orjson,
one object per line, the xlsx scrubber, the paused collector) give exactly what the slow ones gave."""
from __future__ import annotations

import gc
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from _writer_assessment import build_assessment
from hypothesis import given, settings
from hypothesis import strategies as st
from validators import validate_oscal_schema

from scc.gcpause import collector_paused
from scc.writers import writer
from scc.writers._oscal_common import _dump_with_lines

ROOT = Path(__file__).resolve().parents[1]


def _generate(out: Path, findings: int) -> list[Path]:
    """bench/generate.py's seeded CycloneDX SBOM and Grype scan (the scale benchmarks' inputs)."""
    spec = importlib.util.spec_from_file_location("scc_bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module           # dataclasses look their module up while it executes
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module.generate(out, components=findings // 2, findings=findings)


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


# -- each finding once ---------------------------------------------------------------------------------
def test_poam_writes_each_weakness_description_once_and_links_it_by_uuid():
    document = json.loads(writer("oscal-poam").render(build_assessment()))["plan-of-action-and-milestones"]
    everywhere = _strings({k: v for k, v in document.items() if k != "observations"})
    observations = {o["uuid"]: o for o in document["observations"]}
    for observation in observations.values():
        assert observation["description"] not in everywhere, observation["title"]
    assert "findings" not in document      # a POA&M finding only repeated its item
    for risk in document["risks"]:
        (related,) = risk["related-observations"]
        assert related["observation-uuid"] in observations
    for item in document["poam-items"]:
        risks = {r["risk-uuid"] for r in item["related-risks"]}
        linked = {o["observation-uuid"] for o in item["related-observations"]}
        assert linked <= set(observations) and len(risks) == 1
        assert not item.get("related-findings")


def test_assessment_results_findings_point_at_observations_instead_of_repeating_them():
    document = json.loads(writer("oscal-assessment-results").render(build_assessment()))
    (result,) = document["assessment-results"]["results"]
    statements = [o["description"] for o in result["observations"] if len(o["description"]) > 40]
    assert statements
    elsewhere = _strings(result["findings"])
    for statement in statements:
        assert not any(statement in text for text in elsewhere), statement[:80]
    for finding in result["findings"]:
        assert finding["related-observations"]
        if finding["target"]["type"] == "statement-id":
            assert "assessing it" in finding["description"]


@pytest.mark.slow
def test_oscal_documents_grow_by_at_most_twice_what_the_scan_grows(tmp_path):
    """Each further finding adds at most twice its scan bytes to either document (a fixed part, the rule
    observations and back-matter, comes on top), and the POA&M of 600 findings is within 2x its scan."""
    import scc

    sizes: dict[str, list[int]] = {"scan": [], "oscal-poam": [], "oscal-assessment-results": []}
    for count in (150, 600):
        inputs = _generate(tmp_path / str(count), count)
        sizes["scan"].append(next(p for p in inputs if p.name == "scan.grype.json").stat().st_size)
        assessment = scc.assess(inputs)
        for name in ("oscal-poam", "oscal-assessment-results"):
            data = writer(name).render(assessment)
            sizes[name].append(len(data))
            if name == "oscal-poam":
                validate_oscal_schema(json.loads(data), "poam")
    growth = sizes["scan"][1] - sizes["scan"][0]
    for name in ("oscal-poam", "oscal-assessment-results"):
        assert sizes[name][1] - sizes[name][0] <= 2 * growth, (name, sizes)
    assert sizes["oscal-poam"][1] <= 2 * sizes["scan"][1], sizes


# -- the fast paths give what the slow ones gave -------------------------------------------------------
_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_TEXT, st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | _TEXT,
                                           lambda inner: st.lists(inner, max_size=3)
                                           | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=12),
                       max_size=4))
def test_orjson_output_is_the_standard_librarys_byte_for_byte(document):
    import orjson

    expected = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(_TEXT, _TEXT | st.lists(_TEXT, max_size=2), max_size=3), max_size=4), _TEXT)
def test_one_object_per_line_layout_is_the_same_json(items, text):
    document = {"plan-of-action-and-milestones": {"uuid": text, "metadata": {"title": text, "props": []},
                                                  "poam-items": items, "empty": []}}
    data = _dump_with_lines(document, {"poam-items", "empty"})
    assert json.loads(data) == document
    lines = data.split(b"\n")
    if items:       # one line per item between the array's brackets, each a complete JSON object
        start = lines.index(b'    "poam-items": [')
        written = lines[start + 1:start + 1 + len(items)]
        assert [json.loads(line.strip().rstrip(b",")) for line in written] == items
        assert lines[start + 1 + len(items)] == b"    ],"


def test_xlsx_scrubber_replaces_exactly_what_the_name_alternation_replaced():
    from scc.writers.poam_xlsx import _scrubber

    assessment = build_assessment()
    scrub = _scrubber(assessment.report)
    words = {}
    for rule in assessment.report.rules:
        if not rule.id.startswith("SRG-"):
            words[rule.id] = f'"{rule.title}"' if rule.title else "this requirement"
            if rule.check:
                words[rule.check] = "automated"
    names = sorted(words, key=len, reverse=True)
    reference = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    setting = re.compile(r"\s*\(?\bsla_days\[[^\]]*\]\)?")
    samples = [f"{a} {b}" for a in names[:6] for b in names[-6:]]
    samples += [f"x-{names[0]} {names[0]}-y {names[0]}. ({names[-1]}) é{names[1]} {names[1]}s",
                "due in 15 days (sla_days[critical]) for healthcheck", "", "nothing to see"]
    for text in samples:
        assert scrub(text) == reference.sub(lambda m: words[m.group(1)], setting.sub("", text)), text


def test_collector_pause_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


_FLOAT = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e-05, 5e-05, 1e16, 1.5e-07, 0.5, 10.0])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT, st.recursive(st.none() | _FLOAT | st.integers() | _TEXT,
                                           lambda inner: st.lists(inner, max_size=3)
                                           | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=12),
                       max_size=4))
def test_indented_json_is_the_standard_librarys_byte_for_byte_floats_and_big_integers_too(document):
    from scc.writers._json import indented_json

    assert indented_json(document) == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | _FLOAT | st.integers() | _TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=12))
def test_indented_text_is_the_standard_librarys_for_any_value_a_bare_number_too(value):
    from scc.writers._json import indented_text

    assert indented_text(value) == json.dumps(value, indent=2, ensure_ascii=False)
