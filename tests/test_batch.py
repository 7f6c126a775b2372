"""`scc batch` and scc.batch.run_batch: many images, one package each, and the catalog summary (issue #12 goal 5)."""
from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, run_scc

from scc.assessment import Settings
from scc.batch import CatalogError, ImageStatus, load_catalog, run_batch
from scc.batch.catalog import SUMMARY_NAMES, safe_folder_name, unique_folder_names
from scc.batch.image import ImageOutcome
from scc.batch.summary import build_summary
from scc.gate import Threshold

EXAMPLE = REPO / "examples" / "demo-image"
KEY = EXAMPLE / "demo-signing.pub"


# -- helpers -----------------------------------------------------------------------------------------------
def variant(destination: Path, extra_critical: int = 0, drop: int = 0) -> Path:
    """A copy of the shipped example whose Grype scan has ``extra_critical`` more critical findings and
    ``drop`` fewer of its own."""
    shutil.copytree(EXAMPLE, destination)
    scan = json.loads((destination / "grype.json").read_text())
    matches = scan["matches"][drop:]
    for number in range(extra_critical):
        added = copy.deepcopy(scan["matches"][0])
        cve = f"CVE-2099-{1000 + number}"
        added["vulnerability"].update(id=cve, severity="Critical")
        for related in added["relatedVulnerabilities"]:
            related.update(id=cve, severity="Critical")
        for detail in added["matchDetails"]:
            detail["found"]["vulnerabilityID"] = cve
        matches.append(added)
    scan["matches"] = matches
    (destination / "grype.json").write_text(json.dumps(scan, indent=1))
    return destination


