"""Every JSON/XML hostile input: read what is legitimately there, or one clear error line.

See /work/shared/data/hostile/README.md for what each file attacks and what is expected; without
../shared the same attacks come from tests/hostile_inputs.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import hostile_names

from scc.errors import InputError
from scc.facts import read_inputs
from scc.facts.safety import safe_text

HOSTILE_DOCUMENTS = [name for name in hostile_names() if Path(name).suffix in (".json", ".xml")]
# what each document must give: the facts (it is legitimately readable) or a refusal
READABLE = {"injection.cdx.json", "secret-env.docker-inspect.json"}


def _outcome(path: Path):
    """The merged facts, or the InputError; anything else escaping is a test failure."""
    try:
        return read_inputs([str(path)])
    except InputError as err:
        return err


@pytest.mark.parametrize("name", HOSTILE_DOCUMENTS)
def test_hostile_document_is_read_or_refused_with_one_line(hostile, name):
    path = hostile / name
    outcome = _outcome(path)
    if name in READABLE:
        assert not isinstance(outcome, InputError), outcome
        assert outcome.inputs and outcome.inputs[0].path == str(path)
        return
    assert isinstance(outcome, InputError)
    message = str(outcome)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message and len(message) < 1000
    assert "root:x:" not in message


def test_injection_names_are_read_verbatim(hostile):
    raw = json.loads((hostile / "injection.cdx.json").read_text())
    facts = read_inputs([str(hostile / "injection.cdx.json")])
    # verbatim but for what the facts boundary makes visible (a bidi override shown as [U+202E])
    assert sorted(c.name for c in facts.components) == sorted(safe_text(c["name"]) for c in raw["components"])
    assert any("[U+202E]" in c.name for c in facts.components)
    assert any(len(c.name) == 5000 for c in facts.components)
    assert facts.identity.name == raw["metadata"]["component"]["name"]


def test_secret_env_values_never_reach_the_facts(hostile):
    path = hostile / "secret-env.docker-inspect.json"
    raw = json.loads(path.read_text())
    values = [entry.split("=", 1)[1] for entry in raw[0]["Config"]["Env"]]
    facts = read_inputs([str(path)])
    assert facts.config.env_names == ("PATH", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD")
    dump = repr(facts)
    for value in values:
        assert value not in dump
    assert "SECRETVALUE" not in dump


def test_env_entry_of_wrong_type_is_refused_without_echoing_it(tmp_path):
    path = tmp_path / "inspect.json"
    path.write_text(json.dumps([{"Id": "sha256:" + "a" * 64, "Config": {"Env": ["A=1", {"B": "s3cr3t"}]}}]))
    with pytest.raises(InputError, match=r"\[0\]\.Config\.Env\[1\]") as err:
        read_inputs([str(path)])
    assert "s3cr3t" not in str(err.value)


def test_deep_nesting_is_an_input_error_not_a_recursion_error(hostile):
    outcome = _outcome(hostile / "deep-nesting.json")
    assert isinstance(outcome, InputError)
    assert "nested too deeply" in str(outcome)


@pytest.mark.parametrize("name,words", [
    ("truncated.grype.json", "malformed JSON"),
    ("empty.json", "empty"),
    ("invalid-utf8.cdx.json", "UTF-8"),
    ("wrong-types.cdx.json", "components: expected an array"),
])
def test_broken_json_gives_a_clear_reason(hostile, name, words):
    outcome = _outcome(hostile / name)
    assert isinstance(outcome, InputError)
    assert words in str(outcome)


@pytest.mark.parametrize("name", ["xxe-file.cdx.xml", "xxe-network.cdx.xml", "billion-laughs.cdx.xml"])
def test_xml_with_entities_is_refused_and_leaks_nothing(hostile, name):
    outcome = _outcome(hostile / name)
    assert isinstance(outcome, InputError)
    message = str(outcome)
    assert "carries a DTD" in message
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()
    assert not any(line and line in message for line in passwd[:5])
