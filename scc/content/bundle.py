"""Carrying content across an air gap: export a verified bundle, import a bundle or a directory.

Nothing reaches the cache until every file has been checked: a bundle's (or exported directory's)
files against its own lock, a plain directory's files by recognising their content, and every file
against the pins scc ships (scc/content/pins.py): a release scc has no pin for, or a pinned
release with other bytes, is refused unless the user passes ``accept_new``. Tar members must be
regular files with plain relative names; a tampered file is refused with its name. Import and
export hold the cache lock, so concurrent runs serialise and no lock entry is lost.
"""
from __future__ import annotations

import gzip
import io
import os
import tarfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from scc.atomic import write_bytes_atomic
from scc.content.lock import (
    LOCK_NAME,
    MAX_FILE_BYTES,
    LockEntry,
    accepted_hashes,
    cache_lock,
    check_bytes,
    lock_bytes,
    parse_lock,
    read_capped,
    sha256_bytes,
    write_lock,
)
from scc.content.pins import Verdict, check_pin
from scc.content.recognise import recognise, recognise_zip
from scc.content.registry import BY_NAME, Source
from scc.content.store import ContentStore
from scc.errors import ContentError

MAX_BUNDLE_MEMBERS = 64
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
MAX_SCAN_FILES = 2000
EXPORT_MTIME = 0


@dataclass(frozen=True)
class Candidate:
    """A file about to be imported: which source it is, where it came from, and its bytes."""

    source: Source
    origin: str
    data: bytes
    entry: LockEntry | None = None      # the bundle's lock entry, when it came with one


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- export ----------------------------------------------------------------------------------

def export_bundle(store: ContentStore, target: str | os.PathLike[str], names: list[str] | None = None,
                  notify=None) -> list[str]:
    """Write a deterministic tar.gz of the cached files and their lock; refuses a cache that fails verify."""
    with cache_lock(store.directory, notify=notify):
        return _export(store, target, names)


def _export(store: ContentStore, target: str | os.PathLike[str], names: list[str] | None) -> list[str]:
    problems = store.verify()
    if problems:
        raise ContentError(f"refusing to export: {problems[0]}")
    lock = store.lock()
    chosen = sorted(names or lock)
    unknown = [n for n in chosen if n not in lock]
    if unknown:
        raise ContentError(f"cannot export {', '.join(unknown)}: not in {store.directory}")
    if not chosen:
        raise ContentError(f"nothing to export: {store.directory} holds no content")
    entries = {name: lock[name] for name in chosen}
    files = [(LOCK_NAME, lock_bytes(entries))]
    files += sorted((entries[n].file, store.read_verified(n) or b"") for n in chosen)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member_name, data in files:
            info = tarfile.TarInfo(member_name)
            info.size, info.mtime, info.mode = len(data), EXPORT_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=EXPORT_MTIME) as stream:
        stream.write(raw.getvalue())
    write_bytes_atomic(target, compressed.getvalue())
    return chosen


# --- import ----------------------------------------------------------------------------------

def import_content(store: ContentStore, paths: list[str | os.PathLike[str]], *, accept_new: bool = False,
                   notify=None) -> list[LockEntry]:
    """Check every given bundle / directory / file, then copy the recognised sources into the cache.

    Every file must be a release scc has pinned, one the user accepted before, or ``accept_new``
    must be given; ``notify`` receives one line per file accepted as new (with its sha256).
    """
    candidates: dict[str, Candidate] = {}
    for raw_path in paths:
        for candidate in _candidates(Path(raw_path)):
            previous = candidates.get(candidate.source.name)
            if previous is not None and sha256_bytes(previous.data) != sha256_bytes(candidate.data):
                raise ContentError(f"{candidate.origin} and {previous.origin} are both {candidate.source.name} "
                                   "with different contents; import one of them")
            candidates[candidate.source.name] = candidate
    if not candidates:
        raise ContentError(f"no official content recognised in {', '.join(map(str, paths))}")
    with cache_lock(store.directory, notify=notify):
        lock = store.lock()
        verdicts = {name: check_pin(name, c.source.kind, c.data, c.origin, accept_new=accept_new,
                                    accepted=accepted_hashes(lock, name))
                    for name, c in sorted(candidates.items())}
        for verdict in verdicts.values():
            if verdict.note and notify is not None:
                notify(verdict.note)
        return _install(store, candidates, verdicts, lock)