def broken(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination)
    (destination / "grype.json").write_text('{"matches": ')   # truncated JSON
    return destination


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def settings() -> Settings:
    return Settings(keys=[KEY], overrides=EXAMPLE / "overrides.yaml")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder catalog: the example, a variant with changed scans, and one image whose scan is broken."""
    root = tmp_path_factory.mktemp("catalog") / "images"
    root.mkdir()
    variant(root / "demo")
    variant(root / "more-critical", extra_critical=2, drop=1)
    broken(root / "broken")
    return root


@pytest.fixture(scope="module")
def serial(catalog: Path, tmp_path_factory: pytest.TempPathFactory):
    """The catalog run in this process (jobs=1), without official content."""
    out = tmp_path_factory.mktemp("serial") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCC_CONTENT_DIR", str(tmp_path_factory.mktemp("empty-content")))
        patch.setenv("SOURCE_DATE_EPOCH", "1795700000")
        result = run_batch(catalog, out, settings(), thresholds=[Threshold("critical", 0)], jobs=1)
    return result, out


# -- catalog and folder names --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../etc/passwd", "..", ".", "/abs/path", "a\\b\\..\\c", "C:\\Windows",
                                  ".hidden", "CON", "nul.txt", "summary.csv", "summary.JSON", "日本語",
                                  "naïve café", "x" * 300, "\u202etxt.exe", "a\x00b", " ", "-rf"])
def test_folder_names_are_safe(name: str) -> None:
    folder = safe_folder_name(name)
    assert folder and len(folder) <= 80
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in folder)
    assert folder not in (".", "..") and not folder.startswith((".", "-"))
    assert folder.lower() not in SUMMARY_NAMES and folder.upper() not in ("CON", "NUL")
    assert Path(folder).name == folder


def test_folder_names_are_unique_ignoring_case() -> None:
    names = unique_folder_names(["App", "app", "APP", "a/pp", "a?pp", "日本", "中文", "app-2"])
    assert len({n.lower() for n in names}) == len(names)
    assert names[0] == "App" and names[1] == "app-2" and names[3] == "a-pp"


def test_unicode_names_keep_their_ascii_letters() -> None:
    assert safe_folder_name("naïve café") == "naive-cafe"


def test_folder_catalog_lists_subfolders_in_order(catalog: Path) -> None:
    entries = load_catalog(catalog)
    assert [e.folder for e in entries] == ["broken", "demo", "more-critical"]
    assert entries[1].inputs == (str(catalog / "demo"),)


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "problem"), [
    ("images: 3\n", "expected a list"),
    ("- name: a\n", "'inputs' must be a path or a list"),
    ("- name: a\n  inputs: []\n", "at least one"),
    ("- inputs: [x]\n", "entry 1: 'name'"),
    ("- name: a\n  inputs: [x]\n- name: b\n  inputs: [x]\n  baseline: extreme\n", "entry 2 (b): 'baseline'"),
    ("- name: a\n  inputs: [x]\n  colour: red\n", "unknown key 'colour'"),
    ("- name: a\n  inputs: [x]\n  keys: [1]\n", "'keys' must be"),
    ("- name: a\n  inputs: [x]\n  profile: [p]\n", "'profile' must be a path"),
    ("- &a {name: a, inputs: [x]}\n- *a\n", "anchors"),
    ("- just text\n", "entry 1: expected a mapping"),
    ("[]\n", "lists no images"),
])
def test_yaml_catalog_is_validated_up_front(tmp_path: Path, text: str, problem: str) -> None:
    path = _yaml(tmp_path, text)
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    assert str(path) in str(error.value) and problem in str(error.value)
    assert "\n" not in str(error.value)


def test_bad_yaml_catalog_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    path = _yaml(tmp_path, "- name: a\n  inputs: [x]\n  colour: red\n")
    code, _out, err = run_scc(capsys, "batch", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "catalog.yaml: entry 1 (a): unknown key" in err
    assert not (tmp_path / "out").exists()


def test_yaml_paths_are_relative_to_the_yaml_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "catalog.yaml"
    path.write_text("images:\n  - name: one\n    inputs: img/\n    keys: [k.pub]\n    profile: p.yaml\n"
                    "    baseline: Moderate\n  - name: one\n    inputs: [a.json, b.json]\n")
    first, second = load_catalog(path)
    assert first.inputs == (str(tmp_path / "sub" / "img/"),) and first.keys == (str(tmp_path / "sub" / "k.pub"),)
    assert first.profile == str(tmp_path / "sub" / "p.yaml") and first.baseline == "moderate"
    assert second.keys is None and second.profile is None     # the common options apply
    assert (first.folder, second.folder) == ("one", "one-2")  # duplicate names get their own folders


# -- --out -----------------------------------------------------------------------------------------------------
def test_a_summary_file_of_someone_elses_is_never_replaced(tmp_path: Path, capsys) -> None:
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "x")
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("my own numbers\n")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(out))
    assert code == 2 and "summary.csv: in the way" in err
    assert (out / "summary.csv").read_text() == "my own numbers\n" and sorted(p.name for p in out.iterdir()) == [
        "summary.csv"]


def test_out_inside_the_catalog_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "x")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "images" / "x" / "o"))
    assert code == 2 and "which the batch reads" in err
    assert not (tmp_path / "images" / "x" / "o").exists()


def test_rerun_replaces_its_own_summary(tmp_path: Path, capsys) -> None:
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "x")
    out = tmp_path / "out"
    first = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(out))
    before = tree_bytes(out)
    second = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(out))
    assert first[0] == second[0] == 2 and tree_bytes(out) == before
    (out / "summary.html").write_text("edited")
    third = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(out))
    assert third[0] == 2 and "summary.html: changed since scc wrote it" in third[2]
    assert (out / "summary.html").read_text() == "edited"


# -- exit codes ------------------------------------------------------------------------------------------------
def _outcome(name: str, status: ImageStatus) -> ImageOutcome:
    return ImageOutcome(name=name, folder=name, status=status, error="" if status.value in ("passed", "breached")
                        else "why")


@pytest.mark.parametrize(("statuses", "code"), [
    ((ImageStatus.PASSED, ImageStatus.PASSED), 0),
    ((ImageStatus.PASSED, ImageStatus.BREACHED), 1),
    ((ImageStatus.BREACHED, ImageStatus.FAILED, ImageStatus.PASSED), 2),
    ((ImageStatus.FAILED, ImageStatus.INTERNAL, ImageStatus.BREACHED), 3),
])
def test_exit_code_is_the_worst_image(statuses: tuple[ImageStatus, ...], code: int) -> None:
    from datetime import UTC, datetime

    outcomes = [_outcome(f"i{n}", status) for n, status in enumerate(statuses)]
    assert build_summary("c", datetime(2026, 1, 1, tzinfo=UTC), True, outcomes).exit_code == code


def test_dask_executor_without_dask_says_how_to_install_it(tmp_path: Path, capsys, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("dask", "distributed")
                        else real(name, *a))
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "x")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out"),
                              "--executor", "dask")
    assert code == 2 and err.count("\n") == 1 and "pip install 'scc[batch]'" in err
    assert not (tmp_path / "out").exists()


def test_run_batch_without_dask_raises_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    import sys

    from scc.batch import ExecutorError

    monkeypatch.setitem(sys.modules, "dask.distributed", None)   # import fails as if not installed
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "x")
    with pytest.raises(ExecutorError, match=r"pip install 'scc\[batch\]'"):
        run_batch(tmp_path / "images", tmp_path / "out", executor="dask")


# -- a batch of the example and its variants ---------------------------------------------------------------------
def test_one_broken_image_never_stops_the_rest(serial) -> None:
    result, out = serial
    by_folder = {o.folder: o for o in result.outcomes}
    assert by_folder["broken"].status is ImageStatus.FAILED
    assert "broken/grype.json" in by_folder["broken"].error and "\n" not in by_folder["broken"].error
    assert not (out / "broken").exists()
    for folder in ("demo", "more-critical"):
        manifest = json.loads((out / folder / "manifest.json").read_bytes())
        assert {o["path"] for o in manifest["outputs"]} >= {"oscal-poam.json", "checklist.ckl", "poam.xlsx"}
    assert result.exit_code == 2      # bad input outranks the breached gate of more-critical


def test_summary_shows_errors_counts_and_the_matrix(serial) -> None:
    _result, out = serial
    document = json.loads((out / "summary.json").read_bytes())
    images = {i["folder"]: i for i in document["images"]}
    assert "broken/grype.json" in images["broken"]["error"] and "package" not in images["broken"]
    assert images["more-critical"]["open"]["critical"] == images["demo"]["open"]["critical"] + 2
    assert images["more-critical"]["gate"] == "breached" and images["demo"]["gate"] == "passed"
    assert document["exit-code"] == 2 and document["images-by-status"]["failed"] == 1
    demo_manifest = json.loads((out / "demo" / "manifest.json").read_bytes())
    assert images["demo"]["verdicts"] == demo_manifest["verdicts"]
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text())))
    assert [r["folder"] for r in rows] == ["broken", "demo", "more-critical"]
    assert rows[0]["error"] == images["broken"]["error"] and rows[0]["open CAT1"] == ""
    assert rows[1]["open CAT1"] == str(images["demo"]["open"]["cat1"])
    for control in document["controls"]:
        assert rows[1][control["id"]] == control["verdicts"].get("demo", "")
        assert rows[0][control["id"]] == ""
    listed = {f["path"]: f["sha256"] for f in document["files"]}
    assert set(listed) == {"summary.csv", "summary.html", "summary.xlsx"}


def test_summary_xlsx_has_images_and_the_controls_matrix(serial) -> None:
    from openpyxl import load_workbook

    result, out = serial
    workbook = load_workbook(out / "summary.xlsx")
    assert workbook.sheetnames == ["Images", "Controls"]
    images = list(workbook["Images"].iter_rows(values_only=True))
    assert [row[1] for row in images[1:]] == ["broken", "demo", "more-critical"]
    controls = list(workbook["Controls"].iter_rows(values_only=True))
    assert controls[0] == ("control", "title", "broken", "demo", "more-critical")
    assert len(controls) - 1 == len(result.summary.controls)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "action", "srcset", "poster", "data")]
        if values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = values.get("content") or ""


def test_summary_html_is_self_contained(serial) -> None:
    _result, out = serial
    page = _References()
    page.feed((out / "summary.html").read_text())
    assert not [u for u in page.urls if "//" in u or u.startswith(("http", "data:"))]
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert "default-src 'none'" in page.csp and "script-src 'none'" in page.csp and "unsafe-inline" not in page.csp
    assert "url(" not in (out / "summary.html").read_text() and "@import" not in (out / "summary.html").read_text()


def test_batch_package_is_the_package_scc_package_writes(serial, catalog: Path, tmp_path: Path, capsys,
                                                          monkeypatch) -> None:
    _result, out = serial
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    code, _o, err = run_scc(capsys, "package", str(catalog / "demo"), "--key", str(KEY), "--overrides",
                            str(EXAMPLE / "overrides.yaml"), "--out", str(tmp_path / "single"))
    assert code == 0, err
    assert tree_bytes(tmp_path / "single") == tree_bytes(out / "demo")


@pytest.mark.slow
def test_two_processes_give_the_same_bytes(serial, catalog: Path, tmp_path: Path, monkeypatch) -> None:
    _result, out = serial
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    parallel = run_batch(catalog, tmp_path / "out", settings(), thresholds=[Threshold("critical", 0)], jobs=2)
    assert parallel.exit_code == 2
    assert f"pid {os.getpid()}" not in {o.metrics.worker for o in parallel.outcomes}   # ran in worker processes
    assert tree_bytes(tmp_path / "out") == tree_bytes(out)


def test_dask_local_cluster_gives_the_same_bytes(serial, catalog: Path, tmp_path: Path, monkeypatch) -> None:
    """Two worker processes with little memory each, reached through --scheduler as an existing cluster."""
    distributed = pytest.importorskip("distributed")
    _result, out = serial
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))   # the workers inherit it
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1.5GiB",
                                  dashboard_address=None) as cluster:
        result = run_batch(catalog, tmp_path / "out", settings(), thresholds=[Threshold("critical", 0)],
                           executor="dask", scheduler=cluster.scheduler_address)
    assert result.exit_code == 2
    assert tree_bytes(tmp_path / "out") == tree_bytes(out)


def test_cli_dask_default_local_cluster(tmp_path: Path, capsys) -> None:
    """--executor dask --jobs 2 starts its own LocalCluster; the failing image's line is on stderr."""
    pytest.importorskip("distributed")
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "one")
    broken(tmp_path / "images" / "two")
    code, out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out"),
                             "--executor", "dask", "--jobs", "2")
    assert code == 2 and "2 failed" in out
    assert "scc: one: failed:" in err and "scc: two: failed:" in err
    assert json.loads((tmp_path / "out" / "summary.json").read_bytes())["images-by-status"]["failed"] == 2


