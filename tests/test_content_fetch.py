"""The real download path (requests + urllib3 retries) against a local HTTP server: no mocks of requests."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import json
import multiprocessing
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from click.testing import CliRunner

from scc.cli.content import content
from scc.content import ContentStore
from scc.content import fetch as fetch_module
from scc.content.bundle import import_content
from scc.content.fetch import Limits, download, fetch
from scc.content.lock import LockEntry, write_lock
from scc.content.pins import check_pin, pinned_release, stated_release
from scc.content.registry import (
    DEFAULT_SOURCES as SOURCES,  # FedRAMP profiles are optional: tests/test_fedramp.py
)
from scc.errors import ContentError


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def serve():
    servers = []

    def start(directory) -> str:
        handler = functools.partial(_Quiet, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(fetch_module, "BACKOFF", 0.0)
    monkeypatch.setattr(fetch_module, "RETRIES", 1)


@pytest.mark.slow
def test_fetch_nist_sources_from_a_mirror_records_hashes_and_resolves_baseline(serve, content_files, tmp_path):
    base = serve(content_files.nist.parent)
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, [CATALOG, MODERATE], mirror=f"{base}/nist/",
                           limits=Limits(accept_new=content_files.accept_new))
    assert failures == [] and [f.entry.name for f in done] == [CATALOG, MODERATE]
    entry = store.lock()[CATALOG]
    served = content_files.catalog.read_bytes()
    assert entry.url == f"{base}/nist/NIST_SP-800-53_rev5_catalog.json" and entry.origin == "fetch"
    assert entry.sha256 == hashlib.sha256(served).hexdigest() and entry.size == len(served)
    assert entry.retrieved.endswith("Z")
    assert (entry.release, entry.trust) == (stated_release("catalog", served), content_files.trust)
    profile = json.loads(content_files.profile("moderate").read_text())["profile"]
    with_ids = [i for imp in profile["imports"] for inc in imp["include-controls"] for i in inc["with-ids"]]
    assert list(store.baseline("moderate").control_ids) == with_ids
    assert store.verify() == []


def test_official_catalog_fetched_from_a_mirror_is_the_pinned_release(serve, shared_data, tmp_path):
    store = ContentStore(tmp_path / "cache")
    _, failures = fetch(store, [CATALOG, MODERATE], mirror=f"{serve(shared_data)}/nist/")
    entry = store.lock()[CATALOG]
    assert failures == [] and (entry.sha256, entry.release, entry.trust) == (CATALOG_SHA, "5.2.0", "pinned")
    assert len(store.baseline("moderate").control_ids) == 287


def _cci_zip(path, cci_list, extra: dict[str, bytes] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "DISA CCI list")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        archive.write(cci_list, "U_CCI_List/U_CCI_List.xml")
    return path


@pytest.mark.slow
def test_fetch_extracts_the_member_from_a_disa_zip(serve, content_files, tmp_path):
    (tmp_path / "www").mkdir()
    archive = _cci_zip(tmp_path / "www" / "U_CCI_List.zip", content_files.cci)
    base = serve(tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, ["disa-cci"], mirror=base, limits=Limits(accept_new=content_files.accept_new))
    assert failures == [] and done[0].member == "U_CCI_List/U_CCI_List.xml"
    entry = store.lock()["disa-cci"]
    assert entry.sha256 == hashlib.sha256(content_files.cci.read_bytes()).hexdigest()
    assert entry.archive_sha256 == hashlib.sha256(archive.read_bytes()).hexdigest() != entry.sha256
    assert store.cci().get("CCI-000366").rev5 == ("cm-6",)


def test_zip_slip_member_is_refused_and_nothing_is_cached(serve, content_files, tmp_path):
    (tmp_path / "www").mkdir()
    _cci_zip(tmp_path / "www" / "U_CCI_List.zip", content_files.cci, {"../../../tmp/evil.xml": b"<x/>"})
    base = serve(tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, ["disa-cci"], mirror=base)
    assert done == [] and len(failures) == 1
    assert "member '../../../tmp/evil.xml' refused: path escapes the archive" in failures[0]
    assert store.missing()[0] == "nist-800-53-rev5-catalog" and "disa-cci" in store.missing()


@pytest.mark.slow
def test_offline_fetch_says_which_host_and_points_to_import(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = ContentStore(tmp_path)
    done, failures = fetch(store, ["nist-800-53-rev5-catalog", "nist-800-53-rev5-low"],
                           mirror=f"http://127.0.0.1:{port}/")
    assert done == []
    assert failures[0].startswith("nist-800-53-rev5-catalog: cannot reach 127.0.0.1:")
    assert "use `scc content import` on an air-gapped machine" in failures[0]
    assert failures[1].startswith("nist-800-53-rev5-low: skipped, cannot reach")


def test_missing_file_names_the_status_and_how_to_override_the_url(serve, tmp_path):
    (tmp_path / "disa").mkdir()
    base = serve(tmp_path)
    with pytest.raises(ContentError, match=r"HTTP 404 .*--url NAME=URL"):
        download(f"{base}/disa/U_GPOS_SRG_V9R9_Manual-xccdf.zip", local_mirror=True)


def test_download_stops_at_the_size_cap(serve, tmp_path):
    (tmp_path / "nist").mkdir()
    (tmp_path / "nist" / "fixture-profile.json").write_text(json.dumps({"profile": {"imports": []}, "pad": "x" * 5000}))
    base = serve(tmp_path)
    with pytest.raises(ContentError, match="exceeds the 1000 byte download limit"):
        download(f"{base}/nist/fixture-profile.json", limit=1000, local_mirror=True)


def test_a_file_that_is_not_the_expected_source_is_refused(serve, content_files, tmp_path):
    (tmp_path / "www").mkdir()
    shutil.copyfile(content_files.profile("low"),
                    tmp_path / "www" / "NIST_SP-800-53_rev5_catalog.json")
    base = serve(tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    _, failures = fetch(store, ["nist-800-53-rev5-catalog"], mirror=base, limits=Limits(accept_new=True))
    assert "the downloaded file is not the NIST SP 800-53 rev5 catalog" in failures[0]
    assert store.lock() == {}


# --- pinned and bounded (issue #8 item 5) -------------------------------------------------------

CATALOG = "nist-800-53-rev5-catalog"
MODERATE = "nist-800-53-rev5-moderate"
CATALOG_SHA = "1645df6a370dcb931db2e2d5d70c2f77bc89c38499a416c23a70eb2c0e595bcc"


def _start(handler, host: str = "127.0.0.1"):
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


@pytest.fixture
def raw_server():
    servers = []

    def start(handler, host: str = "127.0.0.1") -> str:
        server, base = _start(handler, host)
        servers.append(server)
        return base

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _retitled_catalog(shared_data, directory, version: str | None = None) -> str:
    """The official catalog with AC-1 retitled (and optionally another version): what a tampered mirror serves."""
    document = json.loads((shared_data / "nist" / "NIST_SP-800-53_rev5_catalog.json").read_bytes())
    for group in document["catalog"]["groups"]:
        for control in group.get("controls", []):
            if control["id"] == "ac-1":
                control["title"] = "Policy and Procedures (optional)"
    if version:
        document["catalog"]["metadata"]["version"] = version
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps(document, indent=2).encode()
    (directory / "NIST_SP-800-53_rev5_catalog.json").write_bytes(data)
    return hashlib.sha256(data).hexdigest()


@pytest.mark.slow
def test_a_mirror_serving_a_retitled_catalog_is_refused_naming_file_expected_and_got(serve, shared_data, tmp_path):
    got = _retitled_catalog(shared_data, tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, [CATALOG], mirror=serve(tmp_path / "www"))
    assert done == [] and len(failures) == 1
    assert "NIST_SP-800-53_rev5_catalog.json: does not match the pinned nist-800-53-rev5-catalog 5.2.0" in failures[0]
    assert f"expected sha256 {CATALOG_SHA} (10441264 bytes), got sha256 {got}" in failures[0]
    assert store.lock() == {} and not (store.directory / "NIST_SP-800-53_rev5_catalog.json").exists()


@pytest.mark.slow
def test_cli_refuses_the_tampered_catalog_with_exit_2(serve, shared_data, tmp_path):
    got = _retitled_catalog(shared_data, tmp_path / "www")
    result = CliRunner().invoke(content, ["fetch", CATALOG, "--mirror", serve(tmp_path / "www"),
                                          "--dir", str(tmp_path / "cache")])
    assert result.exit_code == 2
    assert f"expected sha256 {CATALOG_SHA}" in result.output and got in result.output


def _redirecting(location: str):
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Redirect


def test_a_redirect_to_another_host_is_refused(serve, raw_server, tmp_path):
    (tmp_path / "www").mkdir()
    other = serve(tmp_path / "www").replace("127.0.0.1", "localhost")   # never reached: the redirect is refused
    mirror = raw_server(_redirecting(other))
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, [MODERATE], mirror=mirror)
    assert done == [] and "redirect to http://localhost:" in failures[0] and "refused" in failures[0]
    assert store.lock() == {}


def test_a_redirect_is_followed_only_on_the_same_host_and_port(serve, raw_server, content_files, tmp_path):
    files = serve(content_files.nist)
    port = files.rsplit(":", 1)[1]
    mirror = raw_server(_redirecting(files))      # same address, another port: another origin
    store = ContentStore(tmp_path / "cache")
    limits = Limits(accept_new=content_files.accept_new)
    _, failures = fetch(store, [MODERATE], mirror=mirror, limits=limits)
    assert f"redirect to http://127.0.0.1:{port} refused" in failures[0]
    moved = tmp_path / "www" / "moved"
    moved.mkdir(parents=True)
    shutil.copyfile(content_files.profile("moderate"), moved / "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json")

    class Relative(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)

        def do_GET(self) -> None:
            if self.path.startswith("/moved/"):
                return super().do_GET()
            self.send_response(301)
            self.send_header("Location", "/moved" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    done, failures = fetch(store, [MODERATE], mirror=raw_server(Relative), limits=limits)
    assert failures == [] and done[0].entry.trust == content_files.trust


def test_plain_http_is_refused_unless_it_is_the_named_local_mirror(serve, content_files, tmp_path, monkeypatch):
    base = serve(content_files.nist)
    store = ContentStore(tmp_path / "cache")
    url = f"{base}/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"
    _, failures = fetch(store, [MODERATE], urls={MODERATE: url})
    assert "plain http refused; content is fetched over https only" in failures[0]
    monkeypatch.setenv("SCC_CONTENT_BASE_URL", base)
    _, failures = fetch(store, [MODERATE])
    assert "plain http refused" in failures[0] and store.lock() == {}
    with pytest.raises(ContentError, match="plain http refused"):
        fetch(store, [MODERATE], mirror="http://mirror.example.org/content/")
    with pytest.raises(ContentError, match="only https URLs"):
        download("ftp://mirror.example.org/x.json")
    done, failures = fetch(store, [MODERATE], mirror=base, limits=Limits(accept_new=content_files.accept_new))
    assert failures == [] and done[0].entry.url == url


def test_a_file_url_is_a_local_mirror_too(content_files, tmp_path):
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, [MODERATE], mirror=content_files.nist.as_uri(),
                           limits=Limits(accept_new=content_files.accept_new))
    stated = stated_release("profile", content_files.profile("moderate").read_bytes())
    assert failures == [] and done[0].entry.release == stated and done[0].entry.origin == "fetch"
    with pytest.raises(ContentError, match="only https URLs"):
        download(content_files.catalog.as_uri())


class _Dribble(http.server.BaseHTTPRequestHandler):
    """Announces a large body and sends one byte at a time, each well within the per-read timeout."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.02)
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.mark.slow
def test_a_slow_body_hits_the_total_deadline(raw_server, tmp_path):
    base = raw_server(_Dribble)
    with pytest.raises(ContentError, match=r"not complete within the 0.5 s deadline"):
        download(f"{base}/NIST_SP-800-53_rev5_catalog.json", deadline=0.5, local_mirror=True)
    store = ContentStore(tmp_path / "cache")
    _, failures = fetch(store, [CATALOG], mirror=base, limits=Limits(deadline=0.5))
    assert "deadline" in failures[0] and store.lock() == {}


