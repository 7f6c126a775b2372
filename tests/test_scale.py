"""Issue #12 goal 1 (reading and assessing): cost grows with the input, not with its square, and the
shortcuts taken for it never change a result.

No timing asserts: the work is counted (how often a purl is parsed, a version compared) on generated
inputs of two sizes, and each shortcut is checked against the slow path it replaces.
"""
from __future__ import annotations

import fnmatch
import json
import runpy
from pathlib import Path

import pytest

from scc.assessment import Assessment, Settings
from scc.engine.checks.support import matches_any, name_matcher
from scc.facts import read_inputs
from scc.facts.safety import _ANY_SECRET, _may_hold_secret, clean, redact

REPO = Path(__file__).resolve().parents[1]
hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


def _generate(folder: Path, components: int, findings: int) -> list[str]:
    generate = runpy.run_path(str(REPO / "bench" / "generate.py"))["generate"]
    return [str(p) for p in generate(folder, components, findings)]


def _clear_caches() -> None:
    from scc.engine.checks.inventory import _purl_parts
    from scc.engine.remediation import _versionless_purl
    from scc.facts.identity import normalise_purl
    from scc.facts.scans.vulnparse import valid_purl
    from scc.facts.versions import compare

    for cached in (normalise_purl, valid_purl, _versionless_purl, _purl_parts, compare):
        cached.cache_clear()


def _count_purl_parses(monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> int:
    from packageurl import PackageURL

    calls = [0]
    original = PackageURL.from_string.__func__

    def counting(cls, purl: str):
        calls[0] += 1
        return original(cls, purl)

    _clear_caches()
    with monkeypatch.context() as patch:
        patch.setattr(PackageURL, "from_string", classmethod(counting))
        Assessment(read_inputs(paths), Settings())
    return calls[0]


@pytest.mark.slow
def test_each_distinct_purl_is_parsed_a_bounded_number_of_times(tmp_path: Path, monkeypatch) -> None:
    """Read + assess parse each purl a fixed number of times, whatever the input size (main parsed each
    one again for every lookup: ~9 times per component, 5 more per finding's SLA check)."""
    small = _generate(tmp_path / "small", 150, 150)
    large = _generate(tmp_path / "large", 600, 600)
    per_purl = [_count_purl_parses(monkeypatch, paths) / n for paths, n in ((small, 150), (large, 600))]
    assert per_purl[1] <= 4, per_purl       # once to check, once to normalise, once for the inventory check ...
    assert per_purl[1] <= per_purl[0] + 0.5, per_purl   # ... and not more per purl as the input grows


@pytest.mark.slow
def test_the_remediation_schedule_is_computed_once_per_run(tmp_path: Path, monkeypatch) -> None:
    """The SLA checks (five rules) and the report share one schedule instead of computing six."""
    from scc.engine import pipeline, remediation

    calls = [0]
    original = remediation.remediation_schedule

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    paths = _generate(tmp_path / "in", 50, 50)
    monkeypatch.setattr(pipeline, "remediation_schedule", counting)
    monkeypatch.setattr("scc.engine.checks.vulnerability.remediation_schedule", counting)
    report = Assessment(read_inputs(paths), Settings()).report
    assert calls[0] == 1
    assert len(report.clocks) == len(report.facts.findings) == 50


# -- the redaction shortcut is a necessary condition of the full pattern --------------------------------
SECRET_SHAPES = [
    "https://user:pw@host/x", "HTTPS://U:P@H", "a?Token=abc", "x&API-KEY=1", "y;X-Amz-Date=2", "?sig=a",
    "AKIA" + "A" * 16, "akia" + "a" * 16, "ghp_" + "a" * 30, "GHS_" + "A" * 30, "github_pat_" + "a" * 20,
    "glpat-" + "a" * 20, "xoxb-" + "a" * 10, "AIza" + "a" * 35, "sk_live_" + "a" * 16, "npm_" + "a" * 36,
    "eyJ" + "a" * 8 + ".eyJ" + "a" * 8 + "." + "a" * 8, "-----BEGIN RSA PRIVATE KEY-----", "password=x",
    "PASSWD : y", "pwd=z", "Secret=s", "api_key=k", "access-key:k", "auth_token=t", "TOKEN=t", "--password x",
    " -pass y", "--API-KEY z", "--auth q", "--access-key a", "ſecret=1", "paſſword=x", "?\u212aey=1",
]
FRAGMENTS = [*SECRET_SHAPES, "pkg:deb/debian/x@1?arch=amd64&distro=debian-12", "cpe:2.3:a:x:x:1", "auth", "key",
             "-", "=", ":", "?", "&", ";", "@", "://", " ", "_", ".", "a" * 40, "A1", "é", "\u0130", "\u0131"]


@pytest.mark.parametrize("text", SECRET_SHAPES)
def test_every_secret_shape_passes_the_shortcut(text: str) -> None:
    assert _ANY_SECRET.search(text)
    assert _may_hold_secret(text)


@hypothesis.given(st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join)
                  | st.text(st.characters(min_codepoint=32, max_codepoint=0x17f), max_size=60))