def _profiling_workers(client) -> list[bool]:
    """For each worker of ``client``'s cluster: does it sample its task threads' stacks (Dask's profiler)?"""
    return sorted(client.run(lambda dask_worker: "profile-cycle" in dask_worker.periodic_callbacks).values())


def test_batch_local_cluster_workers_keep_no_profiles(tmp_path: Path, monkeypatch) -> None:
    """The profiler's per-second call trees grew each worker ~7 MiB per image with the PDF: the batch's own
    LocalCluster starts its workers without it (a cluster started without the batch's config keeps it)."""
    distributed = pytest.importorskip("dask.distributed")
    seen: list[list[bool]] = []

    class RecordingCluster(distributed.LocalCluster):
        def __enter__(self):
            cluster = super().__enter__()
            with distributed.Client(cluster) as client:
                seen.append(_profiling_workers(client))
            return cluster

    monkeypatch.setattr(distributed, "LocalCluster", RecordingCluster)
    (tmp_path / "images").mkdir()
    broken(tmp_path / "images" / "one")
    run_batch(tmp_path / "images", tmp_path / "out", executor="dask", jobs=2)
    with RecordingCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None):
        pass
    assert seen == [[False, False], [True]]


def test_scheduler_needs_the_dask_executor(tmp_path: Path, capsys) -> None:
    code, _out, err = run_scc(capsys, "batch", str(tmp_path), "--out", str(tmp_path / "o"), "--scheduler",
                              "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler needs --executor dask" in err


# -- a YAML catalog with per-image settings and hostile names ---------------------------------------------------
def test_yaml_catalog_per_image_settings_and_hostile_names(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    variant(tmp_path / "demo")
    (tmp_path / "catalog.yaml").write_text(
        "images:\n"
        "  - name: \"../../<script>alert(1)</script>\"\n"
        "    inputs: [demo/]\n"
        "    keys: [demo/demo-signing.pub]\n"
        "    overrides: demo/overrides.yaml\n"
        "    profile: demo/system-profile.yaml\n"
        "  - name: \"../../<script>alert(1)</script>\"\n"
        "    inputs: [missing/]\n")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "catalog.yaml"), "--out", str(tmp_path / "out"),
                              "--max-cat1", "100")
    assert code == 2, err
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert folders == ["script-alert-1-script"]          # the second (same name, missing input) failed
    document = json.loads((tmp_path / "out" / "summary.json").read_bytes())
    first, second = document["images"]
    assert first["name"] == second["name"] == "../../<script>alert(1)</script>"
    assert second["folder"] == "script-alert-1-script-2" and "missing" in second["error"]
    ssp = (tmp_path / "out" / "script-alert-1-script" / "ssp.json").read_text()
    assert "Demo API Service (EXAMPLE)" in ssp          # the entry's own --profile was used
    manifest = json.loads((tmp_path / "out" / "script-alert-1-script" / "manifest.json").read_bytes())
    assert [k["file"] for k in manifest["provenance"]["verification-keys"]] == [str(tmp_path / "demo" / "demo-signing.pub")]
    assert manifest["provenance"]["overrides"]["file"] == str(tmp_path / "demo" / "overrides.yaml")
    assert first["gate"] == "passed"
    page = (tmp_path / "out" / "summary.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- official content, shipped once ------------------------------------------------------------------------------
def test_shipped_content_arrives_parsed(with_content, monkeypatch) -> None:
    """What a worker receives answers every content question without reading or parsing a file."""
    import pickle

    from scc.batch.image import ShippedContent
    from scc.batch.run import load_shared_assets
    from scc.content.store import ContentStore

    shared = load_shared_assets(Settings(baseline="moderate"), [])
    assert shared.content is not None and len(shared.rules) > 0
    received = pickle.loads(pickle.dumps(shared))
    shared.content.cci()
    monkeypatch.setattr(ContentStore, "read_verified", lambda *_a: pytest.fail("a worker re-read the content"))
    assert isinstance(received.content, ShippedContent)
    assert received.content.catalog() is not None
    assert (received.content.cci() is None) is (shared.content.cci() is None)   # the reference set may lack it
    assert received.content.baseline("moderate") is not None and received.content.benchmark("gpos-srg") is not None


def test_batch_with_content_in_two_processes_matches_scc_package(with_content, tmp_path: Path, capsys) -> None:
    (tmp_path / "images").mkdir()
    variant(tmp_path / "images" / "demo")
    variant(tmp_path / "images" / "other", extra_critical=1)
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out"),
                              "--baseline", "moderate", "--key", str(KEY), "--jobs", "2")
    assert code == 0, err
    code, _out, err = run_scc(capsys, "package", str(tmp_path / "images" / "demo"), "--baseline", "moderate",
                              "--key", str(KEY), "--out", str(tmp_path / "single"))
    assert code == 0, err
    assert tree_bytes(tmp_path / "single") == tree_bytes(tmp_path / "out" / "demo")
    manifest = json.loads((tmp_path / "single" / "manifest.json").read_bytes())
    assert manifest["provenance"]["content"]    # the official content was used, and recorded


