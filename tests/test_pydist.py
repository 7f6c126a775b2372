"""Python distributions installed in an image filesystem (.dist-info/METADATA, .egg-info) become components
whose keys meet syft's: real wheels are installed with pip and the real syft CLI reads the same tree.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from realtools import tool_env

from scc.facts import read_input
from scc.facts.image.pydist import metadata_fields
from scc.facts.image.vfs import Node, capture

WHEELS = ("six==1.16.0", "idna==3.7", "certifi==2024.8.30")
SITE = "usr/lib/python3.11/site-packages"


def test_metadata_headers_with_continuations_stop_at_the_body() -> None:
    text = ("\n\nMetadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nLicense: Line one\n        line two\n"
            "Classifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n"
            "\nName: not-a-header\nDescription body: ignored\n")
    fields = metadata_fields(text)
    assert fields["name"] == ["Foo_Bar"] and fields["version"] == ["1.0"]
    assert fields["license"] == ["Line one\nline two"]
    assert fields["classifier"] == ["License :: OSI Approved :: MIT License", "Programming Language :: Python"]
    assert "description body" not in fields


@pytest.mark.parametrize("headers, licenses", [
    ("License-Expression: Apache-2.0 OR MIT\nLicense: BSD\n", ("Apache-2.0 OR MIT",)),
    ("License: BSD-3-Clause\nClassifier: License :: OSI Approved :: MIT License\n", ("BSD-3-Clause",)),
    (("License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n"
      "Classifier: License :: OSI Approved :: MIT License\n"), ("MIT License",)),
    ("", ()),
])
def test_license_expression_then_license_then_classifiers(tmp_path: Path, headers: str, licenses) -> None:
    root = _tree(tmp_path)
    _metadata(root / SITE / "pkg-1.0.dist-info/METADATA", f"Metadata-Version: 2.4\nName: pkg\nVersion: 1.0\n{headers}")
    _, facts = read_input(str(root))
    assert [(c.purl, c.licenses, c.type) for c in facts.components] == [("pkg:pypi/pkg@1.0", licenses, "library")]


def test_only_the_header_part_of_a_large_metadata_file_is_kept() -> None:
    body = b"Metadata-Version: 2.1\nName: big\nVersion: 2.0\n\n" + b"long description\n" * 100_000
    node = Node("file", size=len(body))
    capture("usr/lib/python3.12/site-packages/big-2.0.dist-info/METADATA", node, io.BytesIO(body))
    assert node.content == b"Metadata-Version: 2.1\nName: big\nVersion: 2.0\n"
    other = Node("file", size=len(body))
    capture("usr/share/doc/big/README", other, io.BytesIO(body))
    assert other.content is None


def test_egg_info_files_and_directories_and_repeated_installs(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    _metadata(root / SITE / "foo_bar-1.0-py3.11.egg-info", "Metadata-Version: 1.1\nName: foo_bar\nVersion: 1.0\n")
    _metadata(root / SITE / "Legacy.Pkg-2.0-py3.11.egg-info/PKG-INFO",
              "Metadata-Version: 1.0\nName: Legacy.Pkg\nVersion: 2.0\n")
    for site in (SITE, "opt/venv/lib/python3.11/site-packages"):
        _metadata(root / site / "six-1.16.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n")
    _, facts = read_input(str(root))
    got = {c.purl: [e.pointer for e in c.evidence] for c in facts.components}
    assert got == {
        "pkg:pypi/foo-bar@1.0": [f"rootfs:/{SITE}/foo_bar-1.0-py3.11.egg-info"],
        "pkg:pypi/legacy.pkg@2.0": [f"rootfs:/{SITE}/Legacy.Pkg-2.0-py3.11.egg-info/PKG-INFO"],
        "pkg:pypi/six@1.16.0": ["rootfs:/opt/venv/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
                                f"rootfs:/{SITE}/six-1.16.0.dist-info/METADATA"],
    }


# -- real wheels, real syft --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pip_tree(tmp_path_factory) -> Path:
    root = _tree(tmp_path_factory.mktemp("pydist"))
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                          "--disable-pip-version-check", "--target", str(root / SITE), *WHEELS],
                         check=False, capture_output=True, text=True, timeout=300)
    if pip.returncode != 0:
        pytest.skip(f"pip could not install {' '.join(WHEELS)}: {pip.stderr.strip()[-200:]}")
    _metadata(root / SITE / "foo_bar-1.0-py3.11.egg-info", "Metadata-Version: 1.1\nName: foo_bar\nVersion: 1.0\n")
    return root


def test_pip_installed_wheels_are_found_with_their_licenses(pip_tree: Path) -> None:
    installed = {p.name.removesuffix(".dist-info") for p in (pip_tree / SITE).glob("*.dist-info")}
    assert len(installed) == len(WHEELS)
    _, facts = read_input(str(pip_tree))
    got = {f"{c.name}-{c.version}" for c in facts.components if c.purl.startswith("pkg:pypi/")}
    assert got == installed | {"foo_bar-1.0"}
    assert all(c.licenses for c in facts.components if c.name in ("six", "idna", "certifi"))


def test_scc_and_syft_give_the_same_python_keys(pip_tree: Path, tmp_path: Path) -> None:
    if not shutil.which("syft"):
        pytest.skip("syft is not installed")
    sbom = tmp_path / "sbom.cdx.json"
    run = subprocess.run(["syft", f"dir:{pip_tree}", "-o", f"cyclonedx-json={sbom}", "--quiet"], check=False,
                         capture_output=True, text=True, timeout=300, env=tool_env())
    if run.returncode != 0:
        pytest.skip(f"syft failed: {run.stderr[-200:]}")
    raw = json.loads(sbom.read_text())
    syft_pypi = [c for c in raw["components"] if c.get("purl", "").startswith("pkg:pypi/")]
    assert len(syft_pypi) == len(WHEELS) + 1
    _, syft_facts = read_input(str(sbom))
    _, fs_facts = read_input(str(pip_tree))
    syft_keys = {c.key for c in syft_facts.components if c.key.startswith("pkg:pypi/")}
    assert {c.key for c in fs_facts.components} == syft_keys


def _tree(base: Path) -> Path:
    root = base / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "etc/os-release").write_text("ID=debian\nVERSION_ID=12\n")
    return root


def _metadata(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\nDescription follows.\n")
