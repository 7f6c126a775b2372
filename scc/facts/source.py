"""InputDocument: one input file, read once, hashed once, parsed safely and at most once.

Readers sniff and read InputDocuments, never paths, so every reader gets the same hostile-input
protections: a size cap, no XML DTDs or entities, no network, no unbounded recursion.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import stat
from functools import cached_property
from pathlib import Path
from typing import Any

from scc.errors import InputError
from scc.facts.context import ReadContext
from scc.facts.model import Evidence

_PROLOG_SCAN_BYTES = 64 * 1024


class InputDocument:
    """A file (or directory) given to scc, with lazily parsed JSON/XML views.

    ``context`` is how it is read (keys, caps, platform, workdir); None means
    ``ReadContext.from_env()``, the defaults with the SCC_* environment's overrides.
    """

    context: ReadContext

    def __init__(self, path: str | os.PathLike[str], context: ReadContext | None = None) -> None:
        self.context = context if context is not None else ReadContext.from_env()
        self.path = Path(path)
        self.display_path = os.path.normpath(str(path))
        if not self.path.exists():
            raise InputError(self.display_path, "no such file or directory")
        self.is_dir = self.path.is_dir()

    # -- raw bytes -------------------------------------------------------------------------
    @cached_property
    def data(self) -> bytes:
        if self.is_dir:
            return b""
        size, limit = self.path.stat().st_size, self.context.max_input_bytes
        if size > limit:
            raise InputError(self.display_path, f"file is {size} bytes, over the {limit}-byte input limit")
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise InputError(self.display_path, f"cannot read: {exc.strerror}") from exc

    @cached_property
    def sha256(self) -> str:
        if self.is_dir:
            return tree_sha256(self.path)
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return 0 if self.is_dir else len(self.data)

    def evidence(self, pointer: str = "") -> Evidence:
        return Evidence(self.display_path, self.sha256, pointer)

    def fail(self, problem: str) -> InputError:
        return InputError(self.display_path, problem)

    @classmethod
    def embedded(cls, parent: InputDocument, data: bytes, pointer_prefix: str) -> InputDocument:
        """A document carried inside another (an attestation predicate): its evidence cites the parent
        file and sha256, with ``pointer_prefix`` (where the payload sits in the parent) before each pointer."""
        return EmbeddedDocument(parent, data, pointer_prefix)

    # -- text ------------------------------------------------------------------------------
    @cached_property
    def text(self) -> str | None:
        """The file as text: UTF-8 (BOM tolerated) or UTF-16/UTF-32 (with a BOM, or UTF-16 recognised from
        its leading ASCII characters, as Windows PowerShell's ``>`` writes); None when it is neither.
        Offsets and JSON pointers refer to this text; the sha256 stays that of the raw bytes."""
        if self.is_dir:
            return None
        try:
            return self.data.decode(text_encoding(self.data))
        except UnicodeDecodeError:
            return None

    def text_problem(self) -> str:
        """Why the file is not text scc reads, in one line (with how to convert it)."""
        encoding = text_encoding(self.data)
        try:
            self.data.decode(encoding)
        except UnicodeDecodeError as exc:
            shown = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
            return (f"not valid {shown} text (byte {exc.start}); scc reads UTF-8 or UTF-16 text: "
                    "convert it, e.g. iconv -t UTF-8, or in PowerShell: Get-Content FILE | Set-Content -Encoding utf8 NEW")
        return ""

    def require_text(self) -> str:
        if self.text is None:
            raise self.fail(self.text_problem())
        return self.text

    @property
    def head(self) -> str:
        """The first few KiB as text (for cheap sniffing), '' for binary files."""
        return (self.text or "")[:_PROLOG_SCAN_BYTES]

    # -- JSON ------------------------------------------------------------------------------
    @cached_property
    def json(self) -> Any:
        """The parsed JSON document; None when the file is not JSON (or is JSON lines)."""
        text = self.text
        if not text or text.lstrip()[:1] not in ("{", "["):
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None

    @cached_property
    def json_lines(self) -> list[Any] | None:
        """Each non-empty line parsed as JSON, for .jsonl attestation bundles; None if any line is not."""
        text = self.text
        if not text or self.json is not None:
            return None
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 1:
            return None
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except (ValueError, RecursionError):
                return None
        return parsed

    def json_problem(self) -> str:
        """Why this file is not usable JSON, in one line (for the 'unknown format' error)."""
        text = self.text
        if self.is_dir:
            return "is a directory no reader recognises"
        if not self.data.strip():
            return "file is empty"
        if text is None:
            return self.text_problem()
        try:
            json.loads(text)
        except RecursionError:
            return "JSON nested too deeply to read safely"
        except ValueError as exc:
            if getattr(exc, "pos", 99) <= 2:  # fails at once: text that merely starts with a bracket
                return "not JSON, and not a text format scc reads"
            return f"malformed JSON: {exc}"
        return "JSON of a format scc does not recognise"

    # -- XML -------------------------------------------------------------------------------
    @cached_property
    def is_xml(self) -> bool:
        return self.head.lstrip().startswith("<")

    @cached_property
    def xml(self):  # -> lxml.etree._ElementTree
        """The parsed XML tree. DTDs with entity declarations are refused outright; no network."""
        from scc.xmlsafe import parse_xml_bytes

        return parse_xml_bytes(self.data, self.display_path)

    def xml_root_tag(self) -> str:
        """The namespaced root tag ('{ns}local') from a cheap scan of the prolog, '' when not XML."""
        from scc.xmlsafe import sniff_root_tag

        return sniff_root_tag(self.head) if self.is_xml else ""


class EmbeddedDocument(InputDocument):
    """A payload inside a parent input (e.g. an SBOM predicate in a DSSE envelope), read like a file."""

    def __init__(self, parent: InputDocument, data: bytes, pointer_prefix: str) -> None:
        self.context = parent.context
        self.path = parent.path
        self.display_path = parent.display_path
        self.is_dir = False
        self.parent = parent
        self.pointer_prefix = pointer_prefix
        self.__dict__["data"] = data            # fills the cached properties of the base class
        self.__dict__["sha256"] = parent.sha256

    def evidence(self, pointer: str = "") -> Evidence:
        return Evidence(self.display_path, self.sha256, self.pointer_prefix + pointer)

    def fail(self, problem: str) -> InputError:
        return InputError(self.display_path, f"{self.pointer_prefix}: {problem}")


#: top-level directories of a root filesystem that are recorded but not descended (kernel interfaces)
NOT_DESCENDED = frozenset({b"proc", b"sys", b"dev"})
_TYPE_CHARS = ((stat.S_ISREG, b"f"), (stat.S_ISDIR, b"d"), (stat.S_ISLNK, b"l"), (stat.S_ISCHR, b"c"),
               (stat.S_ISBLK, b"b"), (stat.S_ISFIFO, b"p"), (stat.S_ISSOCK, b"s"))


def tree_sha256(root: str | os.PathLike[str]) -> str:
    """The canonical digest of a directory tree (docs/evidence-digests.md): sha256 over its sorted records.

    One record per entry, the root itself included as '.':
    ``path NUL type NUL mode NUL uid NUL gid NUL detail NUL LF``, where path is the raw bytes of the name
    relative to the root, type one of f d l c b p s, mode four octal digits (setuid/setgid/sticky
    included), detail the content's sha256 (files), the link target (symlinks), 'major,minor'
    (devices), else empty; 'unreadable' / 'unlisted' when a file cannot be read or a directory listed.
    No symlink is followed; the top-level proc/, sys/ and dev/ are recorded but not descended.
    """
    base = os.fsencode(root)
    records = {b".": _record(b".", base, os.stat(base))}   # the root as given (it may be a link)
    stack = [(b"", base)]
    while stack:
        rel, directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            key = rel[:-1] or b"."
            records[key] = records[key][:-2].removesuffix(b"\0") + b"\0unlisted\0\n"
            continue
        for entry in entries:
            path = rel + entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue   # vanished while walking
            records[path] = _record(path, entry.path, info)
            if stat.S_ISDIR(info.st_mode) and not (not rel and entry.name in NOT_DESCENDED):
                stack.append((path + b"/", entry.path))
    digest = hashlib.sha256()
    for path in sorted(records):
        digest.update(records[path])
    return digest.hexdigest()


def _record(path: bytes, full: bytes, info: os.stat_result) -> bytes:
    kind = next((char for test, char in _TYPE_CHARS if test(info.st_mode)), b"?")
    if kind == b"f":
        detail = _content_sha256(full)
    elif kind == b"l":
        detail = os.readlink(full)
    elif kind in (b"c", b"b"):
        detail = f"{os.major(info.st_rdev)},{os.minor(info.st_rdev)}".encode()
    else:
        detail = b""
    fields = (path, kind, b"%04o" % stat.S_IMODE(info.st_mode), b"%d" % info.st_uid, b"%d" % info.st_gid, detail)
    return b"".join(field + b"\0" for field in fields) + b"\n"


def _content_sha256(full: bytes) -> bytes:
    try:
        descriptor = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return b"unreadable"
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return b"unreadable"
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest().encode()
        except OSError:
            return b"unreadable"


_TEXT_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def text_encoding(data: bytes) -> str:
    """The codec text files are read with: by byte-order mark, else UTF-16 when the first two characters
    are ASCII with a zero byte beside each (RFC 4627's detection), else UTF-8."""
    for bom, codec in _TEXT_BOMS:       # UTF-32 LE's mark starts with UTF-16 LE's: tested first
        if data.startswith(bom):
            return codec
    head = data[:4]
    if len(head) == 4 and head[0] and not head[1] and head[2] and not head[3] and head[0] < 0x80:
        return "utf-16-le"
    if len(head) == 4 and not head[0] and head[1] and not head[2] and head[3] and head[1] < 0x80:
        return "utf-16-be"
    return "utf-8-sig"


def json_pointer(*parts: object) -> str:
    """RFC 6901 pointer from path parts: json_pointer('matches', 3, 'vulnerability') -> /matches/3/vulnerability."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
