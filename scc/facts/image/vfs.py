"""The in-memory virtual filesystem an image (or a root filesystem directory) is read into.

Paths are relative to the image root ('etc/passwd'); symlinks are never materialised as OS
symlinks: they are entries with a target, resolved here with chroot semantics (absolute targets
start at the image root, '..' stops at it), so no lookup can ever leave the image. Bytes are kept
only for the small files the facts need and a window after the Go build-info magic of ELF
executables (``capture`` decides), so a 20k-file image costs a few MB of memory.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

GO_BUILDINFO_MAGIC = b"\xff Go buildinf:"
GO_BUILDINFO_WINDOW = 64 * 1024
#: byte strings whose presence in an ELF executable is a fact (name -> needle)
ELF_MARKERS = {
    "go-boringcrypto-symbol": b"_Cfunc__goboringcrypto_",
    "go-fips140-v1.0.0": b"crypto/internal/fips140/v1.0.0",
}
_CONFIG_CAP = 1024 * 1024
_DATABASE_CAP = 64 * 1024 * 1024
_MODULE_CAP = 32 * 1024 * 1024
_CHUNK = 1024 * 1024
_MAX_LINK_HOPS = 40

_CONFIG_FILES = frozenset({
    "etc/passwd", "etc/group", "etc/os-release", "usr/lib/os-release", "etc/login.defs",
    "etc/crypto-policies/config", "etc/system-fips", "etc/gcrypt/fips_enabled", "etc/ssh/sshd_config",
    "etc/audit/auditd.conf", "etc/audit/audit.rules", "etc/alpine-release", "etc/debian_version",
    "etc/redhat-release",
    # logon (scc.facts.image.logon)
    "etc/security/faillock.conf", "etc/security/pwquality.conf", "etc/gdm/custom.conf", "etc/gdm3/custom.conf",
    "etc/gdm3/daemon.conf", "etc/lightdm/lightdm.conf", "etc/sddm.conf", "etc/inittab", "etc/default/dropbear",
    # package signature verification (scc.facts.image.pkgsign)
    "etc/apt/sources.list", "etc/apt/apt.conf", "etc/dnf/dnf.conf", "etc/yum.conf", "etc/apk/repositories",
    "etc/apk/config",
})
_CONFIG_DIRS = ("etc/ssh/sshd_config.d/", "etc/audit/rules.d/", "etc/crypto-policies/back-ends/",
                "etc/pam.d/", "etc/lightdm/lightdm.conf.d/", "usr/share/lightdm/lightdm.conf.d/",
                "etc/sddm.conf.d/", "usr/lib/sddm/sddm.conf.d/", "etc/apt/sources.list.d/",
                "etc/apt/apt.conf.d/", "etc/yum.repos.d/")
#: systemd getty units and their drop-ins (autologin overrides)
_GETTY_UNITS = re.compile(r"^etc/systemd/system/[^/]*getty[^/]*(/[^/]+\.conf)?$")
_DATABASES = frozenset({"lib/apk/db/installed", "var/lib/dpkg/status"})
_DATABASE_DIRS = ("var/lib/dpkg/status.d/",)
_RPM_DATABASES = frozenset({"var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite",
                            "var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages"})
_RPM_DATABASE_CAP = 256 * 1024 * 1024
#: Python distribution metadata (scc.facts.image.pydist): only the header part is kept
PYTHON_METADATA = re.compile(r"(?i)\.dist-info/METADATA$|\.egg-info/PKG-INFO$|\.egg-info$")
_PYTHON_METADATA_CAP = 64 * 1024
_FIPS_MODULE = re.compile(r"(^|/)fips\.(so|dylib)$")
_OPENSSL_DIRS = ("etc/ssl/", "etc/pki/tls/", "usr/lib/ssl/", "usr/local/ssl/", "etc/gcrypt/")


@dataclass(slots=True)
class Node:
    """One entry of the image filesystem."""

    kind: str                         # dir, file, symlink
    mode: int = 0o644                 # permission bits with setuid/setgid/sticky
    uid: int = 0
    gid: int = 0
    size: int = 0
    linkname: str = ""                # symlink target as written in the image
    content: bytes | None = None      # only for the files capture() keeps
    layer: int = -1                   # index of the layer that wrote it (-1: a directory input)
    children: dict[str, Node] | None = None
    markers: frozenset[str] = frozenset()
    buildinfo: bytes | None = None    # bytes from the Go build-info magic on (ELF executables)
    hardlink: str = ""                # the path this entry is a hardlink of


def clean_member_name(name: str) -> str | None:
    """A layer member name as a root-relative path; None for absolute names or '..' components."""
    if name.startswith("/"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _split(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


class VirtualFS:
    """A tree of Nodes with chroot-confined symlink resolution."""

    def __init__(self) -> None:
        self.root = Node("dir", mode=0o755, children={})
        self.notes: list[str] = []

    # -- lookups ---------------------------------------------------------------------------
    def resolve(self, path: str, follow: bool = True) -> tuple[str, Node] | None:
        """(canonical path, node) for ``path``; symlinks followed inside the root when ``follow``.

        With ``follow=False`` no symlink is traversed at all, not even in a parent component.
        """
        todo = _split(path)
        todo.reverse()
        stack: list[tuple[str, Node]] = []
        hops = 0
        while todo:
            part = todo.pop()
            if part == "..":
                if stack:
                    stack.pop()
                continue
            current = stack[-1][1] if stack else self.root
            child = current.children.get(part) if current.children is not None else None
            if child is None:
                return None
            if child.kind == "symlink" and follow:
                hops += 1
                if hops > _MAX_LINK_HOPS:
                    return None
                target = _split(child.linkname)
                if child.linkname.startswith("/"):
                    stack = []
                todo.extend(reversed(target))
                continue
            if child.kind == "symlink" and todo:
                return None
            stack.append((part, child))
        if not stack:
            return "", self.root
        return "/".join(p for p, _ in stack), stack[-1][1]

    def lookup(self, path: str, follow: bool = True) -> Node | None:
        found = self.resolve(path, follow)
        return found[1] if found else None

    def content(self, path: str) -> bytes | None:
        node = self.lookup(path)
        return node.content if node is not None and node.kind == "file" else None

    def text(self, path: str) -> str | None:
        data = self.content(path)
        return data.decode("utf-8", errors="replace") if data is not None else None

    def listdir(self, path: str) -> list[str]:
        node = self.lookup(path)
        return sorted(node.children) if node is not None and node.children is not None else []

    def walk(self) -> Iterator[tuple[str, Node]]:
        """Every entry (not the root), parents before children, names sorted; symlinks not followed."""
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            prefix, node = stack.pop()
            assert node.children is not None
            for name in sorted(node.children, reverse=True):
                child = node.children[name]
                path = f"{prefix}{name}"
                if child.kind == "dir" and child.children is not None:
                    stack.append((path + "/", child))
            for name in sorted(node.children):
                yield f"{prefix}{name}", node.children[name]

    # -- changes (layer application) -------------------------------------------------------
    def place(self, path: str, node: Node) -> str:
        """Put ``node`` at ``path`` (parents created as needed); returns why it was refused, or ''."""
        parts = _split(path)
        current = self.root
        for part in parts[:-1]:
            assert current.children is not None
            child = current.children.get(part)
            if child is not None and child.kind == "symlink":
                return "below a symlink; the link is not followed"
            if child is None or child.kind != "dir":
                child = Node("dir", mode=0o755, children={}, layer=node.layer)
                current.children[part] = child
            current = child
        assert current.children is not None
        existing = current.children.get(parts[-1])
        if node.kind == "dir" and existing is not None and existing.kind == "dir":
            existing.mode, existing.uid, existing.gid, existing.layer = node.mode, node.uid, node.gid, node.layer
            return ""
        current.children[parts[-1]] = node
        return ""

    def remove(self, path: str, below_layer: int) -> None:
        """A whiteout: remove ``path`` (and all below it) if a lower layer wrote it."""
        parent_path, _, name = path.rpartition("/")
        parent = self.lookup(parent_path, follow=False) if parent_path else self.root
        if parent is None or parent.children is None:
            return
        node = parent.children.get(name)
        if node is not None and node.layer < below_layer:
            del parent.children[name]


# -- what bytes to keep ----------------------------------------------------------------------
def wants_content(path: str) -> int:
    """How many bytes of this file the facts need (0: none, just its metadata)."""
    if path in _DATABASES or path.startswith(_DATABASE_DIRS):
        return _DATABASE_CAP
    if path in _RPM_DATABASES:
        return _RPM_DATABASE_CAP
    if PYTHON_METADATA.search(path):
        return _PYTHON_METADATA_CAP
    if path in _CONFIG_FILES or path.startswith(_CONFIG_DIRS) or path.endswith(".cnf") or _GETTY_UNITS.match(path):
        return _CONFIG_CAP
    if path.startswith(_OPENSSL_DIRS) and path.endswith((".conf", ".config")):
        return _CONFIG_CAP
    if _FIPS_MODULE.search(path):
        return _MODULE_CAP
    return 0


def capture(path: str, node: Node, handle: BinaryIO) -> None:
    """Keep what the facts need of a regular file's bytes, read from ``handle`` (stream position 0)."""
    cap = wants_content(path)
    if cap:
        node.content = handle.read(min(node.size, cap) if node.size else cap)
        if cap == _PYTHON_METADATA_CAP and PYTHON_METADATA.search(path):
            node.content = _header_part(node.content)
        return
    if node.mode & 0o111 and node.size >= 64:
        head = handle.read(4)
        if head == b"\x7fELF":
            _probe_elf(node, handle, head)


