"""The facts boundary's shortcut (issue #12): one census of the strings, the few that can change found in
joined passes, the walk only when something changes. Each step is compared with the plain per-string
``clean`` and the full walk it replaces, on hostile text and on facts with a string in every kind of place."""
from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scc.facts import read_input
from scc.facts.model import Component, Evidence, Finding, ImageConfig, ImageFacts, Severity
from scc.facts.safety import (
    _SECRET_FLAG_WORD,
    REDACTED,
    _changed_texts,
    _may_hold_flag_word,
    _reachable_texts,
    _Walker,
    clean,
    make_safe,
)

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

SHAPES = ["AKIA" + "Q" * 16, "ghp_" + "a" * 36, "github_pat_" + "a" * 22, "glpat-" + "a" * 20, "xoxb-" + "1" * 12,
          "AIza" + "a" * 35, "sk_live_" + "a" * 16, "npm_" + "a" * 36, "eyJ" + "a" * 8 + ".eyJ" + "a" * 8 + "." + "a" * 8,
          "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----", "password=x", "PASSWD : y", "pwd=z",
          "Secret=s", "api_key=k", "access-key:k", "auth_token=t", "TOKEN=t", "--password x", " -pass y",
          "--API-KEY z", "--auth q", "https://u:p@host/x", "x?token=abc&v=1", "a;sig=1", "ſecret=1", "paſſword=x",
          "?\u212aey=1", "--paſſword", "--PASSWORD", "-token", "--auth"]
FRAGMENTS = [*SHAPES, "pkg:deb/debian/x@1?arch=amd64&distro=debian-12", "cpe:2.3:a:x:x:1", "auth", "key", "token",
             "-", "--", "=", ":", "?", "&", ";", "@", "://", " ", "\n", "\t", "_", ".", "a" * 20, "é", "\u0130",
             "\u202e", "\x00", "\x85", "\ud800", "\ufffe", "\x1c"]
TEXT = (st.lists(st.sampled_from(FRAGMENTS), max_size=5).map("".join)
        | st.text(st.characters(blacklist_categories=()), max_size=30))


def _one_by_one(texts: set[str]) -> dict[str, str]:
    return {text: clean(text) for text in texts if clean(text) != text}


@hypothesis.given(st.sets(TEXT, max_size=12))
@hypothesis.settings(max_examples=400, deadline=None)
def test_the_joined_passes_find_exactly_what_clean_changes(texts: set[str]) -> None:
    assert _changed_texts(texts) == _one_by_one(texts)


@pytest.mark.parametrize("text", SHAPES)
def test_each_secret_shape_is_found_among_clean_neighbours(text: str) -> None:
    texts = {"pkg:npm/a@1", "auth-lib1", "key", text, "xml-auth2", "/usr/lib/x"}
    assert _changed_texts(texts) == _one_by_one(texts)
    assert text in _changed_texts(texts) or clean(text) == text


@hypothesis.given(st.sets(TEXT, max_size=8), st.dictionaries(TEXT, TEXT, max_size=3))
@hypothesis.settings(max_examples=300, deadline=None)
def test_the_flag_word_test_is_the_walks(texts: set[str], changed: dict[str, str]) -> None:
    expected = any(_SECRET_FLAG_WORD.fullmatch(t) for t in (*texts, *changed.values()))
    assert _may_hold_flag_word(texts, changed) == expected


class _Label(str):
    """A str subclass that is not an enum: the walk cleans it."""


@dataclasses.dataclass(frozen=True)
class _Holder:
    """A dataclass the model does not have: the boundary is generic over dataclasses."""

    items: Any
    note: str = ""


class _FullWalk(_Walker):
    """The walk before the shortcut: every string through clean."""

    def _text(self, value: str) -> str:
        cleaned = clean(value)
        return value if cleaned == value else cleaned


def _facts_with(text: str) -> ImageFacts:
    evidence = Evidence("in.json", "0" * 64, "/components/0")
    facts = ImageFacts()
    facts.components = [Component(name="a", version="1", purl="pkg:npm/a@1", hashes={text: "ab"}, evidence=[evidence]),
                        Component(name="b", cpes=(_Label(text),), licenses=("MIT",), evidence=[evidence])]
    facts.findings = [Finding(id="CVE-1", aliases={text}, severity=Severity.HIGH, fixed_versions=["2"],
                              published=datetime(2026, 1, 1, tzinfo=UTC))]
    facts.config = ImageConfig(entrypoint=("/app", "--password", "hunter2"), labels={"k": text})
    facts.notes = [f"note {text}"]
    facts.passed_over = [_Holder(items=[{"k": (text, frozenset({text}))}], note=text)]   # type: ignore[list-item]
    return facts


@pytest.mark.parametrize("text", ["plain", "a\u202eb", "x\x00y", "\ud83d", "x?token=abc", "AKIA" + "Q" * 16,
                                  "--token", "paſſword=x"])