def test_folder_catalog_leaves_out_hidden_folders_and_loose_files(tmp_path: Path) -> None:
    for name in ("b", "a", ".git", ".staging"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not an image")
    assert [e.name for e in load_catalog(tmp_path)] == ["a", "b"]


def test_entry_settings_override_the_common_ones_and_previous_is_per_image(tmp_path: Path) -> None:
    from scc.batch.catalog import ImageEntry
    from scc.batch.image import image_settings

    (tmp_path / "earlier" / "a").mkdir(parents=True)
    common = Settings(baseline="low", keys=[Path("common.pub")], system_name="All", previous=tmp_path / "earlier")
    own = ImageEntry(name="a", folder="a", inputs=("x",), where="w", keys=("own.pub",), baseline="high",
                     profile="p.yaml")
    plain = ImageEntry(name="b", folder="b", inputs=("y",), where="w")
    first, second = image_settings(common, own), image_settings(common, plain)
    assert (first.baseline, first.keys, first.profile, first.system_name) == ("high", [Path("own.pub")],
                                                                              Path("p.yaml"), "All")
    assert (second.baseline, second.keys, second.profile) == ("low", [Path("common.pub")], None)
    assert first.previous == tmp_path / "earlier" / "a" and second.previous is None
    first.keys.append(Path("more.pub"))
    assert common.keys == [Path("common.pub")]    # an image's settings never leak into the common ones


def test_skip_leaves_an_output_out_of_every_package(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    (tmp_path / "images").mkdir()
    variant(tmp_path / "images" / "demo")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out"),
                              "--skip", "pdf", "--key", str(KEY))
    assert code == 0, err
    names = {o["path"] for o in json.loads((tmp_path / "out" / "demo" / "manifest.json").read_bytes())["outputs"]}
    assert "ssp.pdf" not in names and "oscal-poam.json" in names
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out2"),
                              "--skip", "no-such-output")
    assert code == 2 and "no-such-output" in err and not (tmp_path / "out2").exists()


