"""The docs site builds with `mkdocs build --strict`, and its generated references cover the code:
every CLI command has a section (from mkdocs-click), the public API is documented (from mkdocstrings),
and no page loads a script, style or font from the network."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

REPO = Path(__file__).resolve().parents[1]


def _require_mkdocs() -> None:
    pytest.importorskip("mkdocs", reason="mkdocs comes with the test extras")
    pytest.importorskip("mkdocs_click")
    pytest.importorskip("mkdocstrings")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_mkdocs()
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], check=False,
                         cwd=REPO, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                                         "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def _command_paths(group: click.Command, prefix: str = "scc") -> list[str]:
    paths = [prefix]
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            paths += _command_paths(command, f"{prefix} {name}")
    return paths


def test_cli_reference_has_a_section_for_every_command(site: Path) -> None:
    from scc.cli.reference import cli

    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<h\d id="([^"]+)"', page))
    commands = _command_paths(cli)
    assert len(commands) > 10
    missing = [c for c in commands if c.replace(" ", "-") not in anchors]
    assert missing == []


def test_cli_reference_carries_option_help(site: Path) -> None:
    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "--max-scan-age" in page and "Days after which a vulnerability scan counts as stale" in page


def test_api_reference_documents_the_public_api(site: Path) -> None:
    page = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("scc.assessment.assess", "scc.assessment.Assessment.write_package", "scc.assessment.Settings",
                 "scc.report.Report", "scc.engine.run", "scc.errors.InputError"):
        assert f'id="{name}"' in page, name


def test_every_nav_page_is_built_and_no_page_loads_remote_assets(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    nav = re.findall(r":\s+([\w-]+)\.md\s*$", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(nav) >= 14
    for stem in nav:
        assert (site / ("index.html" if stem == "index" else f"{stem}/index.html")).is_file(), stem
    remote = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:)?//', re.IGNORECASE)
    loading = [p.relative_to(site) for p in pages if remote.search(p.read_text(encoding="utf-8"))]
    assert loading == []


def test_quickstart_gives_the_readme_commands_verbatim() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quickstart = (REPO / "docs" / "quickstart.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme, re.DOTALL)[:2]
    assert len(commands) == 2
    for command in commands:
        assert command in quickstart
