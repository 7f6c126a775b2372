"""The built wheel carries the rule packs, the SSDF mapping and templates, and `import scc` stays cheap."""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO

HEAVY = ("pandas", "weasyprint", "trestle", "lxml", "jinja2")


@pytest.mark.slow
def test_import_scc_does_not_load_heavy_libraries():
    code = ("import sys, scc, scc.facts, scc.engine.rules, scc.cli; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                   check=True, capture_output=True)
    return next(out.glob("scc-*.whl"))


@pytest.mark.slow
def test_wheel_contains_rule_packs_and_templates(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for pack in ("controls", "stig", "frameworks", "templates"):
        shipped = sorted(p.name for p in (REPO / pack).iterdir() if p.is_file())
        assert shipped, f"{pack}/ is empty"
        for name in shipped:
            assert f"scc/_packs/{pack}/{name}" in names


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_packages_the_example(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Reuse this environment's dependencies without its (editable) scc: a .pth path entry is not a
    # site dir, so the editable finder in it is not activated, and the wheel's scc wins.
    target_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if os.path.isdir(p)]
    Path(target_site, "_scc_test_deps.pth").write_text("\n".join(sorted(here)) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    out = tmp_path / "ato"
    run = subprocess.run([str(env_dir / "bin" / "scc"), "package", str(EXAMPLE), "--out", str(out)],
                         capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stderr
    where = subprocess.run([str(python), "-c", "import scc.resources as r; print(r.pack_dir('controls'))"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()
    assert where.startswith(str(env_dir)) and where.endswith("scc/_packs/controls")
    manifest = json.loads((out / "manifest.json").read_text())
    for name in ("component-definition.json", "xccdf-results.xml", "ssp.pdf", "ssdf.json"):
        assert name in {o["path"] for o in manifest["outputs"]}
        assert (out / name).stat().st_size > 0