@hypothesis.settings(max_examples=600, deadline=None)
def test_the_shortcut_never_skips_a_string_the_full_pattern_matches(text: str) -> None:
    if _ANY_SECRET.search(text):
        assert _may_hold_secret(text)


def test_redaction_of_every_sample_string_is_unchanged(shared_data: Path) -> None:
    """Every string of the reference JSON samples: the shortcut never changes what is redacted."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    seen = 0
    for path in sorted((shared_data / "samples").rglob("*.json"))[:80]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        for text in set(strings(document)):
            seen += 1
            if _ANY_SECRET.search(text):
                assert _may_hold_secret(text), (path.name, text)
    assert seen > 10_000
    assert redact("x?token=abc&v=1") == "x?token=[REDACTED]&v=1"
    assert clean("paſsword=hunter2") != "paſsword=hunter2"   # non-ASCII always takes the full search


# -- the glob matcher is fnmatch ---------------------------------------------------------------------------
PATTERNS = ["bash", "*sh", "python3*", "lib?ssl*", "[bc]ash", "gcc-*", "*.so", "a[!b]c", "x*y*z"]
NAMES = ["bash", "BASH", "zsh", "dash-static", "python3.11", "libssl3", "libXssl", "cash", "gcc-12", "libz.so",
         "abc", "acc", "xyz", "x-y-z-", "", "sh", "py"]


@pytest.mark.parametrize("name", NAMES)
def test_matches_any_is_fnmatch_of_each_pattern(name: str) -> None:
    expected = any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in PATTERNS)
    assert matches_any(name, PATTERNS) is expected
    assert name_matcher(PATTERNS)(name) is expected
    assert matches_any(name, []) is False


def test_vex_statements_are_matched_through_an_index(monkeypatch) -> None:
    """Each finding is tested only against the statements naming its id or an alias (main tested every
    finding against every statement: 400 findings x 400 statements = 160,000 tests)."""
    from scc.facts.model import Finding, FindingState, ImageFacts, VexStatement
    from scc.facts.vex import vex_apply

    calls = [0]
    original = vex_apply._applies

    def counting(*args):
        calls[0] += 1
        return original(*args)

    monkeypatch.setattr(vex_apply, "_applies", counting)
    facts = ImageFacts(findings=[Finding(id=f"CVE-2026-{i}", package="p", aliases={f"GHSA-{i}"}) for i in range(400)],
                       vex=[VexStatement(vulnerability=f"ghsa-{i}" if i % 2 else f"CVE-2026-{i}",
                                         status=FindingState.NOT_AFFECTED) for i in range(400)])
    vex_apply.apply_vex(facts)
    assert calls[0] == 400
    assert all(f.state is FindingState.NOT_AFFECTED for f in facts.findings)   # by id and by alias alike
