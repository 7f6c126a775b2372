"""The real download path (requests + urllib3 retries) against a local HTTP server: no mocks of requests."""
from __future__ import annotations

import functools
import http.server
import socket
import threading
import zipfile

import pytest

from scc.content import ContentStore
from scc.content import fetch as fetch_module
from scc.content.fetch import download, fetch
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


def test_fetch_nist_sources_from_a_mirror_records_hashes_and_resolves_baseline(serve, shared_data, tmp_path,
                                                                               monkeypatch):
    base = serve(shared_data)
    monkeypatch.setenv("SCC_CONTENT_BASE_URL", f"{base}/nist/")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, ["nist-800-53-rev5-catalog", "nist-800-53-rev5-moderate"])
    assert failures == [] and [f.entry.name for f in done] == ["nist-800-53-rev5-catalog", "nist-800-53-rev5-moderate"]
    entry = store.lock()["nist-800-53-rev5-catalog"]
    assert entry.url == f"{base}/nist/NIST_SP-800-53_rev5_catalog.json" and entry.origin == "fetch"
    assert entry.sha256 == "1645df6a370dcb931db2e2d5d70c2f77bc89c38499a416c23a70eb2c0e595bcc"
    assert entry.retrieved.endswith("Z")
    assert len(store.baseline("moderate").control_ids) == 287
    assert store.verify() == []


def _cci_zip(path, shared_data, extra: dict[str, bytes] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "DISA CCI list")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        archive.write(shared_data / "disa" / "U_CCI_List.xml", "U_CCI_List/U_CCI_List.xml")
    return path


def test_fetch_extracts_the_member_from_a_disa_zip(serve, shared_data, tmp_path):
    (tmp_path / "www").mkdir()
    _cci_zip(tmp_path / "www" / "U_CCI_List.zip", shared_data)
    base = serve(tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, ["disa-cci"], urls={"disa-cci": f"{base}/U_CCI_List.zip"})
    assert failures == [] and done[0].member == "U_CCI_List/U_CCI_List.xml"
    entry = store.lock()["disa-cci"]
    assert entry.sha256 == "3090de8bfc0a953df4303d555e9fcce2f87f13584c46ca3211ad5305832f789b"
    assert len(entry.archive_sha256) == 64 and entry.archive_sha256 != entry.sha256
    assert store.cci().get("CCI-000366").rev5 == ("cm-6",)


def test_zip_slip_member_is_refused_and_nothing_is_cached(serve, shared_data, tmp_path):
    (tmp_path / "www").mkdir()
    _cci_zip(tmp_path / "www" / "U_CCI_List.zip", shared_data, {"../../../tmp/evil.xml": b"<x/>"})
    base = serve(tmp_path / "www")
    store = ContentStore(tmp_path / "cache")
    done, failures = fetch(store, ["disa-cci"], urls={"disa-cci": f"{base}/U_CCI_List.zip"})
    assert done == [] and len(failures) == 1
    assert "member '../../../tmp/evil.xml' refused: path escapes the archive" in failures[0]
    assert store.missing()[0] == "nist-800-53-rev5-catalog" and "disa-cci" in store.missing()


def test_offline_fetch_says_which_host_and_points_to_import(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = ContentStore(tmp_path)
    done, failures = fetch(store, ["nist-800-53-rev5-catalog", "nist-800-53-rev5-low"],
                           urls={"nist-800-53-rev5-catalog": f"http://127.0.0.1:{port}/c.json",
                                 "nist-800-53-rev5-low": f"http://127.0.0.1:{port}/l.json"})
    assert done == []
    assert failures[0].startswith("nist-800-53-rev5-catalog: cannot reach 127.0.0.1:")
    assert "use `scc content import` on an air-gapped machine" in failures[0]
    assert failures[1].startswith("nist-800-53-rev5-low: skipped, cannot reach")


def test_missing_file_names_the_status_and_how_to_override_the_url(serve, shared_data, tmp_path):
    base = serve(shared_data)
    with pytest.raises(ContentError, match=r"HTTP 404 .*--url NAME=URL"):
        download(f"{base}/disa/U_GPOS_SRG_V9R9_Manual-xccdf.zip")


def test_download_stops_at_the_size_cap(serve, shared_data):
    base = serve(shared_data)
    with pytest.raises(ContentError, match="exceeds the 1000 byte download limit"):
        download(f"{base}/nist/NIST_SP-800-53_rev5_LOW-baseline_profile.json", limit=1000)


def test_a_file_that_is_not_the_expected_source_is_refused(serve, shared_data, tmp_path):
    base = serve(shared_data)
    store = ContentStore(tmp_path)
    _, failures = fetch(store, ["nist-800-53-rev5-catalog"],
                        urls={"nist-800-53-rev5-catalog": f"{base}/nist/NIST_SP-800-53_rev5_LOW-baseline_profile.json"})
    assert "the downloaded file is not the NIST SP 800-53 rev5 catalog" in failures[0]
    assert store.lock() == {}
