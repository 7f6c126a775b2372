"""Safe layer application: image layers become an in-memory virtual filesystem, never files on disk.

Each layer tar is streamed once (gzip, zstd when the ``zstandard`` module exists, or plain tar),
its uncompressed digest computed on the way (the config's diff_id), and its entries applied over
the lower layers with OCI whiteouts (``.wh.<name>`` deletes, ``.wh..wh..opq`` empties a directory).
Nothing is extracted: names, modes, owners and link targets are kept for every entry, and bytes
only for the few small files the facts need (see scc.facts.image.vfs.capture). Absolute names, '..'
components, entries below a symlink, device files and dangling hardlinks are skipped with a note.
Caps (total bytes, file count, compression ratio, header size) stop decompression bombs early.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from scc.errors import InputError
from scc.facts.context import ImageLimits as Limits
from scc.facts.image.vfs import Node, VirtualFS, capture, clean_member_name

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_HEADER_SLACK = 16 * 1024 * 1024     # pax / GNU long-name headers larger than this are refused
_RATIO_FLOOR = 64 * 1024 * 1024      # the ratio guard applies once this much has been inflated


def ratio_exceeded(inflated: int, compressed: int, limits: Limits) -> bool:
    """Whether ``inflated`` bytes from ``compressed`` break the ratio cap (checked past a 64 MiB floor)."""
    return inflated > _RATIO_FLOOR and inflated > limits.max_ratio * max(compressed, 1)


@dataclass
class Budget:
    """Running totals over all layers of one image, checked against the limits."""

    limits: Limits = field(default_factory=Limits)   # readers pass doc.context.image_limits
    bytes: int = 0
    files: int = 0


class CountingReader(io.RawIOBase):
    """Counts the compressed bytes drawn from the blob (for the ratio guard)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


class LayerStream(io.RawIOBase):
    """The uncompressed layer bytes: hashed, counted against the budget, read in bounded windows."""

    def __init__(self, blob: BinaryIO, budget: Budget, label: str, fail: Callable[[str], InputError]) -> None:
        head = blob.read(4)
        rest = io.BufferedReader(_Prefixed(head, blob), 1024 * 1024)
        self.compressed = CountingReader(rest)
        self.kind = "gzip" if head[:2] == GZIP_MAGIC else "zstd" if head == ZSTD_MAGIC else "tar"
        self.inner = self._decompressor(fail, label)
        self.budget, self.label, self.fail = budget, label, fail
        self.sha256 = hashlib.sha256()
        self.count = 0
        self.window_end: int | None = None

    def _decompressor(self, fail: Callable[[str], InputError], label: str) -> BinaryIO:
        if self.kind == "gzip":
            return gzip.GzipFile(fileobj=io.BufferedReader(self.compressed, 256 * 1024))  # type: ignore[arg-type]
        if self.kind == "zstd":
            try:
                import zstandard  # type: ignore[import-not-found]
            except ImportError:
                raise fail(f"{label}: zstd-compressed layer, but the 'zstandard' module is not installed "
                           "(pip install zstandard)") from None
            return zstandard.ZstdDecompressor().stream_reader(self.compressed)  # type: ignore[no-any-return]
        return io.BufferedReader(self.compressed, 256 * 1024)  # type: ignore[arg-type]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        want = len(buffer)
        if self.window_end is not None:
            want = min(want, max(self.window_end - self.count, 0))
            if want == 0:
                raise self.fail(f"{self.label}: a tar header claims more than {_HEADER_SLACK} bytes; refused")
        try:
            data = self.inner.read(want)
        except (OSError, EOFError, zlib.error) as exc:
            raise self.fail(f"{self.label}: corrupt {self.kind} stream ({exc})") from exc
        n = len(data)
        buffer[:n] = data
        self._account(n)
        self.sha256.update(data)
        return n

    def _account(self, n: int) -> None:
        self.count += n
        self.budget.bytes += n
        limits = self.budget.limits
        if self.budget.bytes > limits.max_bytes:
            raise self.fail(f"{self.label}: image inflates past the {limits.max_bytes}-byte cap "
                            "(SCC_MAX_IMAGE_BYTES); refused as a possible decompression bomb")
        if self.kind != "tar" and ratio_exceeded(self.count, self.compressed.count, limits):
            raise self.fail(f"{self.label}: inflates more than {limits.max_ratio}:1 (SCC_MAX_LAYER_RATIO); "
                            "refused as a decompression bomb")

    def drain(self) -> None:
        """Read to the end (trailing zero blocks too) so the digest covers every byte and caps apply."""
        self.window_end = None
        while self.read(1024 * 1024):
            pass


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self.head, self.raw = head, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


