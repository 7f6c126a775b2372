"""Go build information read from the bytes after the "\\xff Go buildinf:" magic of a Go binary.

Format (Go's debug/buildinfo, Go 1.18+): a 32-byte header - the 14-byte magic, the pointer size,
a flags byte (bit 0 big-endian, bit 1 "strings inline") - then, inline, the Go version and the
module info, each as a uvarint length and the bytes. The module info is wrapped in 16-byte
sentinels and holds tab-separated lines: ``path``, ``mod``, ``dep``, and ``build KEY=VALUE``
settings (GOEXPERIMENT, GOFIPS140, DefaultGODEBUG, CGO_ENABLED, ...). Older binaries (flags bit 1
clear) point at the strings through the data segment; only their presence is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scc.facts.image.vfs import GO_BUILDINFO_MAGIC

_FLAG_INLINE = 0x2
_HEADER = 32


@dataclass(frozen=True)
class GoBuildInfo:
    go_version: str = ""                 # "go1.22.5" or "go1.20.5 X:boringcrypto"
    path: str = ""                       # main package path
    settings: dict[str, str] = field(default_factory=dict)
    inline: bool = True                  # False: a pre-1.18 binary whose strings were not read


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def _string(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _uvarint(data, pos)
    if length > len(data) - pos:
        raise ValueError("string runs past the build-info window")
    return data[pos:pos + length], pos + length


def parse_buildinfo(blob: bytes) -> GoBuildInfo | None:
    """The build info starting at ``blob[0]`` (the magic), or None when it is not one."""
    if len(blob) < _HEADER or not blob.startswith(GO_BUILDINFO_MAGIC):
        return None
    if not blob[15] & _FLAG_INLINE:
        return GoBuildInfo(inline=False)
    try:
        version, pos = _string(blob, _HEADER)
        modinfo, _ = _string(blob, pos)
    except ValueError:
        return None
    if len(modinfo) >= 33 and modinfo[-17:-16] == b"\n":
        modinfo = modinfo[16:-16]
    path, settings = "", {}
    for line in modinfo.decode("utf-8", errors="replace").splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "path":
            path = rest
        elif kind == "build":
            key, _, value = rest.partition("=")
            settings[key] = value
    return GoBuildInfo(version.decode("utf-8", errors="replace"), path, settings)


def encode_buildinfo(go_version: str, modinfo: str, ptr_size: int = 8) -> bytes:
    """The inline build-info blob Go 1.18+ writes (used to build test binaries)."""
    def uvarint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte = n & 0x7F
            n >>= 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    sentinel_start = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
    sentinel_end = bytes.fromhex("f932433186182072008242104116d8f2")
    mod = sentinel_start + modinfo.encode() + sentinel_end if modinfo else b""
    header = GO_BUILDINFO_MAGIC + bytes([ptr_size, _FLAG_INLINE])
    header += b"\0" * (_HEADER - len(header))
    return header + uvarint(len(go_version)) + go_version.encode() + uvarint(len(mod)) + mod
