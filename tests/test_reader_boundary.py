"""The reader boundary (scc/facts/interface.py, read_with): malformed input is exit 2, a bug is exit 3.

Readers check the shape of what they read themselves (scc.facts.jsonfields, doc.fail); read_with
translates only nesting too deep and values a parser refuses. A KeyError or AttributeError raised by
scc's own code is a bug and must reach the CLI as one (exit 3, "internal error"), never be blamed on
the input (docs/architecture.md).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_scc

from scc.errors import InputError
from scc.facts import read_input
from scc.facts.scans import grype

GRYPE = {
    "descriptor": {"name": "grype", "version": "0.87.0", "timestamp": "2026-11-20T14:02:11Z"},
    "source": {"type": "image", "target": {"userInput": "demo:1"}},
    "matches": [{
        "artifact": {"name": "werkzeug", "version": "2.2.3", "type": "python", "purl": "pkg:pypi/werkzeug@2.2.3"},
        "vulnerability": {"id": "CVE-2023-46136", "severity": "High", "namespace": "github:language:python",
                          "fix": {"state": "fixed", "versions": ["2.3.8"]}},
        "relatedVulnerabilities": [],
        "matchDetails": [],
    }],
}


def _grype(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "scan.grype.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("bug", [AttributeError("'NoneType' object has no attribute 'get'"),
                                 KeyError("severity"), TypeError("unhashable type: 'dict'"), IndexError("x")])
def test_a_bug_inside_a_reader_is_an_internal_error_exit_3(monkeypatch, capsys, tmp_path, bug):
    def broken(self, doc):
        raise bug

    monkeypatch.setattr(grype.GrypeReader, "read", broken)
    code, _out, err = run_scc(capsys, "facts", str(_grype(tmp_path, GRYPE)))
    assert code == 3
    assert f"internal error: {type(bug).__name__}" in err and "please report this" in err


def test_a_bug_is_not_reported_as_bad_input(monkeypatch, tmp_path):
    monkeypatch.setattr(grype.GrypeReader, "read", lambda self, doc: {}["matches"])
    with pytest.raises(KeyError):
        read_input(str(_grype(tmp_path, GRYPE)))


def test_malformed_fields_are_still_one_input_error_exit_2(capsys, tmp_path):
    document = {**GRYPE, "matches": [{**GRYPE["matches"][0], "artifact": "werkzeug"}]}
    path = _grype(tmp_path, document)
    with pytest.raises(InputError, match=r"scan\.grype\.json: .*artifact.*expected an object"):
        read_input(str(path))
    code, _out, err = run_scc(capsys, "facts", str(path))
    assert code == 2 and "scan.grype.json" in err and "internal error" not in err


def test_a_value_a_parser_refuses_is_an_input_error(monkeypatch, tmp_path):
    def refuses(self, doc):
        return int("not a number")

    monkeypatch.setattr(grype.GrypeReader, "read", refuses)
    with pytest.raises(InputError, match=r"scan\.grype\.json: grype-json: unexpected content \(ValueError"):
        read_input(str(_grype(tmp_path, GRYPE)))
