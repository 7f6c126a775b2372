"""rpm packages from an image's rpm database: SQLite rpmdb headers parsed defensively, syft's purls.

Headers are encoded here from the "header blob" layout (int32 index count, int32 data size, 16-byte
big-endian index entries, data store); a real database is made with the rpm CLI when it is
installed, and syft reads the same tree to prove the keys meet.
"""
from __future__ import annotations

import json
import random
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path

import pytest
from imagebuild import directory, file, layer_tar
from realtools import tool_env

from scc.facts import read_input
from scc.facts.image.rpmdb import RpmHeaderError, parse_header

STRING, INT32, STRING_ARRAY, I18NSTRING, BIN = 6, 4, 8, 9, 7
OS_RELEASE = b'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.4"\nID_LIKE="fedora"\n'


def encode_header(tags: dict[int, str | int], extra: list[tuple[int, int, bytes, int]] = ()) -> bytes:
    """A header blob as rpm stores it in rpmdb.sqlite (no lead, no magic)."""
    entries, store = [], b""
    for tag, value in tags.items():
        if isinstance(value, int):
            store += b"\0" * (-len(store) % 4)
            entries.append((tag, INT32, len(store), 1))
            store += struct.pack(">i", value)
        else:
            entries.append((tag, I18NSTRING if tag == 1004 else STRING, len(store), 1))
            store += value.encode() + b"\0"
    for tag, kind, data, count in extra:
        entries.append((tag, kind, len(store), count))
        store += data
    index = b"".join(struct.pack(">iiii", *e) for e in entries)
    return struct.pack(">ii", len(entries), len(store)) + index + store


def package(name: str, version: str, release: str, arch: str = "x86_64", epoch: int | None = None,
            license_: str = "MIT", vendor: str = "Red Hat, Inc.", source: str | None = None) -> bytes:
    tags: dict[int, str | int] = {1000: name, 1001: version, 1002: release, 1004: f"{name} summary"}
    if epoch is not None:
        tags[1003] = epoch
    tags.update({1011: vendor, 1014: license_, 1022: arch,
                 1044: source if source is not None else f"{name}-{version}-{release}.src.rpm"})
    # a file list and a binary tag the parser must step over
    return encode_header(tags, [(1027, STRING_ARRAY, b"/usr/bin/a\0/usr/bin/b\0", 2), (261, BIN, b"\x01\x02", 2)])