def test_make_safe_is_the_full_walk_for_a_string_in_every_kind_of_place(text: str) -> None:
    facts = _facts_with(text)
    texts = _reachable_texts(facts)
    assert {text, "pkg:npm/a@1", "hunter2", "in.json", "k"} <= texts
    assert make_safe(facts) == _FullWalk(_one_by_one(texts)).walk(facts)
    assert make_safe(_facts_with(text)).config.entrypoint == ("/app", "--password", REDACTED)


def test_the_census_meets_every_string_the_full_walk_meets(tmp_path: Path) -> None:
    met: set[str] = set()

    class _Recording(_FullWalk):
        def _text(self, value: str) -> str:
            met.add(value)
            return super()._text(value)

    sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"component": {"type": "container",
            "name": "img\u202e", "version": "sha256:" + "a" * 64}},
            "components": [{"name": f"c{i}", "version": "1", "purl": f"pkg:npm/c{i}@1?x=1",
                            "hashes": [{"alg": "SHA-256", "content": "A" * 64}], "licenses": [{"expression": "MIT"}],
                            "properties": [{"name": "syft:cpe23", "value": "cpe:2.3:a:c:c:1"}]} for i in range(50)]}
    path = tmp_path / "sbom.cdx.json"
    path.write_text(json.dumps(sbom))
    _record, facts = read_input(str(path))
    _Recording({}).walk(facts)
    assert met and met <= _reachable_texts(facts)


def test_the_census_visits_each_container_once_however_it_is_shared() -> None:
    from scc.facts.safety import _first_visits

    a, b, c = ["a"], ["b"], ["c"]
    seen: set[int] = set()
    assert _first_visits([a, b], seen) == [a, b]                       # nothing shared: the batch itself
    assert [id(x) for x in _first_visits([b, c, c, a], seen)] == [id(c)]   # met before, and twice in one batch
    assert _first_visits([a, b, c], seen) == []
    d, e = ["d"], ["e"]
    assert [id(x) for x in _first_visits([d, e, d], seen)] == [id(d), id(e)]   # new, one of them twice
    assert seen == {id(a), id(b), id(c), id(d), id(e)}


def _large_facts(text: str, count: int, argv: tuple[str, ...] = ("/app",)) -> ImageFacts:
    """``count`` components and findings, ``text`` in one of each at an odd place, a variant in the config."""
    evidence = Evidence("in.json", "0" * 64, "/components/0")
    facts = ImageFacts()
    facts.components = [Component(name=f"c{i}", version="1", purl=f"pkg:npm/c{i}@1", evidence=[evidence],
                                  licenses=(text,) if i == count - 1 else ()) for i in range(count)]
    facts.findings = [Finding(id=f"CVE-{i}", package=f"c{i}", description=f"{text} in a finding" if i == count - 3 else "",
                              severity=Severity.HIGH) for i in range(count)]
    facts.config = ImageConfig(entrypoint=argv, labels={"k": f"{text} in a label"})
    return facts


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("text", ["plain", "x\x00y", "AKIA" + "Q" * 16, "--password", "a\u202eb"])
def test_the_census_of_large_facts_in_parts_is_the_census_of_the_whole(monkeypatch, jobs: int, text: str) -> None:
    import scc.forking
    from scc.facts.safety import _census, _census_of, _census_parts

    monkeypatch.setattr(scc.forking, "PARALLEL_SIZE", 40)
    facts = _large_facts(text, 30)
    parts = _census_parts(facts, jobs)
    assert len(parts) == jobs
    assert set().union(*map(_reachable_texts, parts)) == _reachable_texts(facts)
    assert _census(facts, jobs) == _census_of([facts])
    assert make_safe(_large_facts(text, 30), jobs=jobs) == make_safe(_large_facts(text, 30))
    assert len(_census_parts(_large_facts(text, 10), jobs)) == 1    # below the size worth a worker: one part


def test_make_safe_shares_a_large_census_with_a_forked_worker(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_safety_census import _large_facts
        import scc.facts.safety as safety
        census_of = safety._census_of
        def recording(roots):
            open(os.path.join({str(tmp_path)!r}, str(os.getpid())), "w").close()
            time.sleep(0.3)     # long enough that the worker, once forked, takes the other part
            return census_of(roots)
        safety._census_of = recording
        argv = ("/app", "--token", "t0")
        shared = safety.make_safe(_large_facts("AKIA" + "Q" * 16, 6000, argv), jobs=2)
        assert shared == safety.make_safe(_large_facts("AKIA" + "Q" * 16, 6000, argv))
        assert shared.components[-1].licenses == ("[REDACTED]",) and shared.config.entrypoint[-1] == "[REDACTED]"
        print("same")
    """)
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "same"
    assert len(list(tmp_path.iterdir())) == 2   # the parts' census in this process and a worker (the serial one here)