def _install(store: ContentStore, candidates: dict[str, Candidate], verdicts: dict[str, Verdict],
             lock: dict[str, LockEntry]) -> list[LockEntry]:
    installed: list[LockEntry] = []
    when = now_utc()
    for name in sorted(candidates):
        candidate = candidates[name]
        source = candidate.source
        kept = candidate.entry
        entry = LockEntry(
            name=name, file=source.filename, sha256=sha256_bytes(candidate.data), size=len(candidate.data),
            url=kept.url if kept else source.url, retrieved=kept.retrieved if kept else when,
            origin=kept.origin if kept else "import", archive_sha256=kept.archive_sha256 if kept else "",
            release=verdicts[name].release, trust=verdicts[name].trust,
        )
        write_bytes_atomic(store.directory / source.filename, candidate.data)
        lock[name] = entry
        installed.append(entry)
    write_lock(store.directory, lock)
    store.forget()
    return installed


def _candidates(path: Path) -> list[Candidate]:
    if path.is_dir():
        if (path / LOCK_NAME).is_file():
            return _from_locked_dir(path)
        return _scan_directory(path)
    if not path.is_file():
        raise ContentError(f"{path}: no such file or directory")
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        return _from_bundle(path)
    return _recognised(path.name, str(path), read_capped(path))


def _recognised(name: str, origin: str, data: bytes) -> list[Candidate]:
    if data[:2] == b"PK":
        return [Candidate(s, where, member) for s, where, member in recognise_zip(data, origin)]
    source = recognise(data, name)
    return [Candidate(source, origin, data)] if source else []


def _scan_directory(directory: Path) -> list[Candidate]:
    found: list[Candidate] = []
    scanned = 0
    for root, dirs, files in os.walk(directory, followlinks=False):
        dirs.sort()
        for file_name in sorted(files):
            path = Path(root) / file_name
            if path.is_symlink() or not file_name.lower().endswith((".json", ".xml", ".zip")):
                continue
            scanned += 1
            if scanned > MAX_SCAN_FILES:
                raise ContentError(f"{directory}: more than {MAX_SCAN_FILES} files; point import at the content folder")
            if path.stat().st_size > MAX_FILE_BYTES * (4 if file_name.lower().endswith(".zip") else 1):
                continue
            found.extend(_recognised(file_name, str(path), path.read_bytes()))
    return found


def _checked(entries: dict[str, LockEntry], files: dict[str, bytes], where: str) -> list[Candidate]:
    """Each locked file checked against the bundle's lock and recognised as what the lock says."""
    out: list[Candidate] = []
    for name, entry in sorted(entries.items()):
        label = f"{where}: {entry.file}"
        if entry.file not in files:
            raise ContentError(f"{label}: listed in the bundle lock but not in the bundle")
        problem = check_bytes(entry, files[entry.file], label)
        if problem:
            raise ContentError(problem)
        source = BY_NAME[name]
        if recognise(files[entry.file], entry.file) is not source:
            raise ContentError(f"{label}: is not the {source.title} its lock entry claims; refused")
        out.append(Candidate(source, label, files[entry.file], replace(entry, origin="bundle")))
    return out


def _from_locked_dir(directory: Path) -> list[Candidate]:
    entries = parse_lock(read_capped(directory / LOCK_NAME), str(directory / LOCK_NAME))
    files = {e.file: read_capped(directory / e.file) for e in entries.values() if (directory / e.file).is_file()}
    return _checked(entries, files, str(directory))


def _from_bundle(path: Path) -> list[Candidate]:
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(path, mode="r:*") as tar:
            for index, info in enumerate(tar):
                if index >= MAX_BUNDLE_MEMBERS:
                    raise ContentError(f"{path}: more than {MAX_BUNDLE_MEMBERS} members; not an scc bundle")
                name = _member_name(path, info)
                total += info.size
                if info.size > MAX_FILE_BYTES or total > MAX_BUNDLE_BYTES:
                    raise ContentError(f"{path}: member {info.name!r} exceeds the size limit")
                stream = tar.extractfile(info)
                files[name] = stream.read(info.size + 1) if stream else b""
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise ContentError(f"{path}: not a readable bundle ({exc})") from exc
    if LOCK_NAME not in files:
        raise ContentError(f"{path}: bundle has no {LOCK_NAME}; cannot check its files")
    entries = parse_lock(files[LOCK_NAME], f"{path}!{LOCK_NAME}")
    return _checked(entries, files, str(path))


def _member_name(bundle: Path, info: tarfile.TarInfo) -> str:
    pure = PurePosixPath(info.name)
    if not info.isreg():
        raise ContentError(f"{bundle}: member {info.name!r} refused: only regular files are allowed")
    if pure.is_absolute() or ".." in pure.parts or len(pure.parts) != 1 or "\\" in info.name:
        raise ContentError(f"{bundle}: member {info.name!r} refused: names must be plain file names")
    return pure.name