def write_rpmdb(path: Path, blobs: list[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:   # the schema rpm 4.16+ creates
        db.execute("CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)")
        db.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    db.close()
    return path


def rhel_root(tmp_path: Path, blobs: list[bytes], dbpath: str = "var/lib/rpm/rpmdb.sqlite") -> Path:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "etc/os-release").write_bytes(OS_RELEASE)
    write_rpmdb(root / dbpath, blobs)
    return root


UBI_PACKAGES = [
    package("openssl-libs", "3.0.7", "27.el9", epoch=1, license_="ASL 2.0", source="openssl-3.0.7-27.el9.src.rpm"),
    package("bash", "5.1.8", "9.el9", license_="GPLv3+"),
    package("tzdata", "2024a", "1.el9", arch="noarch", license_="Public Domain"),
    package("gpg-pubkey", "fd431d51", "4ae0493b", arch="", vendor="", license_="pubkey", source=""),
]


def test_rpm_packages_from_the_sqlite_rpmdb_carry_syft_purls(tmp_path: Path) -> None:
    _, facts = read_input(str(rhel_root(tmp_path, UBI_PACKAGES)))
    rpms = [c for c in facts.components if c.type == "rpm"]
    assert [(c.name, c.version) for c in rpms] == [
        ("openssl-libs", "1:3.0.7-27.el9"), ("bash", "5.1.8-9.el9"), ("tzdata", "2024a-1.el9"),
        ("gpg-pubkey", "fd431d51-4ae0493b")]
    assert rpms[0].purl == ("pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
                            "&upstream=openssl-3.0.7-27.el9.src.rpm")
    assert rpms[1].purl == "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4&upstream=bash-5.1.8-9.el9.src.rpm"
    assert rpms[3].purl == "pkg:rpm/redhat/gpg-pubkey@fd431d51-4ae0493b?distro=rhel-9.4"
    assert rpms[0].key == "pkg:rpm/openssl-libs@3.0.7-27.el9"
    assert rpms[0].licenses == ("ASL 2.0",) and rpms[0].supplier == "Red Hat, Inc."
    assert rpms[2].evidence[0].pointer == "rootfs:/var/lib/rpm/rpmdb.sqlite Packages hnum 3"
    assert not any("rpm" in note for note in facts.notes)


def test_rpmdb_under_usr_lib_sysimage_in_a_rootfs_tar(tmp_path: Path) -> None:
    db = write_rpmdb(tmp_path / "db.sqlite", UBI_PACKAGES[:2])
    tar = tmp_path / "export.tar"
    tar.write_bytes(layer_tar([directory("etc"), file("etc/os-release", b"ID=fedora\nVERSION_ID=40\n"),
                               file("usr/lib/sysimage/rpm/rpmdb.sqlite", db.read_bytes())]))
    record, facts = read_input(str(tar))
    assert record.format == "rootfs-tar"
    assert [c.purl.split("?")[0] for c in facts.components] == [
        "pkg:rpm/fedora/openssl-libs@3.0.7-27.el9", "pkg:rpm/fedora/bash@5.1.8-9.el9"]


def test_corrupt_headers_are_skipped_with_a_note(tmp_path: Path) -> None:
    good = UBI_PACKAGES[1]
    bad_offset = bytearray(good)
    struct.pack_into(">i", bad_offset, 8 + 8, 10_000_000)       # first entry's offset far past the store
    blobs = [good[:40], bytes(bad_offset), b"", struct.pack(">ii", -1, 5), good]
    _, facts = read_input(str(rhel_root(tmp_path, blobs)))
    assert [c.name for c in facts.components] == ["bash"]
    note = next(n for n in facts.notes if "corrupt package header" in n)
    assert "skipped 4 corrupt" in note and "\n" not in note


def test_header_parser_never_raises_anything_but_its_own_error() -> None:
    blob = UBI_PACKAGES[0]
    rng = random.Random(1234)
    mutants = [blob[:n] for n in range(len(blob))]
    for _ in range(2000):
        mutant = bytearray(blob)
        for _ in range(rng.randint(1, 8)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        mutants.append(bytes(mutant))
    parsed = 0
    for mutant in mutants:
        try:
            parse_header(mutant)
            parsed += 1
        except RpmHeaderError:
            pass
    assert parsed > 0
    assert parse_header(blob)[1000] == "openssl-libs"


@pytest.mark.parametrize("content, reason", [
    (b"not a database at all", "not an SQLite database"),
    (None, "no Packages table"),
])
def test_a_database_that_is_not_an_rpmdb_is_noted(tmp_path: Path, content, reason) -> None:
    root = rhel_root(tmp_path, [])
    path = root / "var/lib/rpm/rpmdb.sqlite"
    if content is None:
        path.unlink()
        with sqlite3.connect(path) as db:        # a view named Packages: never queried
            db.execute("CREATE VIEW Packages AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r) "
                       "SELECT x AS hnum, x AS blob FROM r")
        db.close()
    else:
        path.write_bytes(content)
    _, facts = read_input(str(root))
    assert facts.components == []
    assert any(reason in n and "rpmdb.sqlite" in n for n in facts.notes)


def write_bdb(path: Path, blobs: list[bytes]) -> Path:
    """A Berkeley DB hash Packages file written by libdb itself (db5.3_load), keyed as rpm keys it."""
    tool = shutil.which("db5.3_load") or shutil.which("db_load")
    if tool is None:
        pytest.skip("db_load is not installed (apt-get install db5.3-util)")
    lines = ["VERSION=3", "format=bytevalue", "type=hash", "db_pagesize=4096", "HEADER=END",
             " " + struct.pack("<I", 0).hex(), " " + struct.pack("<I", len(blobs) + 1).hex()]
    for number, blob in enumerate(blobs, 1):
        lines += [" " + struct.pack("<I", number).hex(), " " + blob.hex()]
    dump = path.with_suffix(".dump")
    dump.write_text("\n".join([*lines, "DATA=END"]) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-f", str(dump), str(path)], check=True, capture_output=True, timeout=60)
    dump.unlink()
    return path


def test_berkeley_db_packages_of_rhel8_read_like_the_sqlite_rpmdb(tmp_path: Path) -> None:
    big = package("kernel-core", "4.18.0", "513.el8", license_="GPLv2 " + "x" * 9000)   # spans 3 overflow pages
    root = rhel_root(tmp_path, [])
    (root / "var/lib/rpm/rpmdb.sqlite").unlink()
    write_bdb(root / "var/lib/rpm/Packages", [*UBI_PACKAGES, big])
    _, bdb = read_input(str(root))
    _, sqlite = read_input(str(rhel_root(tmp_path / "sqlite", [*UBI_PACKAGES, big])))
    assert sorted(c.purl for c in bdb.components) == sorted(c.purl for c in sqlite.components)
    assert len(bdb.components) == 5 and not any("rpm" in n for n in bdb.notes)
    assert {c.evidence[0].pointer for c in bdb.components if c.name == "bash"} == {
        "rootfs:/var/lib/rpm/Packages key 2"}


def test_damaged_berkeley_db_never_escapes_as_a_traceback(tmp_path: Path) -> None:
    clean = write_bdb(tmp_path / "Packages", UBI_PACKAGES).read_bytes()
    rng = random.Random(99)
    from scc.facts.image.rpmdb_bdb import bdb_blobs

    for _ in range(300):
        mutant = bytearray(clean)
        for _ in range(rng.randint(1, 16)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        try:
            for _, blob in bdb_blobs(bytes(mutant), "Packages"):
                if isinstance(blob, bytes):
                    try:
                        parse_header(blob)
                    except RpmHeaderError:
                        pass
        except RpmHeaderError:
            pass


@pytest.mark.parametrize("path, content, note", [
    ("var/lib/rpm/Packages", b"\0" * 12 + struct.pack("<I", 0x061561) + b"\0" * 4080,
     "rpm database /var/lib/rpm/Packages (Berkeley DB) could not be read (not a Berkeley DB hash database)"),
    ("usr/lib/sysimage/rpm/Packages.db", b"RpmP" + b"\0" * 100,
     "rpm database format ndb (/usr/lib/sysimage/rpm/Packages.db) not read; give an SBOM"),
])
def test_unreadable_rpm_databases_are_noted(tmp_path: Path, path: str, content: bytes, note: str) -> None:
    root = rhel_root(tmp_path, [])
    (root / "var/lib/rpm/rpmdb.sqlite").unlink()
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(content)
    _, facts = read_input(str(root))
    assert facts.components == []
    assert any(note in n for n in facts.notes), facts.notes


def test_temporary_copy_is_removed(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    _, facts = read_input(str(rhel_root(tmp_path, UBI_PACKAGES)))
    assert len(facts.components) == 4
    assert list(work.iterdir()) == []


# -- a real rpm database, written by rpm itself --------------------------------------------------------
SPEC = """Name: {name}
Version: {version}
Release: {release}
{epoch}Summary: scc test package
License: {license}
Vendor: Example Corp
BuildArch: noarch
%description
test
%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo hi > %{{buildroot}}/usr/share/{name}/hello
%files
/usr/share/{name}/hello
"""
REAL = [("scc-alpha", "1.2.3", "4.el9", "Epoch: 2\n", "MIT AND Apache-2.0"), ("scc-beta", "0.9", "1", "", "GPL-2.0-or-later")]


@pytest.fixture(scope="module")
def real_rpm_root(tmp_path_factory) -> Path:
    if not (shutil.which("rpm") and shutil.which("rpmbuild")):
        pytest.skip("rpm / rpmbuild not installed (apt-get install rpm)")
    work = tmp_path_factory.mktemp("rpm")
    root = work / "root"
    dbpath = root / "var/lib/rpm"
    dbpath.mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "usr").mkdir()
    (root / "etc/os-release").write_bytes(OS_RELEASE)
    built = []
    for name, version, release, epoch, license_ in REAL:
        spec = work / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, version=version, release=release, epoch=epoch, license=license_))
        run = subprocess.run(["rpmbuild", "-bb", "--define", f"_topdir {work / 'top'}", str(spec)],
                             check=False, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            pytest.skip(f"rpmbuild failed: {run.stderr[-200:]}")
        built.append(str(next((work / "top/RPMS/noarch").glob(f"{name}-{version}*.rpm"))))
    for args in (["--initdb"], ["-i", "--justdb", "--nodeps", "--ignorearch", *built]):
        run = subprocess.run(["rpm", "--dbpath", str(dbpath), *args], check=False, capture_output=True, text=True,
                             timeout=120)
        if run.returncode != 0 or not (dbpath / "rpmdb.sqlite").is_file():
            pytest.skip(f"rpm could not write an sqlite rpmdb: {run.stderr[-200:]}")
    return root


def test_a_real_rpmdb_written_by_rpm_reads_as_rpm_queries_it(real_rpm_root: Path) -> None:
    query = subprocess.run(["rpm", "--dbpath", str(real_rpm_root / "var/lib/rpm"), "-qa", "--qf",
                            "%{NAME}|%{EPOCHNUM}|%{EPOCH}|%{VERSION}-%{RELEASE}|%{LICENSE}|%{VENDOR}|%{SOURCERPM}\\n"],
                           check=True, capture_output=True, text=True, timeout=60)
    expected = set()
    for line in query.stdout.splitlines():
        name, _, epoch, evr, license_, vendor, source = line.split("|")
        expected.add((name, evr if epoch == "(none)" else f"{epoch}:{evr}", license_, vendor, source))
    assert len(expected) == len(REAL)
    _, facts = read_input(str(real_rpm_root))
    got = {(c.name, c.version, c.licenses[0], c.supplier, dict(q.split("=") for q in c.purl.split("?")[1].split("&"))
            ["upstream"]) for c in facts.components}
    assert got == expected


def test_syft_reads_the_same_rpm_keys(real_rpm_root: Path) -> None:
    if not shutil.which("syft"):
        pytest.skip("syft is not installed")
    run = subprocess.run(["syft", f"dir:{real_rpm_root}", "-o", "syft-json", "--quiet"], check=False,
                         capture_output=True, text=True, timeout=300, env=tool_env())
    if run.returncode != 0:
        pytest.skip(f"syft failed: {run.stderr[-200:]}")
    syft = [a for a in json.loads(run.stdout)["artifacts"] if a["type"] == "rpm"]
    _, facts = read_input(str(real_rpm_root))
    assert len(syft) == len(REAL)
    assert sorted(c.purl for c in facts.components) == sorted(a["purl"] for a in syft)
    assert sorted(c.version for c in facts.components) == sorted(a["version"] for a in syft)