class _Endless(http.server.BaseHTTPRequestHandler):
    """A chunked body without Content-Length that never ends."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = b"x" * 4096
        try:
            for _ in range(10000):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


def test_an_oversized_body_is_refused_at_the_per_file_cap(raw_server, tmp_path):
    store = ContentStore(tmp_path / "cache")
    _, failures = fetch(store, [CATALOG], mirror=raw_server(_Endless), limits=Limits(max_bytes=50_000))
    assert "exceeds the 50000 byte download limit" in failures[0]
    assert store.lock() == {} and not (store.directory / "NIST_SP-800-53_rev5_catalog.json").exists()


@pytest.mark.slow
def test_accept_new_records_the_printed_hash_in_the_lock(serve, shared_data, tmp_path):
    got = _retitled_catalog(shared_data, tmp_path / "www", version="5.2.1")
    mirror, cache = serve(tmp_path / "www"), str(tmp_path / "cache")
    runner = CliRunner()
    refused = runner.invoke(content, ["fetch", CATALOG, "--mirror", mirror, "--dir", cache])
    assert refused.exit_code == 2
    assert "release 5.2.1 is not a release scc has pinned" in refused.output and "--accept-new" in refused.output
    accepted = runner.invoke(content, ["fetch", CATALOG, "--mirror", mirror, "--dir", cache, "--accept-new"])
    assert accepted.exit_code == 0, accepted.output
    assert f"sha256 {got}" in accepted.output and "accepted as new" in accepted.output
    entry = ContentStore(cache).lock()[CATALOG]
    assert (entry.sha256, entry.release, entry.trust) == (got, "5.2.1", "accepted")
    again = runner.invoke(content, ["fetch", CATALOG, "--mirror", mirror, "--dir", cache])
    assert again.exit_code == 0 and ContentStore(cache).lock()[CATALOG].trust == "accepted"
    assert runner.invoke(content, ["verify", "--dir", cache]).exit_code == 0


@pytest.mark.slow
def test_import_checks_pins_for_folders_and_bundles(shared_data, tmp_path):
    got = _retitled_catalog(shared_data, tmp_path / "folder")
    store = ContentStore(tmp_path / "cache")
    with pytest.raises(ContentError, match=f"does not match the pinned nist-800-53-rev5-catalog 5.2.0: "
                                           f"expected sha256 {CATALOG_SHA} .*got sha256 {got}"):
        import_content(store, [tmp_path / "folder"])
    assert store.lock() == {}
    # a bundle whose own lock was rewritten to match the tampered file is refused the same way
    bundle_dir = tmp_path / "bundle"
    bundle_dir.mkdir()
    data = (tmp_path / "folder" / "NIST_SP-800-53_rev5_catalog.json").read_bytes()
    (bundle_dir / "NIST_SP-800-53_rev5_catalog.json").write_bytes(data)
    entry = LockEntry(name=CATALOG, file="NIST_SP-800-53_rev5_catalog.json", sha256=got, size=len(data),
                      url="https://example.invalid/", retrieved="2026-01-01T00:00:00Z", trust="pinned")
    write_lock(bundle_dir, {CATALOG: entry})
    with pytest.raises(ContentError, match="does not match the pinned"):
        import_content(store, [bundle_dir])
    notes: list[str] = []
    [installed] = import_content(store, [tmp_path / "folder"], accept_new=True, notify=notes.append)
    assert installed.trust == "accepted" and installed.sha256 == got and got in notes[0]


def _slow_import(directory: str, path: str, barrier, accept_new: bool) -> None:
    """One import in its own process, with the window between reading and writing the lock widened."""
    from scc.content import bundle

    original = bundle.write_bytes_atomic

    def slow(target, data):
        time.sleep(0.3)
        return original(target, data)

    bundle.write_bytes_atomic = slow
    barrier.wait(timeout=60)
    import_content(ContentStore(directory), [path], accept_new=accept_new)


@pytest.mark.slow
def test_concurrent_imports_keep_every_lock_entry(content_files, tmp_path):
    context = multiprocessing.get_context("fork")
    files = [content_files.profile(level) for level in ("LOW", "MODERATE", "HIGH", "PRIVACY")] + [content_files.ctr_srg]
    barrier = context.Barrier(len(files))
    workers = [context.Process(target=_slow_import,
                               args=(str(tmp_path / "cache"), str(path), barrier, content_files.accept_new))
               for path in files]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * len(files)
    store = ContentStore(tmp_path / "cache")
    assert sorted(store.lock()) == sorted(["nist-800-53-rev5-low", "nist-800-53-rev5-moderate",
                                           "nist-800-53-rev5-high", "nist-800-53-rev5-privacy", "ctr-srg"])
    assert store.verify() == []


@pytest.mark.slow
def test_two_concurrent_cli_imports_keep_every_entry(content_files, tmp_path):
    cache = tmp_path / "cache"
    accept = ["--accept-new"] if content_files.accept_new else []
    runs = [subprocess.Popen([sys.executable, "-m", "scc.cli", "content", "import", str(folder),
                              "--dir", str(cache), *accept], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for folder in (content_files.nist, content_files.disa)]
    assert [run.wait(300) for run in runs] == [0, 0], [run.stderr.read() for run in runs]
    assert sorted(ContentStore(cache).lock()) == content_files.source_names()


def test_verify_on_an_empty_cache_says_so_and_fails(tmp_path):
    result = CliRunner().invoke(content, ["verify", "--dir", str(tmp_path / "empty")])
    assert result.exit_code != 0
    assert "no content in" in result.output and "nothing to verify" in result.output


@pytest.mark.slow
def test_registry_releases_are_the_pinned_releases_the_files_state(shared_data):
    reference = {
        "nist-800-53-rev5-catalog": "nist/NIST_SP-800-53_rev5_catalog.json",
        "nist-800-53-rev5-low": "nist/NIST_SP-800-53_rev5_LOW-baseline_profile.json",
        "nist-800-53-rev5-moderate": "nist/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json",
        "nist-800-53-rev5-high": "nist/NIST_SP-800-53_rev5_HIGH-baseline_profile.json",
        "nist-800-53-rev5-privacy": "nist/NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json",
        "disa-cci": "disa/U_CCI_List.xml",
        "gpos-srg": "disa/disa-os-srg-v3r2.xml",
        "ctr-srg": "disa/disa-ctr-srg-v1r3.xml",
        "rhel9-stig": "disa/disa-stig-rhel9-v2r9-xccdf-manual.xml",
        "ubuntu2204-stig": "disa/disa-stig-ubuntu2204-v2r8-xccdf-manual.xml",
    }
    assert sorted(reference) == sorted(source.name for source in SOURCES)
    for source in SOURCES:
        data = (shared_data / reference[source.name]).read_bytes()
        stated = stated_release(source.kind, data)
        assert source.release == stated == pinned_release(source.name), source.name
        if source.kind == "benchmark":
            assert source.release in source.url, source.name
        assert check_pin(source.name, source.kind, data, reference[source.name]).trust == "pinned"


def test_a_cached_file_whose_release_differs_from_its_lock_entry_is_refused_at_load(content_files, tmp_path):
    store = ContentStore(tmp_path / "cache")
    import_content(store, [content_files.ctr_srg], accept_new=content_files.accept_new)
    lock = store.lock()
    stated = lock["ctr-srg"].release
    assert stated == stated_release("benchmark", content_files.ctr_srg.read_bytes()) != ""
    lock["ctr-srg"] = dataclasses.replace(lock["ctr-srg"], release="V9R9")
    write_lock(store.directory, lock)
    with pytest.raises(ContentError, match=f"states release {stated}, the lock recorded V9R9"):
        ContentStore(store.directory).benchmark("ctr-srg")