@dataclass
class _LayerChanges:
    entries: list[tuple[str, Node]] = field(default_factory=list)
    whiteouts: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, why: str, name: str) -> None:
        self.skipped.setdefault(why, []).append(name)


def apply_layer(fs: VirtualFS, blob: BinaryIO, index: int, budget: Budget, label: str,
                fail: Callable[[str], InputError]) -> str:
    """Apply one layer blob over ``fs``; returns the diff_id ('sha256:<hex>' of the uncompressed tar)."""
    stream = LayerStream(blob, budget, label, fail)
    changes = _LayerChanges()
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
            _read_members(tar, stream, fs, index, budget, changes, label, fail)
        stream.drain()
    except tarfile.TarError as exc:
        raise fail(f"{label}: not a readable tar layer ({exc})") from exc
    _merge(fs, changes, index)
    for why, names in changes.skipped.items():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        fs.notes.append(f"{label}: skipped {len(names)} entr{'y' if len(names) == 1 else 'ies'} ({why}): {shown}")
    return "sha256:" + stream.sha256.hexdigest()


def _read_members(tar: tarfile.TarFile, stream: LayerStream, fs: VirtualFS, index: int, budget: Budget,
                  changes: _LayerChanges, label: str, fail: Callable[[str], InputError]) -> None:
    pending: dict[str, Node] = {}
    end = 0   # where the previous member's data ends: headers may not read far past it
    while True:
        stream.window_end = end + _HEADER_SLACK
        member = tar.next()
        stream.window_end = None
        if member is None:
            return
        end = member.offset_data + (-(-member.size // 512) * 512 if member.isreg() else 0)
        budget.files += 1
        if budget.files > budget.limits.max_files:
            raise fail(f"{label}: image holds more than {budget.limits.max_files} entries (SCC_MAX_IMAGE_FILES)")
        if member.isreg() and budget.bytes + member.size > budget.limits.max_bytes:
            raise fail(f"{label}: {member.name!r} declares {member.size} bytes, past the "
                       f"{budget.limits.max_bytes}-byte cap (SCC_MAX_IMAGE_BYTES)")
        node = _member_node(tar, member, fs, index, pending, changes)
        if node is not None:
            path = clean_member_name(member.name)
            assert path is not None
            pending[path] = node
            changes.entries.append((path, node))


def _member_node(tar: tarfile.TarFile, member: tarfile.TarInfo, fs: VirtualFS, index: int,
                 pending: dict[str, Node], changes: _LayerChanges) -> Node | None:
    path = clean_member_name(member.name)
    if path is None:
        changes.skip("absolute path or '..' component", member.name)
        return None
    if path == "":
        return None  # the layer's own root "./"
    parent, _, base = path.rpartition("/")
    if base == ".wh..wh..opq":
        changes.opaque.append(parent)
        return None
    if base.startswith(".wh."):
        changes.whiteouts.append(f"{parent}/{base[4:]}" if parent else base[4:])
        return None
    common = {"mode": member.mode & 0o7777, "uid": member.uid, "gid": member.gid, "layer": index}
    if member.isdir():
        return Node("dir", children={}, **common)
    if member.issym():
        return Node("symlink", linkname=member.linkname, **common)
    if member.islnk():
        return _hardlink(member, fs, pending, changes, common)
    if member.isreg():
        node = Node("file", size=member.size, **common)
        handle = tar.extractfile(member)
        if handle is not None:
            capture(path, node, handle)
        return node
    changes.skip("device, fifo or other special file", path)
    return None


def _hardlink(member: tarfile.TarInfo, fs: VirtualFS, pending: dict[str, Node], changes: _LayerChanges,
              common: dict[str, int]) -> Node | None:
    target_path = clean_member_name(member.linkname)
    target = None
    if target_path:
        target = pending.get(target_path) or fs.lookup(target_path, follow=False)
    if target is None or target.kind != "file":
        changes.skip("hardlink to a path not already in the image", f"{member.name} => {member.linkname}")
        return None
    return Node("file", size=target.size, content=target.content, markers=target.markers,
                buildinfo=target.buildinfo, linkname="", hardlink=target_path or "", **common)


def _merge(fs: VirtualFS, changes: _LayerChanges, index: int) -> None:
    """Overlay one layer's changes: whiteouts and opaque markers hide lower entries only."""
    for directory in changes.opaque:
        node = fs.lookup(directory, follow=False)
        if node is not None and node.kind == "dir" and node.children is not None:
            for name in [n for n, child in node.children.items() if child.layer < index]:
                del node.children[name]
    for path in changes.whiteouts:
        fs.remove(path, below_layer=index)
    for path, node in changes.entries:
        problem = fs.place(path, node)
        if problem:
            changes.skip(problem, path)
