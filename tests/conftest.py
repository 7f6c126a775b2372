"""Shared test fixtures: the reference data in ../shared/data (never copied into the repo)."""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SCC_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLES = SHARED_DATA / "samples"
HOSTILE = SHARED_DATA / "hostile"
EXAMPLE = REPO / "examples" / "demo-image"
FIXTURE_IMAGE = REPO / "tests" / "data" / "fixture-image"   # authored inputs of one imaginary image (README.md)
MINI_CONTENT = REPO / "tests" / "data" / "mini-content"     # authored official-format content (README.md)
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")

# Tools installed into the test venv (syft, trestle, go) sit next to sys.executable, which need not
# be on PATH when the suite runs as `.venv/bin/python -m pytest`: look there first.
_VENV_BIN = str(Path(sys.executable).parent)
if _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")


# Fixtures that build something expensive once (a package, a content import, a real tool's run): every
# test that uses one, directly or through another fixture, is in the `slow` set (`pytest -m "not slow"`
# leaves them out; the full suite runs them). Keyed by the test module ("" = any module).
SLOW_FIXTURES = {
    "": {"content_dir", "official_content_dir"},
    "test_attestations": {"attested"},
    "test_cli": {"example_package"},
    "test_diff": {"runs"},
    "test_content_lint": {"store", "official_store"},
    "test_content_parse": {"catalog_bytes", "cci_list"},
    "test_content_store": {"loaded"},
    "test_facts_boundary": {"package"},
    "test_package_provenance": {"package"},
    "test_packaging": {"wheel"},
    "test_pydist": {"pip_tree"},
    "test_readers_xccdf": {"oscap_scan"},
    "test_real_tools": {"rootfs"},
    "test_rpmdb": {"real_rpm_root"},
    "test_rule_packs": {"catalog", "srg_requirements", "cci_controls"},
    "test_safe_out": {"old_package"},
    "test_scan_results_carried": {"debian_scan"},
    "test_writer_ckl": {"official", "saf"},
    "test_writer_hdf": {"saf"},
    "test_writer_xlsx": {"template"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use an expensive fixture of SLOW_FIXTURES as slow."""
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "").rsplit(".", 1)[-1]
        expensive = SLOW_FIXTURES[""] | SLOW_FIXTURES.get(module, set())
        if expensive & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Under CI=true a test that would skip (a tool or reference data missing) fails instead."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test may not skip ({reason})"


def run_scc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the scc CLI in-process: (exit code, stdout, stderr)."""
    from scc.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    return shared_data / "samples"


def hostile_names() -> list[str]:
    """Every hostile input (for parametrisation at collection time): scc's own set, plus the reference set's."""
    from hostile_inputs import HOSTILE_NAMES

    shared = {p.name for p in HOSTILE.glob("*") if p.name != "README.md"} if HOSTILE.is_dir() else set()
    return sorted(set(HOSTILE_NAMES) | shared)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference hostile set when ../shared is there, else the same attacks written by tests/hostile_inputs.py."""
    if HOSTILE.is_dir():
        return HOSTILE
    from hostile_inputs import write_hostile_set

    return write_hostile_set(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(autouse=True)
def _reproducible_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs at a fixed assessment time unless it sets its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", os.environ.get("SCC_TEST_EPOCH", "1795700000"))


@pytest.fixture(scope="session")
def official_content_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One content cache for the session: the reference SRGs, the rev5 catalog and MODERATE (read only).

    For tests that assert facts of the official content itself (DISA's wording, how many requirements an
    SRG has): they skip without ../shared (and fail under CI=true)."""
    from writer_assessment import import_reference_content

    return import_reference_content(shared_data, tmp_path_factory.mktemp("content"))


@pytest.fixture(scope="session")
def content_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Some imported content for tests that need content of the official shape, not its exact facts: the
    reference content (official_content_dir) when ../shared is there or CI=true, else scc's miniature
    test content (tests/data/mini-content, imported with accept_new) so a newcomer's run still exercises it."""
    if SHARED_DATA.is_dir() or IN_CI:
        return request.getfixturevalue("official_content_dir")
    from scc.content.bundle import import_content
    from scc.content.store import ContentStore

    directory = tmp_path_factory.mktemp("mini-content")
    import_content(ContentStore(directory), [MINI_CONTENT], accept_new=True)
    return directory


@dataclass(frozen=True)
class ContentFiles:
    """Official-format content files, laid out as ../shared/data lays them out (nist/, disa/), for the tests
    of the content machinery (fetch, import, pins, locks, bundles) rather than of the content's own facts."""

    nist: Path            # the rev5 catalog and the four baselines
    disa: Path            # the CCI list and the SRG benchmarks
    cci: Path
    ctr_srg: Path
    gpos_srg: Path
    official: bool        # the reference files, which scc pins; else the miniature test content

    @property
    def accept_new(self) -> bool:
        """The miniature content is no release scc pins: it imports only when accepted as new."""
        return not self.official

    @property
    def trust(self) -> str:
        """The trust a lock entry records for these files."""
        return "pinned" if self.official else "accepted"

    def profile(self, level: str) -> Path:
        return self.nist / f"NIST_SP-800-53_rev5_{level.upper()}-baseline_profile.json"

    @property
    def catalog(self) -> Path:
        return self.nist / "NIST_SP-800-53_rev5_catalog.json"

    def source_names(self) -> list[str]:
        """The registry sources these files provide (the miniature content has no OS STIGs)."""
        from scc.content.registry import DEFAULT_SOURCES

        names = [source.name for source in DEFAULT_SOURCES]
        return sorted(names if self.official else [n for n in names if not n.endswith("-stig")])


@pytest.fixture(scope="session")
def content_files(tmp_path_factory: pytest.TempPathFactory) -> ContentFiles:
    """The reference content files when ../shared is there or CI=true, else scc's miniature test content
    (tests/data/mini-content) copied into the same nist/ and disa/ layout."""
    if SHARED_DATA.is_dir() or IN_CI:
        disa = SHARED_DATA / "disa"
        return ContentFiles(nist=SHARED_DATA / "nist", disa=disa, cci=disa / "U_CCI_List.xml",
                            ctr_srg=disa / "disa-ctr-srg-v1r3.xml", gpos_srg=disa / "disa-os-srg-v3r2.xml", official=True)
    root = tmp_path_factory.mktemp("mini-sources")
    (root / "nist").mkdir()
    (root / "disa").mkdir()
    for path in MINI_CONTENT.glob("NIST_*.json"):
        shutil.copyfile(path, root / "nist" / path.name)
    for name in ("U_CCI_List.xml", "gpos-srg-xccdf.xml", "ctr-srg-xccdf.xml"):
        shutil.copyfile(MINI_CONTENT / name, root / "disa" / name)
    disa = root / "disa"
    return ContentFiles(nist=root / "nist", disa=disa, cci=disa / "U_CCI_List.xml",
                        ctr_srg=disa / "ctr-srg-xccdf.xml", gpos_srg=disa / "gpos-srg-xccdf.xml", official=False)


@contextmanager
def example_without_content(tmp_path_factory: pytest.TempPathFactory):
    """The shipped example assessed with its key and overrides and an empty content cache, which stays
    set (with the fixed clock) until the block ends: a module fixture's tests all run without content."""
    import scc

    mp = pytest.MonkeyPatch()
    mp.setenv("SCC_CONTENT_DIR", str(tmp_path_factory.mktemp("no-content")))
    mp.setenv("SOURCE_DATE_EPOCH", "1795700000")
    try:
        yield scc.assess([EXAMPLE], keys=[EXAMPLE / "demo-signing.pub"], overrides=EXAMPLE / "overrides.yaml")
    finally:
        mp.undo()


@pytest.fixture
def no_content(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An empty content cache: scc runs from its rule packs alone."""
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty-content"))


@pytest.fixture
def with_content(monkeypatch: pytest.MonkeyPatch, content_dir: Path) -> None:
    """The session's content cache (content_dir: the reference content, else the miniature test content)."""
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))


@pytest.fixture
def with_official_content(monkeypatch: pytest.MonkeyPatch, official_content_dir: Path) -> None:
    """The session's reference content cache (skips without ../shared)."""
    monkeypatch.setenv("SCC_CONTENT_DIR", str(official_content_dir))


@pytest.fixture
def controls_copy(tmp_path: Path) -> Path:
    """A copy of the shipped controls/ packs and data tables, for tests that edit them."""
    from scc.resources import pack_dir

    copy = tmp_path / "controls"
    shutil.copytree(pack_dir("controls"), copy)
    return copy


def edit_yaml(path: Path, change: Callable[[Any], object]) -> None:
    """Load a YAML file, let ``change`` edit the document in place, and write it back (key order kept)."""
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
