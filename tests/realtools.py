"""Helpers that build a small real root filesystem and run real tools (syft, oscap) over it.

The tree is one Debian 12 image: a trimmed copy of this machine's dpkg status database with the
packages' copyright files, /etc/os-release, and a few real Python wheels installed by pip (offline:
the .dist-info of the same projects installed in this Python). Each
helper returns None (never raises) when the tool or the host data it needs is missing, so tests
can skip with a reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYFT_FORMATS = {
    # file name -> syft output format
    "sbom.syft.json": "syft-json",
    "sbom.cdx-1.4.json": "cyclonedx-json@1.4",
    "sbom.cdx-1.5.json": "cyclonedx-json@1.5",
    "sbom.cdx-1.6.json": "cyclonedx-json@1.6",
    "sbom.cdx.xml": "cyclonedx-xml",
    "sbom.spdx-2.2.json": "spdx-json@2.2",
    "sbom.spdx-2.3.json": "spdx-json@2.3",
    "sbom.spdx-2.2.tv.spdx": "spdx-tag-value@2.2",
    "sbom.spdx-2.3.tv.spdx": "spdx-tag-value@2.3",
    "sbom.cdx-1.2.json": "cyclonedx-json@1.2",
    "sbom.cdx-1.3.json": "cyclonedx-json@1.3",
    "sbom.cdx-1.2.xml": "cyclonedx-xml@1.2",
    "sbom.cdx-1.4.xml": "cyclonedx-xml@1.4",
    "sbom.cdx-1.5.xml": "cyclonedx-xml@1.5",
    "sbom.spdx-2.1.tv.spdx": "spdx-tag-value@2.1",
    # not formats scc reads
    "sbom.github.json": "github-json",
    "sbom.syft-table.txt": "syft-table",
    "sbom.syft-text.txt": "syft-text",
}
NOT_READ = ("github-json", "syft-table", "syft-text")
WHEELS = ("six==1.16.0", "idna==3.7", "certifi==2024.8.30", "urllib3==1.26.5")
DPKG_PACKAGES = 30
HOST_DPKG_STATUS = Path("/var/lib/dpkg/status")
HOST_OS_RELEASE = Path("/etc/os-release")


def tool_env() -> dict[str, str]:
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    env.pop("SYFT_CONFIG", None)
    return env


def syft_version() -> str | None:
    if not shutil.which("syft"):
        return None
    out = subprocess.run(["syft", "version"], check=False, capture_output=True, text=True, env=tool_env(), timeout=60)
    for line in out.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return None


def _stanzas(status: str) -> list[str]:
    return [s.strip("\n") for s in status.split("\n\n") if s.strip()]


def _field(stanza: str, name: str) -> str:
    for line in stanza.splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    return ""


def build_debian_rootfs(root: Path) -> str | None:
    """Populate ``root``; returns None on success, else why it could not be built."""
    if not HOST_DPKG_STATUS.is_file() or not HOST_OS_RELEASE.is_file():
        return "host has no dpkg status / os-release to copy"
    installed = [s for s in _stanzas(HOST_DPKG_STATUS.read_text(encoding="utf-8"))
                 if "install ok installed" in _field(s, "Status")]
    chosen = installed[:DPKG_PACKAGES]
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text("\n\n".join(chosen) + "\n", encoding="utf-8")
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text(HOST_OS_RELEASE.read_text(encoding="utf-8"), encoding="utf-8")
    for stanza in chosen:
        copyright_file = Path("/usr/share/doc") / _field(stanza, "Package") / "copyright"
        if copyright_file.is_file():
            target = root / copyright_file.relative_to("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copyright_file, target)
    site = root / "usr/lib/python3/site-packages"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                          "--disable-pip-version-check", "--target", str(site), *WHEELS],
                         check=False, capture_output=True, text=True, timeout=300)
    if pip.returncode != 0 and not _copy_installed_metadata(site):
        return f"pip could not install {' '.join(WHEELS)}: {pip.stderr.strip().splitlines()[-1:]}"
    return None


def _copy_installed_metadata(site: Path) -> bool:
    """Offline fallback: the .dist-info of the same projects installed in this Python."""
    from importlib import metadata

    copied = 0
    for project in (w.split("==")[0] for w in WHEELS):
        try:
            found = Path(str(metadata.distribution(project)._path))   # importlib offers no public accessor
        except (metadata.PackageNotFoundError, AttributeError):
            continue
        shutil.copytree(found, site / found.name, dirs_exist_ok=True)
        copied += 1
    return copied > 0


def python_packages(root: Path) -> set[str]:
    """pkg:pypi purls of the distributions installed in the tree, read from their .dist-info names."""
    site = root / "usr/lib/python3/site-packages"
    purls = set()
    for info in site.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        purls.add(f"pkg:pypi/{name.lower().replace('_', '-')}@{version}")
    return purls


def run_syft(source: str, outputs: dict[str, str], out_dir: Path) -> str | None:
    """One syft run writing every ``file name -> format`` output; None on success, else the error."""
    args = ["syft", source, "--quiet"]
    for name, fmt in outputs.items():
        args += ["-o", f"{fmt}={out_dir / name}"]
    run = subprocess.run(args, check=False, capture_output=True, text=True, env=tool_env(), timeout=300)
    if run.returncode != 0:
        return f"syft {source} failed ({run.returncode}): {run.stderr.strip()[-300:]}"
    return None


def run_oscap(datastream: Path, profile: str, rootfs: Path, out_dir: Path) -> str | None:
    """``oscap xccdf eval`` over ``rootfs`` writing results.xml and results-arf.xml; exit 2 (rules
    failed) is success here."""
    if not shutil.which("oscap"):
        return "oscap is not installed"
    env = dict(os.environ, OSCAP_PROBE_ROOT=str(rootfs))
    run = subprocess.run(["oscap", "xccdf", "eval", "--profile", profile,
                          "--results", str(out_dir / "results.xml"),
                          "--results-arf", str(out_dir / "results-arf.xml"), str(datastream)],
                         check=False, capture_output=True, text=True, env=env, timeout=300)
    if run.returncode not in (0, 2):
        return f"oscap failed ({run.returncode}): {run.stderr.strip()[-300:]}"
    return None