def test_formats_chooses_the_outputs_of_every_package_as_scc_package_does(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    (tmp_path / "images").mkdir()
    variant(tmp_path / "images" / "demo")
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out"),
                              "--formats", "oscal-poam,xlsx", "--formats", "ckl", "--skip", "xlsx", "--key", str(KEY))
    assert code == 0, err
    package = tmp_path / "out" / "demo"
    manifest = json.loads((package / "manifest.json").read_bytes())
    assert {o["path"] for o in manifest["outputs"]} == {"oscal-poam.json", "checklist.ckl"}
    assert sorted(p.name for p in package.iterdir()) == ["checklist.ckl", "manifest.json", "oscal-poam.json"]
    assert "xlsx" in manifest["formats"]["skipped"]
    code, _out, err = run_scc(capsys, "package", str(tmp_path / "images" / "demo"), "--out", str(tmp_path / "single"),
                              "--formats", "oscal-poam,xlsx", "--formats", "ckl", "--skip", "xlsx", "--key", str(KEY))
    assert code == 0, err
    assert tree_bytes(tmp_path / "single") == tree_bytes(package)     # the package scc package writes
    code, _out, err = run_scc(capsys, "batch", str(tmp_path / "images"), "--out", str(tmp_path / "out2"),
                              "--formats", "word")
    assert code == 2 and "word" in err and not (tmp_path / "out2").exists()
