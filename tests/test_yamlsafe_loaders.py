"""scc.yamlsafe's two loaders: libyaml (C parser and composer, its events checked first) and the pure-Python
fallback. Both must refuse the same hostile YAML with the same message and read every other text the same."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from scc import yamlsafe
from scc.yamlsafe import YamlRefused, load_all_text, load_file, load_text

REPO = Path(__file__).resolve().parents[1]
LOADERS = ("libyaml", "pure")


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each loader; libyaml missing fails under CI=true (it ships in PyYAML's wheels)."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        if os.environ.get("CI") == "true":
            pytest.fail("PyYAML is built without libyaml")
        pytest.skip("PyYAML is built without libyaml")
    monkeypatch.setattr(yamlsafe, "_LIBYAML", request.param == "libyaml")
    return str(request.param)


def outcome(text: str) -> tuple[str, object]:
    """What ``load_all_text`` makes of ``text``: every document's place and data, or the refusal."""
    try:
        return "data", [(d.index, d.first_line, d.last_line, d.data) for d in load_all_text(text)]
    except YamlRefused as refused:
        return "refused", str(refused)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"

GUARDED = [
    ("a: *x\n", "YAML aliases (*x) are not accepted (line 1, column 4)"),
    ("a: &x 1\n", "YAML anchors (&x) are not accepted (line 1, column 4)"),
    (BOMB, "YAML anchors (&a) are not accepted (line 1, column 4)"),
    ("a: !!binary &x aGk=\n", "YAML anchors (&x) are not accepted"),
    ("- &s [1]\n", "YAML anchors (&s) are not accepted (line 1, column 3)"),
    ("a: 1\nb: 2\na: 3\n", "key 'a' is given twice in one mapping (line 3, column 1)"),
    ("x:\n  y: {k: 1, k: 2}\n", "key 'k' is given twice in one mapping (line 2, column 13)"),
    ("1: a\n01: b\n", "key 1 is given twice in one mapping (line 2, column 1)"),
    ("yes: a\ntrue: b\n", "key True is given twice in one mapping (line 2, column 1)"),
    ("[" * 65 + "]" * 65, "nested more than 64 levels deep (line 1, column 65)"),
    ("a:\n" + "".join("  " * n + f"- k{n}:\n" for n in range(1, 40)), "nested more than 64 levels deep"),
    ("a: 1\n---\nb: 2\n", "but found another document (line 2, column 1)"),
    ("d: " + "9" * 5000 + "\n", "unreadable value"),
]


@pytest.mark.parametrize(("text", "refusal"), GUARDED)
def test_each_guard_refuses_with_the_same_message(loader: str, text: str, refusal: str) -> None:
    with pytest.raises(YamlRefused) as raised:
        load_text(text)
    assert refusal in str(raised.value) and "\n" not in str(raised.value)


def test_the_depth_limit_is_exact(loader: str) -> None:
    nested = "[" * 64 + "]" * 64  # 64 collections: the innermost is at level 64, allowed
    assert isinstance(load_text(nested), list)
    with pytest.raises(YamlRefused, match="nested more than 3 levels"):
        load_text("[[[1]]]", max_depth=3)  # the scalar is the fourth level
    assert load_text("[[[]]]", max_depth=3) == [[[]]]


def test_fifty_thousand_brackets_are_refused_before_the_composer_recurses(loader: str) -> None:
    # libyaml's composer is recursive C: the guard pass over the events must stop this before it runs
    with pytest.raises(YamlRefused, match="nested more than 64 levels deep"):
        load_text("a: " + "[" * 50_000)
    with pytest.raises(YamlRefused, match="nested more than 64 levels deep"):
        load_all_text("a: 1\n---\nb: " + "{x: " * 50_000)


def test_a_stream_is_checked_document_by_document(loader: str) -> None:
    # the first refusal in stream order wins, as with the pure-Python composer
    with pytest.raises(YamlRefused, match=r"key 'a' is given twice.*line 2"):
        load_all_text("a: 1\na: 2\n---\nb: *x\n")
    with pytest.raises(YamlRefused, match=r"aliases \(\*x\).*line 3"):
        load_all_text("a: 1\n---\nb: *x\n---\nc: [\n")
    with pytest.raises(YamlRefused, match="more than 2 YAML documents"):
        load_all_text("a: 1\n---\nb: 2\n---\nc: *x\n", max_documents=2)


def test_documents_keep_their_lines_and_dates_stay_text(loader: str) -> None:
    docs = load_all_text("---\n---\nexpires: 2027-02-30\nat: 2026-11-19T16:20:05Z\n---\n")
    assert [(d.index, d.first_line, d.last_line) for d in docs] == [(1, 2, 2), (2, 3, 5), (3, 6, 6)]
    assert docs[1].data == {"expires": "2027-02-30", "at": "2026-11-19T16:20:05Z"}
    assert load_text("") is None and load_all_text("") == []


def test_a_file_with_a_nul_byte_is_one_line_refusal(loader: str, tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"a: 1\x00\n")
    with pytest.raises(YamlRefused, match="unacceptable character #x0000"):
        load_file(path)


def _corpus() -> list[Path]:
    kept = [REPO / "controls", REPO / "stig", REPO / "examples", REPO / "tests" / "data", REPO / "scc"]
    return sorted(p for top in kept for p in top.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_both_loaders_read_every_yaml_of_the_project_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    if not yaml.__with_libyaml__:
        if os.environ.get("CI") == "true":
            pytest.fail("PyYAML is built without libyaml")
        pytest.skip("PyYAML is built without libyaml")
    files = _corpus()
    assert len(files) >= 15
    texts = [p.read_text(encoding="utf-8") for p in files]
    texts += [text for text, _ in GUARDED]
    for text in texts:
        monkeypatch.setattr(yamlsafe, "_LIBYAML", True)
        fast = outcome(text)
        monkeypatch.setattr(yamlsafe, "_LIBYAML", False)
        pure = outcome(text)
        assert fast == pure, text[:200]


def test_the_fast_loader_is_libyaml_when_pyyaml_has_it() -> None:
    assert yamlsafe._LIBYAML is bool(yaml.__with_libyaml__)
    if yaml.__with_libyaml__:
        assert issubclass(yamlsafe._GuardedCLoader, yaml.CSafeLoader)
