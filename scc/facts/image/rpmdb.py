"""Installed rpm packages from an image's rpm database (RHEL, UBI, Iron Bank, Fedora, SUSE images).

rpm >= 4.16 keeps its database in SQLite (var/lib/rpm/rpmdb.sqlite, or usr/lib/sysimage/rpm/ on
newer distributions): table Packages(hnum, blob), each blob one package header in rpm's "header
blob" layout (no lead, no magic): big-endian int32 index count and data size, that many 16-byte
index entries (tag, type, offset, count), then the data store. Every offset is bounds-checked; a
corrupt header is skipped with a note. The database bytes (kept by scc.facts.image.vfs up to a cap) are
written to a private temporary file, opened read-only and immutable with an untrusted schema and a
time limit, and removed afterwards. The Berkeley DB ``Packages`` file (RHEL <= 8) is read by
scc.facts.image.rpmdb_bdb; the SUSE ndb ``Packages.db`` is noted, not read.

purls follow the purl spec for rpm and what syft writes: pkg:rpm/<distro>/<name>@<version>-<release>
?arch=..&epoch=..&upstream=<source rpm>&distro=<id>-<version_id> (the epoch is a qualifier, and part
of the Component version as ``epoch:version-release``); the namespace is the os-release ID, with
rhel written as redhat.
"""
from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Iterator
from urllib.parse import quote

from scc.facts.image.rpmdb_bdb import RpmHeaderError, bdb_blobs
from scc.facts.image.vfs import VirtualFS
from scc.facts.model import Component
from scc.facts.source import InputDocument

SQLITE_PATHS = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
BDB_PATHS = ("var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages")
NDB_PATHS = ("var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db")

TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH = 1000, 1001, 1002, 1003
TAG_VENDOR, TAG_LICENSE, TAG_ARCH, TAG_SOURCERPM = 1011, 1014, 1022, 1044
_WANTED = frozenset({TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_VENDOR, TAG_LICENSE, TAG_ARCH,
                     TAG_SOURCERPM})
_INT32, _STRING, _STRING_ARRAY, _I18NSTRING = 4, 6, 8, 9
_MAX_INDEX = 1 << 20                 # rpm's own hdrchkTags limit is 0x00ffffff; real headers hold < 1k
_MAX_HEADER = 64 * 1024 * 1024       # one package header
_MAX_ROWS = 200_000
_QUERY_SECONDS = 30
_SQLITE_MAGIC = b"SQLite format 3\x00"
_NAMESPACES = {"rhel": "redhat", "hummingbird": "redhat"}


def parse_header(blob: bytes) -> dict[int, str | int]:
    """The wanted tags of one header blob: strings for string tags, an int for EPOCH."""
    if len(blob) < 8:
        raise RpmHeaderError(f"{len(blob)} bytes, shorter than the 8-byte preamble")
    count, data_size = struct.unpack_from(">ii", blob, 0)
    if not 0 < count <= _MAX_INDEX or data_size < 0:
        raise RpmHeaderError(f"index count {count} / data size {data_size} out of range")
    store = 8 + 16 * count
    if store + data_size > len(blob):
        raise RpmHeaderError(f"declares {store + data_size} bytes but holds {len(blob)}")
    data = memoryview(blob)[store:store + data_size]
    values: dict[int, str | int] = {}
    for i in range(count):
        tag, kind, offset, items = struct.unpack_from(">iiii", blob, 8 + 16 * i)
        if tag not in _WANTED or tag in values:
            continue
        if not 0 <= offset < data_size:
            raise RpmHeaderError(f"tag {tag}: offset {offset} outside the {data_size}-byte data store")
        if kind == _INT32:
            if items < 1 or offset + 4 > data_size:
                raise RpmHeaderError(f"tag {tag}: INT32 past the data store")
            values[tag] = struct.unpack_from(">i", data, offset)[0]
        elif kind in (_STRING, _STRING_ARRAY, _I18NSTRING):
            values[tag] = _string(data, offset, tag)
        else:
            raise RpmHeaderError(f"tag {tag}: unexpected type {kind}")
    return values


def _string(data: memoryview, offset: int, tag: int) -> str:
    raw = data[offset:].tobytes() if len(data) - offset <= 65536 else data[offset:offset + 65536].tobytes()
    end = raw.find(b"\0")
    if end < 0:
        raise RpmHeaderError(f"tag {tag}: string not terminated inside the data store")
    return raw[:end].decode("utf-8", errors="replace")


