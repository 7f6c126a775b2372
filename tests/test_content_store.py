"""The content cache, directory import, and air-gap bundles (export, tamper refusal, hostile tars)."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from scc.content import ContentStore, default_store
from scc.content.bundle import export_bundle, import_content
from scc.content.lock import LOCK_NAME
from scc.content.registry import (
    DEFAULT_SOURCES as SOURCES,  # FedRAMP profiles are optional: tests/test_fedramp.py
)
from scc.errors import ContentError

READERS = Path(__file__).parent / "data" / "readers"   # evidence files, none of them official content


@pytest.fixture(scope="module")
def loaded(content_files, tmp_path_factory) -> ContentStore:
    """A store holding every file of content_files (the reference content, else the miniature one)."""
    store = ContentStore(tmp_path_factory.mktemp("content"))
    import_content(store, [content_files.nist, content_files.disa], accept_new=content_files.accept_new)
    return store


@pytest.fixture(scope="module")
def loaded_official(official_content_dir) -> ContentStore:
    return ContentStore(official_content_dir)


@pytest.fixture(scope="module")
def bundle(loaded, tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "content.tar.gz"
    export_bundle(loaded, path)
    return path


@pytest.mark.slow
def test_directory_import_recognises_every_registry_source_by_content(loaded, content_files):
    provided = content_files.source_names()
    assert loaded.missing() == sorted(source.name for source in SOURCES if source.name not in provided)
    assert loaded.verify() == []
    lock = json.loads((loaded.directory / LOCK_NAME).read_text())["sources"]
    assert sorted(lock) == provided
    raw = content_files.gpos_srg.read_bytes()
    assert lock["gpos-srg"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert lock["gpos-srg"]["size"] == len(raw) and lock["gpos-srg"]["origin"] == "import"
    assert lock["disa-cci"]["url"] == "https://dl.dod.cyber.mil/wp-content/uploads/stigs/zip/U_CCI_List.zip"


def test_resolved_profile_catalogs_and_datastreams_are_not_taken_for_registry_sources(loaded_official):
    catalog = loaded_official.catalog()
    assert len(catalog) == 1196 and "5.2.0" in catalog.version
    moderate = loaded_official.baseline("moderate")
    assert len(moderate.control_ids) == 287 and "ac-6.10" in moderate


def test_baselines_resolve_their_import_through_the_back_matter_rlink(loaded, content_files):
    for level in ("low", "moderate", "high", "privacy"):
        raw = json.loads(content_files.profile(level).read_text())["profile"]
        expected = [i for imp in raw["imports"] for inc in imp["include-controls"] for i in inc["with-ids"]]
        baseline = loaded.baseline(level)
        assert baseline.name == level and list(baseline.control_ids) == expected
    assert loaded.baseline("MODERATE") is loaded.baseline("moderate")
    assert all(cid in loaded.catalog() for cid in loaded.baseline("high").control_ids)


def test_store_caches_parsed_objects(loaded):
    assert loaded.catalog() is loaded.catalog()
    assert loaded.benchmark("ctr-srg").id == "Container_Platform_SRG"
    with pytest.raises(ContentError, match="unknown benchmark"):
        loaded.benchmark("nope")


def test_empty_store_says_once_what_is_missing_and_how_to_get_it(tmp_path, monkeypatch):
    from scc.content.store import missing_warning_once

    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "empty"))
    store = default_store()
    assert store is default_store() and store.directory == tmp_path / "empty"
    assert store.catalog() is None and store.baseline("moderate") is None and store.cci() is None
    message = store.missing_message()
    assert "nist-800-53-rev5-catalog" in message and "ubuntu2204-stig" in message
    assert "scc content fetch" in message and "scc content import" in message
    assert missing_warning_once(store) == message
    assert missing_warning_once(store) is None


def test_tampered_cache_file_is_refused_on_load_with_its_name(content_files, tmp_path):
    store = ContentStore(tmp_path)
    import_content(store, [content_files.cci], accept_new=content_files.accept_new)
    path = tmp_path / "U_CCI_List.xml"
    path.write_bytes(path.read_bytes().replace(b"CM-6", b"AC-1", 1))
    with pytest.raises(ContentError, match="U_CCI_List.xml: sha256 differs"):
        ContentStore(tmp_path).cci()
    assert any("U_CCI_List.xml" in problem for problem in store.verify())


@pytest.mark.slow
def test_export_is_deterministic_and_holds_lock_and_files(loaded, bundle, tmp_path):
    again = tmp_path / "again.tar.gz"
    export_bundle(loaded, again)
    assert again.read_bytes() == bundle.read_bytes()
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        assert names[0] == LOCK_NAME and names[1:] == sorted(names[1:])
        assert all(member.mtime == 0 and member.uid == 0 for member in tar.getmembers())


@pytest.mark.slow
def test_bundle_import_into_an_empty_enclave_cache(bundle, loaded, content_files, tmp_path):
    enclave = ContentStore(tmp_path / "enclave")
    entries = import_content(enclave, [bundle], accept_new=content_files.accept_new)   # unpinned: accepted again
    assert len(entries) == len(loaded.lock()) and enclave.missing() == loaded.missing()
    assert enclave.lock()["gpos-srg"].sha256 == loaded.lock()["gpos-srg"].sha256
    assert enclave.lock()["gpos-srg"].origin == "bundle"
    assert enclave.catalog().control("cm-6").title == loaded.catalog().control("cm-6").title != ""


def _rewrite(bundle, target, change):
    """A copy of the bundle with one member's bytes changed (the lock left as it was)."""
    with tarfile.open(bundle) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(target, "w:gz") as out:
        for member, data in members:
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.slow
def test_tampered_bundle_is_refused_naming_the_file_and_nothing_is_copied(bundle, tmp_path):
    def flip(name, data):
        return data.replace(b"<Rule ", b"<Rulf ", 1) if name == "ctr-srg-xccdf.xml" else data

    tampered = _rewrite(bundle, tmp_path / "tampered.tar.gz", flip)
    enclave = ContentStore(tmp_path / "enclave")
    with pytest.raises(ContentError, match=r"ctr-srg-xccdf\.xml: (size|sha256) .*refused"):
        import_content(enclave, [tampered])
    assert not (tmp_path / "enclave").exists()


