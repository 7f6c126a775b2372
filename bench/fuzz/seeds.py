"""Seed corpus for the fuzzer: real files from the shared data, tests/data and the shipped example,
grouped by the reader that claims them (so a format is named exactly as scc names it).

A seed is a small file tree: ``{relative path: bytes}`` plus the entry to hand to scc ("" for a file
tree holding one file means that file; a directory input is the tree's root).
"""
from __future__ import annotations

import gzip
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SCC_SHARED_DATA", REPO.parent / "shared" / "data"))
SEED_ROOTS = (SHARED / "samples", REPO / "tests" / "data", REPO / "examples" / "demo-image", SHARED / "hostile")
DEMO_LAYOUT = REPO / "examples" / "demo-image" / "image"
MAX_SEED_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Seed:
    """One real input: ``files`` maps relative paths to contents; ``is_dir`` says whether scc gets the
    tree's root (an OCI layout, a root filesystem) or its single file."""

    name: str
    files: dict[str, bytes]
    is_dir: bool = False


def discover_seeds() -> dict[str, list[Seed]]:
    """format name -> seeds, every real file a reader claims, plus the OCI layout and a root filesystem."""
    from scc.errors import InputError
    from scc.facts import detect_reader
    from scc.facts.source import InputDocument

    seeds: dict[str, list[Seed]] = {}
    for root in SEED_ROOTS:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if DEMO_LAYOUT in path.parents or path.stat().st_size > MAX_SEED_BYTES:
                continue
            try:
                fmt = detect_reader(InputDocument(path)).format
            except InputError:
                continue
            seeds.setdefault(fmt, []).append(Seed(path.name, {path.name: path.read_bytes()}))
    seeds.setdefault("oci-image", []).append(Seed("demo-image", _tree(DEMO_LAYOUT), is_dir=True))
    seeds.setdefault("rootfs-tar", []).append(Seed("demo-layer.tar.gz", {"layer.tar.gz": _demo_layer()}))
    seeds.setdefault("rootfs-directory", []).append(Seed("demo-rootfs", _untar(_demo_layer()), is_dir=True))
    return seeds


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _demo_layer() -> bytes:
    """The demo image's one layer blob (a gzipped tar of a small Alpine-like root filesystem)."""
    for blob in sorted((DEMO_LAYOUT / "blobs" / "sha256").iterdir()):
        data = blob.read_bytes()
        if data[:2] == b"\x1f\x8b":
            return data
    raise SystemExit(f"no layer blob found in {DEMO_LAYOUT}")


def _untar(layer: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(layer))) as archive:
        for member in archive.getmembers():
            if member.isfile():
                extracted = archive.extractfile(member)
                files[member.name.lstrip("./")] = extracted.read() if extracted else b""
    return files


def select_formats(seeds: dict[str, list[Seed]], wanted: str | None) -> list[str]:
    """Every format (``wanted`` None) or the one ``wanted`` names: exact, or a unique prefix ("grype")."""
    if wanted is None:
        return sorted(seeds)
    if wanted in seeds:
        return [wanted]
    matches = [f for f in seeds if f.startswith(wanted)]
    if len(matches) != 1:
        raise SystemExit(f"--format {wanted!r}: choose one of {', '.join(sorted(seeds))}")
    return matches