# -- the SQLite database -------------------------------------------------------------------------
def sqlite_blobs(data: bytes, label: str, workdir: str | None = None) -> Iterator[tuple[int, bytes]]:
    """(hnum, blob) of every row of Packages in the SQLite database ``data`` (raises sqlite3.Error,
    RpmHeaderError for a database that is not an rpmdb)."""
    if not data.startswith(_SQLITE_MAGIC):
        raise RpmHeaderError("not an SQLite database")
    scratch = tempfile.mkdtemp(prefix="scc-rpmdb-", dir=workdir)
    try:
        path = os.path.join(scratch, "rpmdb.sqlite")
        with open(path, "wb") as sink:
            sink.write(data)
        connection = sqlite3.connect(f"file:{quote(path)}?mode=ro&immutable=1", uri=True)
        try:
            yield from _rows(connection)
        finally:
            connection.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _rows(connection: sqlite3.Connection) -> Iterator[tuple[int, bytes]]:
    deadline = time.monotonic() + _QUERY_SECONDS
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    connection.execute("PRAGMA trusted_schema = OFF")
    connection.execute("PRAGMA query_only = ON")
    kind = connection.execute("SELECT type FROM sqlite_master WHERE name = 'Packages'").fetchone()
    if kind is None or kind[0] != "table":
        raise RpmHeaderError("no Packages table")
    for number, (hnum, blob) in enumerate(connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum")):
        if number >= _MAX_ROWS:
            raise RpmHeaderError(f"more than {_MAX_ROWS} packages")
        yield (hnum if isinstance(hnum, int) else -1), (blob if isinstance(blob, bytes) else b"")


# -- Components ----------------------------------------------------------------------------------
def rpm_packages(fs: VirtualFS, doc: InputDocument, os_release: dict[str, str]) -> list[Component]:
    """The installed rpm packages of ``fs`` (notes in fs.notes for what could not be read)."""
    for path in SQLITE_PATHS:
        if fs.lookup(path) is not None:
            return _from_sqlite(fs, doc, path, os_release)
    for path in BDB_PATHS:
        if fs.lookup(path) is not None:
            return _from_blobs(fs, doc, path, os_release, bdb_blobs, "Berkeley DB", "key")
    for path in NDB_PATHS:
        if fs.lookup(path) is not None:
            fs.notes.append(f"rpm database format ndb (/{path}) not read; give an SBOM for the rpm packages")
            break
    return []


def _from_sqlite(fs: VirtualFS, doc: InputDocument, path: str, os_release: dict[str, str]) -> list[Component]:
    wal = fs.lookup(path + "-wal")
    if wal is not None and wal.size > 0:
        fs.notes.append(f"/{path}-wal holds {wal.size} bytes not yet in the database; packages of the last "
                        "rpm transaction may be missing")
    rows = functools.partial(sqlite_blobs, workdir=doc.context.workdir)
    return _from_blobs(fs, doc, path, os_release, rows, "SQLite", "Packages hnum")


def _from_blobs(fs: VirtualFS, doc: InputDocument, path: str, os_release: dict[str, str], rows,
                kind: str, record: str) -> list[Component]:
    """Components from ``rows(data, path)``: (record number, header blob, or the RpmHeaderError
    that kept one record from being read)."""
    node = fs.lookup(path)
    data = node.content if node is not None and node.kind == "file" else None
    if data is None or node is None or len(data) < node.size:
        size = node.size if node is not None else 0
        fs.notes.append(f"rpm database /{path} ({size} bytes) is over the size scc reads; give an SBOM")
        return []
    found: list[Component] = []
    corrupt: list[str] = []
    try:
        for hnum, blob in rows(data, path):
            try:
                if isinstance(blob, RpmHeaderError):
                    raise blob
                component = _component(parse_header(blob), os_release, doc, f"rootfs:/{path} {record} {hnum}")
            except RpmHeaderError as exc:
                corrupt.append(f"hnum {hnum}: {exc}")
                continue
            if component is not None:
                found.append(component)
    except (sqlite3.Error, RpmHeaderError) as exc:
        fs.notes.append(f"rpm database /{path} ({kind}) could not be read ({exc}); "
                        f"{len(found)} packages read before it failed")
    if corrupt:
        fs.notes.append(f"rpm database /{path}: skipped {len(corrupt)} corrupt package header(s): "
                        + "; ".join(corrupt[:3]))
    return found


def _component(tags: dict[int, str | int], os_release: dict[str, str], doc: InputDocument,
               pointer: str) -> Component | None:
    name, version, release = (str(tags.get(t, "")) for t in (TAG_NAME, TAG_VERSION, TAG_RELEASE))
    if not name or not version:
        return None
    epoch = tags.get(TAG_EPOCH)
    epoch = epoch if isinstance(epoch, int) else None
    evr = f"{version}-{release}" if release else version
    full_version = f"{epoch}:{evr}" if epoch is not None else evr
    vendor, license_, arch, source = (str(tags.get(t, "")) for t in (TAG_VENDOR, TAG_LICENSE, TAG_ARCH,
                                                                        TAG_SOURCERPM))
    purl = rpm_purl(name, evr, arch, epoch, source, os_release)
    return Component(name, full_version, "rpm", purl, licenses=(license_,) if license_ else (),
                     supplier=vendor, evidence=[doc.evidence(pointer)])


def rpm_purl(name: str, version_release: str, arch: str, epoch: int | None, source_rpm: str,
             os_release: dict[str, str]) -> str:
    from packageurl import PackageURL

    distro = os_release.get("ID", "").strip().lower()
    namespace = "opensuse" if distro.startswith("opensuse") else _NAMESPACES.get(distro, distro)
    qualifiers = {"arch": arch} if arch else {}
    if epoch is not None:
        qualifiers["epoch"] = str(epoch)
    if source_rpm and source_rpm != "(none)":
        qualifiers["upstream"] = source_rpm
    if distro and os_release.get("VERSION_ID"):
        qualifiers["distro"] = f"{distro}-{os_release['VERSION_ID']}"
    return PackageURL(type="rpm", namespace=namespace or None, name=name, version=version_release,
                      qualifiers=qualifiers).to_string()
