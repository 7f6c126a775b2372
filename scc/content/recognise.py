"""Recognising an official content file by what it contains, and taking files out of DISA zips safely.

A directory import cannot trust file names (DISA renames files each release), so an OSCAL file is
recognised by its root key and metadata, the CCI list by its root element, and an XCCDF benchmark
by its Benchmark id. Zip members are checked for path traversal, links and size before any is read.
"""
from __future__ import annotations

import fnmatch
import io
import json
import re
import stat
import zipfile
from pathlib import PurePosixPath

from scc.content.lock import MAX_FILE_BYTES
from scc.content.registry import (
    BY_NAME,
    CATALOG,
    CCI,
    CCI_NS,
    SOURCES,
    XCCDF11,
    XCCDF12,
    Source,
    source_by_benchmark_id,
)
from scc.errors import ContentError
from scc.xmlsafe import sniff_root_tag

MAX_ZIP_MEMBERS = 2000
MAX_RATIO = 200
_BENCHMARK_ID = re.compile(r"<(?:\w+:)?Benchmark\b[^>]*?\sid\s*=\s*[\"']([^\"']+)[\"']", re.DOTALL)
_BASELINE_TITLES = (
    ("privacy", "PRIVACY BASELINE"), ("low", "LOW IMPACT BASELINE"),
    ("moderate", "MODERATE IMPACT BASELINE"), ("high", "HIGH IMPACT BASELINE"),
)


def recognise(data: bytes, name: str) -> Source | None:
    """The registry source this file is, or None when it is none of them (e.g. a resolved-profile catalog)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _recognise_json(data, name)
    if head.startswith(b"<"):
        return _recognise_xml(head.decode("utf-8", "replace"), data)
    return None


def _recognise_json(data: bytes, name: str) -> Source | None:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or len(document) != 1:
        return None
    kind, body = next(iter(document.items()))
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if not isinstance(metadata, dict):
        return None
    title = str(metadata.get("title", "")).upper()
    if kind == "profile" and title.startswith("FEDRAMP REV 5 "):
        return _recognise_fedramp(title)
    if "800-53" not in title or not re.search(r"REV(ISION)?\.? ?5", title):
        return None
    if kind == "catalog":
        props = metadata.get("props") or []
        resolved = any(isinstance(p, dict) and p.get("name") == "resolution-tool" for p in props)
        return None if resolved or "BASELINE" in title else BY_NAME[CATALOG]
    if kind == "profile":
        for level, marker in _BASELINE_TITLES:
            if marker in title:
                return BY_NAME[f"nist-800-53-rev5-{level}"]
    return None


def _recognise_fedramp(title: str) -> Source | None:
    """A FedRAMP rev5 baseline profile by its title ('FedRAMP Rev 5 Moderate Baseline', '... (LI-SaaS) Baseline')."""
    from scc.content.registry import baseline_source

    level = "li-saas" if "LI-SAAS" in title else next(
        (word.lower() for word in ("LOW", "MODERATE", "HIGH") if f" {word} BASELINE" in title), "")
    return baseline_source(f"fedramp-{level}") if level else None


def _recognise_xml(head: str, data: bytes) -> Source | None:
    root = sniff_root_tag(head)
    if root == f"{{{CCI_NS}}}cci_list":
        return BY_NAME[CCI]
    if root in (f"{{{XCCDF11}}}Benchmark", f"{{{XCCDF12}}}Benchmark"):
        match = _BENCHMARK_ID.search(head)
        if match:
            benchmark_id = match.group(1).removeprefix("xccdf_mil.disa.stig_benchmark_")
            return source_by_benchmark_id(benchmark_id)
    return None


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", info.filename):
        return "path escapes the archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    if info.file_size > MAX_FILE_BYTES:
        return f"expands to {info.file_size} bytes (limit {MAX_FILE_BYTES})"
    if info.compress_size and info.file_size > 1_000_000 and info.file_size / info.compress_size > MAX_RATIO:
        return "compression ratio suggests a zip bomb"
    return None


def zip_members(data: bytes, archive: str, depth: int = 0) -> list[tuple[str, bytes]]:
    """Every safe XML/JSON member of a zip (and of zips nested one level), refusing an unsafe member by name."""
    try:
        archive_file = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ContentError(f"{archive}: not a readable zip archive ({exc})") from exc
    infos = archive_file.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ContentError(f"{archive}: {len(infos)} members exceeds the limit of {MAX_ZIP_MEMBERS}")
    for info in infos:
        problem = _unsafe(info)
        if problem:
            raise ContentError(f"{archive}: member {info.filename!r} refused: {problem}")
    out: list[tuple[str, bytes]] = []
    for info in infos:
        lower = info.filename.lower()
        if info.is_dir() or not lower.endswith((".xml", ".json", ".zip")):
            continue
        member = _read_member(archive_file, info, archive)
        if lower.endswith(".zip"):
            if depth == 0:
                out.extend(zip_members(member, f"{archive}!{info.filename}", depth + 1))
            continue
        out.append((info.filename, member))
    return out


def _read_member(archive_file: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str) -> bytes:
    try:
        with archive_file.open(info) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise ContentError(f"{archive}: member {info.filename!r} cannot be read ({exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(f"{archive}: member {info.filename!r} is larger than {MAX_FILE_BYTES} bytes")
    return data


def member_for(source: Source, data: bytes, archive: str) -> tuple[str, bytes]:
    """The one file of ``source`` inside a downloaded zip: by its member pattern, else by content."""
    members = zip_members(data, archive)
    by_pattern = [m for m in members if fnmatch.fnmatch(m[0].rsplit("/", 1)[-1].lower(), source.member.lower())]
    for member_name, member in by_pattern + members:
        if recognise(member, member_name) is source:
            return member_name, member
    raise ContentError(f"{archive}: no member of this zip is the {source.title} ({source.member})")


def recognise_zip(data: bytes, archive: str) -> list[tuple[Source, str, bytes]]:
    """Every registry source found in a zip (a DISA download dropped into an import directory)."""
    found: list[tuple[Source, str, bytes]] = []
    for member_name, member in zip_members(data, archive):
        source = recognise(member, member_name)
        if source is not None:
            found.append((source, f"{archive}!{member_name}", member))
    return found


__all__ = ["SOURCES", "member_for", "recognise", "recognise_zip", "zip_members"]
