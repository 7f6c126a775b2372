"""A root filesystem as one tarball: `docker export` output, or a single image layer .tar/.tar.gz.

Claimed by content, from tar headers only (never the whole file): a plain tar, or a gzip (zstd when
the ``zstandard`` module exists) stream whose first few hundred member names sit in a filesystem
(etc/, usr/, bin/, lib/ ...) and that has no image-layout names at its top (oci-layout, index.json,
manifest.json: those are images, read by scc.facts.image.image_layout). A tar whose headers already show
path-traversal names, or whose first members inflate past the sniffing window (a possible bomb), is
claimed too, so the layer guards, not a vague "unknown format", decide and say why.

It is applied as one layer (scc.facts.image.layers.apply_layer: in memory, traversal and link escapes
skipped with a note, byte/file/ratio caps) and scanned like any image filesystem. A tar that turns
out to hold no filesystem (every entry skipped, or no system directory at its top) is refused.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zlib
from typing import BinaryIO

from scc.facts.image.image_archive import _IMAGE_TOP_NAMES
from scc.facts.image.layers import GZIP_MAGIC, ZSTD_MAGIC, Budget, apply_layer
from scc.facts.image.rootfs import facts_from_filesystem, input_file
from scc.facts.image.vfs import VirtualFS, clean_member_name
from scc.facts.interface import Reader
from scc.facts.model import ImageFacts
from scc.facts.source import InputDocument

#: top-level names of a Linux root filesystem (or of a layer written over one)
FILESYSTEM_TOP = frozenset({
    "bin", "sbin", "etc", "usr", "lib", "lib32", "lib64", "libx32", "var", "opt", "root", "home", "srv",
    "run", "tmp", "boot", "mnt", "media", "proc", "sys", "dev", "nix", "app", ".dockerenv",
})
_SNIFF_MEMBERS = 400                    # headers looked at before deciding
_SNIFF_INFLATE = 32 * 1024 * 1024       # compressed inputs: at most this much inflated while sniffing
_EARLY = 8                              # a window exhausted within this many headers: claimed (bomb?)


class _SniffWindowExhausted(Exception):
    pass


class _Window(io.RawIOBase):
    """At most ``limit`` bytes of ``raw``; reading past it raises (the sniff gives up there)."""

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        self.raw, self.left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.left <= 0:
            raise _SniffWindowExhausted
        data = self.raw.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def _decompressed(handle: BinaryIO, head: bytes) -> BinaryIO | None:
    if head[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    if head == ZSTD_MAGIC:
        try:
            import zstandard  # type: ignore[import-not-found]
        except ImportError:
            return None
        return zstandard.ZstdDecompressor().stream_reader(handle)  # type: ignore[no-any-return]
    return handle


def sniff_member_names(path: str) -> tuple[list[str], bool] | None:
    """(first member names, whether the inflation window ran out first), or None when not a tar."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        stream = _decompressed(handle, head)
        if stream is None:
            return None
        window = io.BufferedReader(_Window(stream, _SNIFF_INFLATE), 64 * 1024)
        if window.peek(512)[257:262] != b"ustar":
            return None
        names: list[str] = []
        try:
            with tarfile.open(fileobj=window, mode="r|") as tar:
                for member in tar:
                    names.append(member.name)
                    if len(names) >= _SNIFF_MEMBERS:
                        return names, False
            while window.read(1024 * 1024):    # past the end-of-archive blocks: a bomb hides here too
                pass
        except _SniffWindowExhausted:
            return names, True
        except (tarfile.TarError, OSError, EOFError):
            return (names, False) if names else None
        return names, False


def _top(name: str) -> str | None:
    clean = clean_member_name(name)
    return clean.split("/", 1)[0] if clean else clean


def looks_like_rootfs_tar(names: list[str], exhausted: bool) -> bool:
    tops = [_top(n) for n in names]
    if any(t in _IMAGE_TOP_NAMES for t in tops if t):
        return False
    if any(t in FILESYSTEM_TOP for t in tops if t):
        return True
    if any(t is None for t in tops):          # '../' or absolute names: a hostile layer, refused by read()
        return True
    return exhausted and len(names) < _EARLY


class _Hashing(io.RawIOBase):
    """The input file, hashed (sha256) and counted as it is read."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


class RootfsTarReader(Reader):
    """A tarball of a root filesystem (docker export) or one image layer, given directly."""

    format = "rootfs-tar"

    def sniff(self, doc: InputDocument) -> bool:
        if doc.is_dir:
            return False
        try:
            found = sniff_member_names(str(doc.path))
        except (OSError, EOFError, ValueError, zlib.error, tarfile.TarError):
            return False    # a corrupt gzip/zstd stream, or not readable: not claimed here
        return found is not None and looks_like_rootfs_tar(*found)

    def read(self, doc: InputDocument) -> ImageFacts:
        fs = VirtualFS()
        with open(doc.path, "rb") as raw:
            source = _Hashing(raw)
            apply_layer(fs, source, 0, Budget(doc.context.image_limits), "rootfs tar", doc.fail)   # type: ignore[arg-type]
            while source.read(1024 * 1024):      # trailing bytes too: the digest covers the whole file
                pass
        doc.__dict__["sha256"] = source.sha256.hexdigest()   # never doc.data: the tar may exceed the input cap
        _require_filesystem(doc, fs)
        facts = facts_from_filesystem(fs, doc, doc.display_path)
        facts.inputs = [input_file(doc, self.format, facts, doc.sha256, source.size)]
        return facts


def _require_filesystem(doc: InputDocument, fs: VirtualFS) -> None:
    assert fs.root.children is not None
    tops = sorted(fs.root.children)
    if any(name in FILESYSTEM_TOP for name in tops):
        return
    if not tops:
        why = " ".join("; ".join(fs.notes).split())[:300] or "the tar has no entries"
        raise doc.fail(f"no root filesystem in this tar ({why})")
    shown = " ".join(", ".join(tops[:5]).split())[:300] + (f" and {len(tops) - 5} more" if len(tops) > 5 else "")
    raise doc.fail(f"tar holds no root filesystem (nothing under /etc, /usr, /bin, /lib ...; top level: {shown})")


READER = RootfsTarReader()