def _hostile_tar(path, member: tarfile.TarInfo, data: bytes = b"x"):
    with tarfile.open(path, "w:gz") as tar:
        member.size = len(data) if member.isreg() else 0
        tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return path


@pytest.mark.parametrize("make", [
    lambda: tarfile.TarInfo("../escape.json"),
    lambda: tarfile.TarInfo("/etc/cron.d/x"),
    lambda: tarfile.TarInfo("nested/U_CCI_List.xml"),
])
def test_bundle_members_with_unsafe_names_are_refused(tmp_path, make):
    path = _hostile_tar(tmp_path / "evil.tar.gz", make())
    with pytest.raises(ContentError, match="refused: names must be plain file names"):
        import_content(ContentStore(tmp_path / "c"), [path])


def test_bundle_links_are_refused(tmp_path):
    link = tarfile.TarInfo("U_CCI_List.xml")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    path = _hostile_tar(tmp_path / "link.tar.gz", link)
    with pytest.raises(ContentError, match="only regular files"):
        import_content(ContentStore(tmp_path / "c"), [path])


@pytest.mark.slow
def test_extracted_bundle_directory_is_checked_against_its_lock(bundle, content_files, tmp_path):
    extracted = tmp_path / "carried"
    extracted.mkdir()
    with tarfile.open(bundle) as tar:
        tar.extractall(extracted, filter="data")
    store = ContentStore(tmp_path / "c1")
    assert len(import_content(store, [extracted], accept_new=content_files.accept_new)) == len(json.loads((extracted / LOCK_NAME).read_text())["sources"])
    target = extracted / "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"
    target.write_bytes(target.read_bytes().replace(b'"ac-2', b'"ac-9', 1))
    with pytest.raises(ContentError, match="NIST_SP-800-53_rev5_MODERATE-baseline_profile.json: sha256"):
        import_content(ContentStore(tmp_path / "c2"), [extracted], accept_new=content_files.accept_new)


def test_import_of_nothing_recognisable_is_an_error(tmp_path):
    with pytest.raises(ContentError, match="no official content recognised"):
        import_content(ContentStore(tmp_path / "c"), [READERS])


def test_a_disa_zip_dropped_into_an_import_folder_is_read_safely(content_files, tmp_path):
    import zipfile

    folder = tmp_path / "downloads"
    folder.mkdir()
    with zipfile.ZipFile(folder / "U_Container_Platform_V1R3_SRG.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(content_files.ctr_srg,
                      "U_Container_Platform_V1R3_Manual_SRG/U_Container_Platform_SRG_V1R3_Manual-xccdf.xml")
    store = ContentStore(tmp_path / "c")
    assert [e.name for e in import_content(store, [folder], accept_new=content_files.accept_new)] == ["ctr-srg"]
    assert len(store.benchmark("ctr-srg").rules) == content_files.ctr_srg.read_bytes().count(b"<Rule ") > 0
    with zipfile.ZipFile(folder / "evil.zip", "w") as archive:
        archive.writestr("../../outside.xml", "<x/>")
    with pytest.raises(ContentError, match=r"evil.zip: member '../../outside.xml' refused: path escapes"):
        import_content(ContentStore(tmp_path / "c2"), [folder])
    assert not (tmp_path / "outside.xml").exists()
