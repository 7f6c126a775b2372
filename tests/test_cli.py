"""The `scc` command end to end: packages, errors as one line with exit 2, nothing half-written."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_scc


@pytest.fixture(scope="module")
def example_package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "ato"
    subprocess.run([sys.executable, "-m", "scc.cli", "package", str(EXAMPLE), "--out", str(out)],
                   check=True, capture_output=True, env=_env())
    return out


def _env() -> dict[str, str]:
    import os

    return dict(os.environ, SOURCE_DATE_EPOCH="1795700000")


@pytest.mark.slow
def test_package_writes_every_output_listed_in_the_manifest_with_hashes(example_package):
    manifest = json.loads((example_package / "manifest.json").read_text())
    files = {p.name for p in example_package.iterdir()}
    listed = {o["path"] for o in manifest["outputs"]}
    assert files == listed | {"manifest.json"}
    assert {"hdf.json", "checklist.ckl", "checklist.cklb"} <= listed
    for output in manifest["outputs"]:
        data = (example_package / output["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == output["sha256"] and len(data) == output["size"]
    input_paths = {i["path"] for i in manifest["inputs"]}
    assert any(p.endswith("sbom.cdx.json") for p in input_paths)
    assert any(p.endswith("grype.json") for p in input_paths)


@pytest.mark.slow
def test_same_inputs_give_byte_identical_packages(example_package, tmp_path):
    again = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "scc.cli", "package", str(EXAMPLE), "--out", str(again)],
                   check=True, capture_output=True, env=_env())
    for path in sorted(example_package.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_unknown_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path):
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": "world"}')
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), str(bogus), "--out", str(out))
    assert code == 2
    assert err.count("\n") == 1 and str(bogus) in err and "Traceback" not in err
    assert not out.exists()


def test_missing_input_is_reported(capsys, tmp_path):
    code, _out, err = run_scc(capsys, "facts", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json: no such file or directory" in err


@pytest.mark.slow
def test_failed_run_keeps_the_previous_package_intact(capsys, tmp_path, example_package):
    out = tmp_path / "ato"
    shutil.copytree(example_package, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bogus = tmp_path / "broken.grype.json"
    bogus.write_text('{"matches": [')
    code, _out, _err = run_scc(capsys, "package", str(EXAMPLE), str(bogus), "--out", str(out))
    assert code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ato")]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_gate_rejects_malformed_threshold(capsys, value):
    code, _out, err = run_scc(capsys, "gate", str(EXAMPLE), "--max-open-critical", value)
    assert code == 2 and "--max-open-critical" in err


@pytest.mark.slow
def test_gate_fails_with_one_line_per_breach_on_the_example(capsys):
    code, _out, err = run_scc(capsys, "gate", str(EXAMPLE), "--max-open-high", "0", "--max-open-low", "100")
    assert code == 1
    assert err.strip().splitlines() == [line for line in err.strip().splitlines() if line.startswith("gate: ")]
    assert "high vulnerabilities" in err and "low vulnerabilities" not in err


def test_facts_shows_each_input_and_the_merged_image(capsys):
    code, out, _err = run_scc(capsys, "facts", str(EXAMPLE), "--json")
    assert code == 0
    report = json.loads(out)
    formats = {Path(i["path"]).name: i["format"] for i in report["inputs"]}
    assert formats["grype.json"] == "grype-json"
    assert report["merged"]["components"] > 0


@pytest.mark.slow
def test_unwritable_output_is_a_one_line_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE / "grype.json"), "--out", str(blocker / "ato"))
    assert code == 2 and err.startswith("scc: error: ") and "cannot write the package" in err
    assert err.count("\n") == 1