def _header_part(data: bytes) -> bytes:
    """An email-style metadata file up to its first blank line (the body is the long description)."""
    start = len(data) - len(data.lstrip(b"\r\n"))
    ends = [at for at in (data.find(b"\n\n", start), data.find(b"\r\n\r\n", start)) if at >= 0]
    return data[:min(ends) + 1] if ends else data


def _probe_elf(node: Node, handle: BinaryIO, head: bytes) -> None:
    """Stream the executable once, noting ELF_MARKERS and the Go build-info window."""
    keep = max(len(n) for n in (*ELF_MARKERS.values(), GO_BUILDINFO_MAGIC)) - 1
    found: set[str] = set()
    tail = head
    window: bytearray | None = None
    while True:
        chunk = handle.read(_CHUNK)
        if window is not None and len(window) < GO_BUILDINFO_WINDOW:
            window += chunk[:GO_BUILDINFO_WINDOW - len(window)]
        if not chunk:
            break
        data = tail + chunk
        for name, needle in ELF_MARKERS.items():
            if name not in found and needle in data:
                found.add(name)
        if window is None:
            at = data.find(GO_BUILDINFO_MAGIC)
            if at >= 0:
                window = bytearray(data[at:at + GO_BUILDINFO_WINDOW])
        tail = data[-keep:]
    node.markers = frozenset(found)
    node.buildinfo = bytes(window) if window is not None else None
