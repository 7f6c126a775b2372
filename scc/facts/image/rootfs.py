"""An unpacked root filesystem directory as an input (the image's files, e.g. from `docker export`).

Claimed when the directory has etc/ with os-release or passwd, and bin/ or usr/. It is walked
with os.scandir without following any symlink (links become entries of the VirtualFS, resolved
inside the root only), files are opened with O_NOFOLLOW, device files are skipped and the
top-level proc/, sys/ and dev/ are not descended. The same scan as for an image then runs.
"""
from __future__ import annotations

import os
import stat
from typing import Any

from scc.facts.counting import count_facts
from scc.facts.image.fips import fips_modules
from scc.facts.image.fs_scan import scan_filesystem
from scc.facts.image.layers import Budget
from scc.facts.image.vfs import Node, VirtualFS, capture, wants_content
from scc.facts.interface import Reader
from scc.facts.model import ImageFacts, InputFile
from scc.facts.source import NOT_DESCENDED, InputDocument
from scc.progress import phase

_NOT_DESCENDED = frozenset(os.fsdecode(name) for name in NOT_DESCENDED)   # the digest skips the same


def looks_like_rootfs(path: str) -> bool:
    def has(*names: str) -> bool:
        return any(os.path.lexists(os.path.join(path, n)) for n in names)

    return (os.path.isdir(os.path.join(path, "etc")) and has("etc/os-release", "etc/passwd")
            and has("bin", "usr"))


def read_directory(root: str, budget: Budget, fail) -> VirtualFS:
    """The VirtualFS of the directory tree at ``root`` (no symlink is followed)."""
    fs = VirtualFS()
    stack: list[tuple[str, str, Node]] = [("", root, fs.root)]
    skipped: list[str] = []
    while stack:
        rel, directory, parent = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            fs.notes.append(f"/{rel or ''}: cannot list ({exc.strerror})")
            continue
        for entry in entries:
            budget.files += 1
            if budget.files > budget.limits.max_files:
                raise fail(f"root filesystem holds more than {budget.limits.max_files} entries "
                           "(SCC_MAX_IMAGE_FILES)")
            node = _entry_node(f"{rel}{entry.name}", entry, skipped, fs)
            if node is None:
                continue
            assert parent.children is not None
            parent.children[entry.name] = node
            if node.kind == "dir" and not (rel == "" and entry.name in _NOT_DESCENDED):
                stack.append((f"{rel}{entry.name}/", entry.path, node))
    if skipped:
        fs.notes.append(f"skipped {len(skipped)} device, fifo or socket entries: {', '.join(skipped[:5])}")
    return fs


def _entry_node(path: str, entry: os.DirEntry, skipped: list[str], fs: VirtualFS) -> Node | None:
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    common: dict[str, Any] = {"mode": stat.S_IMODE(info.st_mode), "uid": info.st_uid, "gid": info.st_gid}
    if stat.S_ISLNK(info.st_mode):
        return Node("symlink", linkname=os.readlink(entry.path), **common)
    if stat.S_ISDIR(info.st_mode):
        return Node("dir", children={}, **common)
    if not stat.S_ISREG(info.st_mode):
        skipped.append("/" + path)
        return None
    node = Node("file", size=info.st_size, **common)
    if wants_content(path) or (node.mode & 0o111 and node.size >= 64):
        try:
            descriptor = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, "rb") as handle:
                capture(path, node, handle)
        except OSError as exc:
            fs.notes.append(f"/{path}: cannot read ({exc.strerror})")
    return node


def facts_from_filesystem(fs: VirtualFS, doc: InputDocument, root: str) -> ImageFacts:
    """ImageFacts from an image filesystem: FilesystemFacts, OS packages and FIPS modules."""
    filesystem, components = scan_filesystem(fs, doc, root)
    modules, markers = fips_modules(fs, doc, components)
    filesystem.fips_markers.update(markers)
    facts = ImageFacts(components=components, filesystem=filesystem, fips_modules=modules)
    facts.notes = [f"{doc.display_path}: {note}" for note in fs.notes]
    return facts


def input_file(doc: InputDocument, fmt: str, facts: ImageFacts, sha256: str, size: int,
               version: str = "") -> InputFile:
    """The InputFile record without touching doc.data (an image may be far larger than memory)."""
    return InputFile(doc.display_path, sha256, size, fmt, version, "", count_facts(facts))


class RootFilesystemReader(Reader):
    """A directory holding an unpacked image root filesystem."""

    format = "rootfs-directory"

    def sniff(self, doc: InputDocument) -> bool:
        return doc.is_dir and looks_like_rootfs(str(doc.path))

    def read(self, doc: InputDocument) -> ImageFacts:
        progress = doc.context.progress
        with phase(progress, f"hashing the root filesystem {doc.display_path}"):
            sha256 = doc.sha256      # first: every evidence cites it (scc.facts.source.tree_sha256)
        with phase(progress, f"walking the root filesystem {doc.display_path}"):
            fs = read_directory(str(doc.path), Budget(doc.context.image_limits), doc.fail)
        with phase(progress, f"scanning the files of {doc.display_path}"):
            facts = facts_from_filesystem(fs, doc, doc.display_path)
        facts.inputs = [input_file(doc, self.format, facts, sha256, 0)]
        return facts


READER = RootFilesystemReader()
