"""The content lock file: for each cached source its file, sha256, size, source URL and retrieval time.

Every load checks the file against this record; a bundle carries its own lock so an air-gapped
import can check each file before it is used. ``cache_lock`` serialises every run that changes the
cache (fetch, import) or reads it whole (export) with an exclusive fcntl lock, so two concurrent
runs never lose each other's entries.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scc.atomic import write_bytes_atomic
from scc.content.registry import BY_NAME
from scc.errors import ContentError

LOCK_NAME = "scc-content.lock.json"
LOCK_FORMAT = "scc-content-lock/1"
FLOCK_NAME = ".scc-content.flock"      # the file the exclusive cache lock is taken on
FLOCK_WAIT = 600.0                     # seconds a run waits for another run's lock before giving up
MAX_FILE_BYTES = 64 * 1024 * 1024      # the full rev5 catalog is 10 MB; DISA benchmarks are < 5 MB


@dataclass(frozen=True)
class LockEntry:
    name: str
    file: str
    sha256: str
    size: int
    url: str
    retrieved: str               # ISO 8601 UTC time the bytes were downloaded or imported
    origin: str = "fetch"        # fetch | import | bundle
    archive_sha256: str = ""     # sha256 of the downloaded zip the file came out of
    release: str = ""            # the release as stated inside the file (V3R2, 5.2.0, 2022-03-09)
    trust: str = ""              # pinned (sha256 shipped with scc) | accepted (--accept-new by the user)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("name")
        return data


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_lock(data: bytes, where: str) -> dict[str, LockEntry]:
    """Entries of a lock file, refusing names outside the registry and files not named as the registry says."""
    try:
        document = json.loads(data)
        sources = document["sources"]
        if document.get("format") != LOCK_FORMAT or not isinstance(sources, dict):
            raise ValueError(f"format is not {LOCK_FORMAT}")
        entries = {name: _entry(name, raw) for name, raw in sources.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ContentError(f"{where}: not a valid content lock file ({exc})") from exc
    for name, entry in entries.items():
        source = BY_NAME.get(name)
        if source is None:
            raise ContentError(f"{where}: unknown content source {name!r}")
        if entry.file != source.filename:
            raise ContentError(f"{where}: {name} must be stored as {source.filename}, not {entry.file!r}")
    return entries


def _entry(name: str, raw: dict[str, Any]) -> LockEntry:
    sha = str(raw["sha256"]).lower()
    if len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha):
        raise ValueError(f"{name}: sha256 is not 64 hex digits")
    size = raw["size"]
    if not isinstance(size, int) or size < 0:
        raise ValueError(f"{name}: size must be a non-negative integer")
    return LockEntry(
        name=name, file=str(raw["file"]), sha256=sha, size=size, url=str(raw.get("url", "")),
        retrieved=str(raw.get("retrieved", "")), origin=str(raw.get("origin", "fetch")),
        archive_sha256=str(raw.get("archive_sha256", "")), release=str(raw.get("release", "")),
        trust=str(raw.get("trust", "")),
    )


def read_lock(directory: Path) -> dict[str, LockEntry]:
    path = directory / LOCK_NAME
    if not path.is_file():
        return {}
    return parse_lock(path.read_bytes(), str(path))


def lock_bytes(entries: dict[str, LockEntry]) -> bytes:
    document = {
        "format": LOCK_FORMAT,
        "sources": {name: entries[name].to_json() for name in sorted(entries)},
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def write_lock(directory: Path, entries: dict[str, LockEntry]) -> Path:
    return write_bytes_atomic(directory / LOCK_NAME, lock_bytes(entries))


def accepted_hashes(entries: dict[str, LockEntry], name: str) -> frozenset[str]:
    """The sha256 the user accepted for ``name`` with --accept-new earlier (empty when none)."""
    entry = entries.get(name)
    return frozenset({entry.sha256}) if entry is not None and entry.trust == "accepted" else frozenset()


@contextmanager
def cache_lock(directory: Path, wait: float = FLOCK_WAIT, notify=None) -> Iterator[None]:
    """Hold an exclusive lock on the cache directory: a second run waits (up to ``wait`` s), then fails."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = os.open(directory / FLOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ContentError(f"{directory}: cannot lock the content cache: {exc.strerror or exc}") from exc
    try:
        _acquire(handle, directory, wait, notify)
        yield
    finally:
        os.close(handle)    # closing the descriptor releases the lock


def _acquire(handle: int, directory: Path, wait: float, notify) -> None:
    import fcntl

    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise ContentError(f"{directory}: another scc content run holds the cache lock; "
                                   f"gave up after {wait:.0f} s") from None
            if notify is not None and not told:
                notify(f"waiting for another scc content run on {directory}")
                told = True
            time.sleep(0.05)


def check_bytes(entry: LockEntry, data: bytes, where: str) -> str | None:
    """A one-line problem if the bytes are not the ones the lock recorded, else None."""
    if len(data) != entry.size:
        return f"{where}: size {len(data)} differs from the lock ({entry.size}); refused as tampered or changed"
    if sha256_bytes(data) != entry.sha256:
        return f"{where}: sha256 differs from the lock; refused as tampered or changed"
    return None


def read_capped(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    if path.is_symlink():
        raise ContentError(f"{path}: is a symbolic link; content files must be regular files")
    size = path.stat().st_size
    if size > limit:
        raise ContentError(f"{path}: {size} bytes exceeds the {limit} byte limit for content files")
    return path.read_bytes()
