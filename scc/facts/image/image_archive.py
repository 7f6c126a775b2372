"""Read-only access to the files of an image archive: a directory, a tar, or a gzipped tar.

Names are archive-relative ('index.json', 'blobs/sha256/<hex>'); a name with '..' or a leading
'/' is refused; in a directory no symlink is followed out of it; in a tar, symlink members (which
`docker save` writes for repeated layers) are resolved inside the tar only. A gzipped tar is
inflated once into a private temporary directory (under SCC_WORKDIR, else the system temp dir),
within the image byte cap and the layers' inflation-ratio cap, and removed when the archive is
closed, on every error path, on Ctrl-C, and on SIGTERM/SIGHUP (``scc.interrupts``: the
signal becomes an exception while the directory exists, so the cleanup runs and the signal is
then delivered again). Blobs are checked against their digest as they are read.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import posixpath
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast

from scc.errors import InputError
from scc.facts.context import ImageLimits
from scc.facts.image.vfs import clean_member_name

SMALL_FILE_CAP = 16 * 1024 * 1024    # index.json, manifests, configs
_TAR_SCAN_MEMBERS = 100_000
class Archive:
    """Files of an image archive by name."""

    def __init__(self, fail: Callable[[str], InputError]) -> None:
        self.fail = fail

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def close(self) -> None:
        """Release the archive (and its temporary directory, if any)."""

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            data = handle.read(SMALL_FILE_CAP + 1)
        if len(data) > SMALL_FILE_CAP:
            raise self.fail(f"{name}: over {SMALL_FILE_CAP} bytes; not an image manifest or config")
        return data

    def open_blob(self, digest: str) -> BinaryIO:
        """The blob for 'sha256:<hex>', checked against that digest when read to the end."""
        algorithm, _, hexdigest = digest.partition(":")
        if algorithm not in ("sha256", "sha512") or not hexdigest.isalnum():
            raise self.fail(f"unsupported or malformed digest {digest!r}")
        name = f"blobs/{algorithm}/{hexdigest}"
        if not self.exists(name):
            raise self.fail(f"blob {digest} is not in the archive ({name})")
        return cast(BinaryIO, VerifiedReader(self.open(name), algorithm, hexdigest, self.fail, name))


class VerifiedReader(io.RawIOBase):
    """Hashes what is read; at EOF the digest must match."""

    def __init__(self, raw: BinaryIO, algorithm: str, expected: str, fail, name: str) -> None:
        self.raw, self.hash, self.expected, self.fail, self.name = raw, hashlib.new(algorithm), expected, fail, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        if not data and self.hash.hexdigest() != self.expected:
            raise self.fail(f"{self.name}: content does not match its digest (corrupt or tampered blob)")
        buffer[:len(data)] = data
        self.hash.update(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


class DirectoryArchive(Archive):
    def __init__(self, root: str, fail: Callable[[str], InputError]) -> None:
        super().__init__(fail)
        self.root = os.path.realpath(root)

    def _path(self, name: str) -> str | None:
        rel = clean_member_name(name)
        if not rel:
            return None
        full = os.path.realpath(os.path.join(self.root, rel))
        if not full.startswith(self.root + os.sep) or not os.path.isfile(full):
            return None
        return full

    def exists(self, name: str) -> bool:
        return self._path(name) is not None

    def open(self, name: str) -> BinaryIO:
        path = self._path(name)
        if path is None:
            raise self.fail(f"{name}: missing from the image layout")
        return open(path, "rb")


class TarArchive(Archive):
    def __init__(self, path: str, fail: Callable[[str], InputError], workdir: str | None = None,
                 limits: ImageLimits | None = None) -> None:
        super().__init__(fail)
        self.tmp: str | None = None
        self.limits = limits or ImageLimits()
        if is_gzip(path):
            path = self._inflate(path, workdir)
        try:
            self.tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by close()
            members = self.tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            self.close()
            raise fail(f"not a readable tar archive ({exc})") from exc
        except BaseException:   # Ctrl-C or SIGTERM while listing: the inflated copy goes too
            self.close()
            raise
        self.members: dict[str, tarfile.TarInfo] = {}
        for member in members:
            name = clean_member_name(member.name)
            if name:
                self.members[name] = member

    def _inflate(self, path: str, workdir: str | None) -> str:
        self.tmp = tempfile.mkdtemp(prefix="scc-image-", dir=workdir)
        target = os.path.join(self.tmp, "image.tar")
        try:
            with open(path, "rb") as raw, open(target, "wb") as sink:
                self._inflate_into(raw, sink)
        except (OSError, EOFError, zlib.error) as exc:
            self.close()
            raise self.fail(f"corrupt gzip stream ({exc})") from exc
        except BaseException:   # InputError, KeyboardInterrupt, Terminated: nothing is left behind
            self.close()
            raise
        return target

    def _inflate_into(self, raw: BinaryIO, sink: BinaryIO) -> None:
        """Inflate the gzip ``raw`` into ``sink`` under the image byte cap and the inflation-ratio cap."""
        from scc.facts.image.layers import CountingReader, ratio_exceeded

        limits = self.limits
        compressed = CountingReader(raw)
        written = 0
        with gzip.GzipFile(fileobj=compressed, mode="rb") as source:
            while chunk := source.read(1024 * 1024):
                written += len(chunk)
                if written > limits.max_bytes:
                    raise self.fail(f"inflates past the {limits.max_bytes}-byte cap (SCC_MAX_IMAGE_BYTES); "
                                    "refused as a possible decompression bomb")
                if ratio_exceeded(written, compressed.count, limits):
                    raise self.fail(f"inflates more than {limits.max_ratio}:1 ({written} bytes from "
                                    f"{compressed.count}; SCC_MAX_LAYER_RATIO); refused as a decompression bomb")
                sink.write(chunk)

    def _member(self, name: str) -> tarfile.TarInfo | None:
        name = clean_member_name(name) or ""
        for _ in range(16):
            member = self.members.get(name)
            if member is None or not (member.issym() or member.islnk()):
                return member if member is not None and member.isreg() else None
            base = posixpath.dirname(name) if member.issym() else ""
            target = posixpath.normpath(posixpath.join(base, member.linkname))
            name = clean_member_name(target) or ""
            if not name:
                return None
        return None

    def exists(self, name: str) -> bool:
        return self._member(name) is not None

    def open(self, name: str) -> BinaryIO:
        member = self._member(name)
        handle = self.tar.extractfile(member) if member is not None else None
        if handle is None:
            raise self.fail(f"{name}: missing from the image archive")
        return cast(BinaryIO, handle)

    def close(self) -> None:
        tar = getattr(self, "tar", None)
        if tar is not None:
            tar.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


# -- cheap sniffing ----------------------------------------------------------------------------
def is_gzip(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


_IMAGE_TOP_NAMES = ("oci-layout", "index.json", "manifest.json", "repositories", "blobs")


def tar_image_names(path: str) -> set[str]:
    """Top-level image-layout names in the tar at ``path`` (for sniffing; headers only)."""
    found: set[str] = set()
    if is_gzip(path):   # only the first member: inflating the whole archive is not cheap
        with gzip.open(path, "rb") as handle, tarfile.open(fileobj=handle, mode="r|") as tar:
            first = tar.next()
        top = (clean_member_name(first.name) or "").split("/", 1)[0] if first is not None else ""
        if top in _IMAGE_TOP_NAMES or _is_legacy_layer_dir(top):
            found.update((top, "gzip"))
        return found
    with open(path, "rb") as plain:
        plain.seek(257)
        if plain.read(5) != b"ustar":
            return found
    with tarfile.open(path, "r:") as tar:
        for count, member in enumerate(tar):
            name = clean_member_name(member.name) or ""
            if name in _IMAGE_TOP_NAMES:
                found.add(name)
            if count > _TAR_SCAN_MEMBERS:
                break
    return found


def _is_legacy_layer_dir(name: str) -> bool:
    stem = name.removesuffix(".json")
    return len(stem) == 64 and all(c in "0123456789abcdef" for c in stem)
