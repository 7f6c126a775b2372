"""Inventory counts only software; root-filesystem purls carry syft's qualifiers (issue 10, item 10)."""
from __future__ import annotations

import json
import shutil

import pytest
from realtools import build_debian_rootfs, run_syft

from scc.facts import read_inputs

DPKG_STATUS = """Package: bash
Status: install ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b8

Package: apt-transport-https
Status: install ok installed
Architecture: all
Source: apt
Version: 2.6.1

Package: adduser
Status: install ok installed
Architecture: all
Version: 3.134
"""
APK_INSTALLED = """P:alpine-baselayout-data
V:3.2.0-r23
A:x86_64
o:alpine-baselayout

P:musl
V:1.2.3-r4
A:x86_64
o:musl
"""


def counts(path) -> tuple[int, int]:
    facts = read_inputs([str(path)])
    return dict(facts.inputs[0].counts)["components"], facts.sboms[0].component_count


def test_the_cyclonedx_distro_record_is_not_counted_as_a_component(samples):
    # the same alpine image as SPDX and CycloneDX from syft: the CycloneDX operating-system record is the subject
    spdx = counts(samples / "spdx" / "alpine.syft.spdx-2.3.json")
    for name in ("alpine.syft.cdx-1.5.json", "alpine.syft.cdx-1.5.xml"):
        assert counts(samples / "cyclonedx" / name) == spdx == (14, 14), name


def test_a_debian_rootfs_gets_distro_and_upstream_qualifiers(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "usr").mkdir()
    (tmp_path / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    purls = {c.purl for c in read_inputs([str(tmp_path)]).components}
    assert purls >= {"pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2",
                     "pkg:deb/debian/apt-transport-https@2.6.1?arch=all&distro=debian-12&upstream=apt",
                     "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"}


def test_an_alpine_rootfs_gets_distro_and_upstream_qualifiers(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "usr").mkdir()
    (tmp_path / "etc/os-release").write_text("ID=alpine\nVERSION_ID=3.19.1\n")
    (tmp_path / "lib/apk/db").mkdir(parents=True)
    (tmp_path / "lib/apk/db/installed").write_text(APK_INSTALLED)
    purls = {c.purl for c in read_inputs([str(tmp_path)]).components}
    # syft: pkg:apk/alpine/alpine-baselayout-data@3.2.0-r23?arch=x86_64&upstream=alpine-baselayout&distro=alpine-3.16.3
    assert purls >= {
        "pkg:apk/alpine/alpine-baselayout-data@3.2.0-r23?arch=x86_64&distro=alpine-3.19.1&upstream=alpine-baselayout",
        "pkg:apk/alpine/musl@1.2.3-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl"}


@pytest.mark.slow
def test_rootfs_purls_and_counts_match_what_syft_writes_for_the_same_tree(tmp_path):
    if not shutil.which("syft"):
        pytest.skip("syft is not installed")
    root = tmp_path / "rootfs"
    root.mkdir()
    problem = build_debian_rootfs(root) or run_syft(f"dir:{root}", {"s.syft.json": "syft-json",
                                                                    "s.cdx.json": "cyclonedx-json@1.5"}, tmp_path)
    if problem:
        pytest.skip(problem)
    syft = json.loads((tmp_path / "s.syft.json").read_text())
    theirs = {a["purl"] for a in syft["artifacts"] if a["purl"].startswith("pkg:deb/")}
    mine = {c.purl for c in read_inputs([str(root)]).components if c.purl.startswith("pkg:deb/")}
    assert mine == theirs and mine
    rootfs_count = dict(read_inputs([str(root)]).inputs[0].counts)["components"]
    assert counts(tmp_path / "s.cdx.json")[0] == counts(tmp_path / "s.syft.json")[0] == rootfs_count
