"""Every hostile input through `scc package`: read what is legitimately there, or one clear line and exit 2.

Never a traceback, a hang, a network fetch, a file outside the output directory, or a secret in any output.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import HOSTILE

HOSTILE_FILES = sorted(p.name for p in HOSTILE.glob("*") if p.name != "README.md") if HOSTILE.is_dir() else []
SECRETS = ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETVALUE1", "hunter2-SECRETVALUE2", "SECRETVALUE")


def package(path: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scc.cli", "package", str(path), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=out.parent, check=False)


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_input_is_read_or_refused_in_one_line(hostile, tmp_path, name):
    out = tmp_path / "ato"
    run = package(hostile / name, out)
    assert "Traceback" not in run.stderr
    assert run.returncode in (0, 2), run.stderr
    if run.returncode == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scc: error: ") and name in lines[0]
        assert not out.exists()
        assert "root:x:0:0" not in run.stderr
    else:
        assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["ato"])


def _all_output_text(out: Path) -> str:
    texts = []
    for path in out.iterdir():
        if path.suffix == ".pdf":
            texts.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                texts.extend(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        else:
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def test_secret_env_values_never_reach_any_output(hostile, tmp_path):
    out = tmp_path / "ato"
    run = package(hostile / "secret-env.docker-inspect.json", out)
    assert run.returncode == 0, run.stderr
    text = _all_output_text(out)
    assert "AWS_SECRET_ACCESS_KEY" in text or "DB_PASSWORD" in text   # the names are facts
    for secret in SECRETS:
        assert secret not in text and secret not in run.stdout + run.stderr


def test_injected_names_stay_inert_text_in_every_output(hostile, tmp_path):
    out = tmp_path / "ato"
    run = package(hostile / "injection.cdx.json", out)
    assert run.returncode == 0, run.stderr
    pdf_text = subprocess.run(["pdftotext", str(out / "ssp.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert 'SSP — <img src="file:///etc/passwd">' in pdf_text   # markup shown as text (the running footer)
    # The Jinja payload ends in a billion-step loop: finishing within the subprocess timeout proves it was
    # never evaluated; wherever the name is shown it must be verbatim.
    everything = _all_output_text(out)
    assert "{{ 7*7 }}" in everything or "7*7" not in everything
    cd = json.loads((out / "component-definition.json").read_text())
    assert "file:///etc/passwd" in json.dumps(cd)     # kept as data, verbatim
    for path in out.glob("*.xml"):
        assert "<script>" not in path.read_text()     # escaped wherever it appears in XML
    if (out / "poam.xlsx").exists():
        with zipfile.ZipFile(out / "poam.xlsx") as archive:
            sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/"))
        assert "<f>" not in sheets                    # no cell became a formula
