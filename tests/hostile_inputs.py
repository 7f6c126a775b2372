"""Test fixture: scc's own hostile inputs, written at test time when ../shared is not there.

The same attack classes and file names as the reference set in ../shared/data/hostile (see its
README.md): every name below is one attack, and the tests assert what scc must do with it. The
content is authored here (classic, publicly known payload shapes), nothing is copied.
"""
from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

FAKE_SECRETS = ("fixture-AKIA-not-a-real-key-SECRETVALUE1", "fixture-password-SECRETVALUE2")
LONG_NAME = "a" * 5000
INJECTION_NAMES = (
    '<img src="file:///etc/passwd">',                          # HTML that would fetch a local file
    '<link rel="stylesheet" href="http://127.0.0.1:1/x.css">',  # CSS that would fetch over the network
    "{{ 7*7 }}{% for x in range(10**9) %}{% endfor %}",          # Jinja: a billion-step loop if evaluated
    "=cmd|' /C calc'!A0",                                        # spreadsheet formula (DDE)
    "</td></tr></table><script>alert(1)</script>",               # closes markup, opens a script
    LONG_NAME,                                                   # wraps, never vanishes
    "fixture\u202etxt.exe",                                      # right-to-left override
)
_CDX_NS = "http://cyclonedx.org/schema/bom/1.5"
BOMB_BYTES = 1024 ** 3          # what the decompression bomb inflates to


def _xml_bom(doctype: str, name: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            f'<bom xmlns="{_CDX_NS}" version="1"><components><component type="library">'
            f"<name>{name}</name><version>1.0</version></component></components></bom>\n")


def _billion_laughs() -> str:
    entities = ['<!ENTITY e0 "ha">'] + [
        f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return _xml_bom(f"<!DOCTYPE bom [{''.join(entities)}]>", "&e9;")


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _member(name: str, data: bytes = b"", *, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode = 0o644
    if link:
        info.type, info.linkname = tarfile.SYMTYPE, link
    else:
        info.size = len(data)
    return info, data


def _decompression_bomb() -> bytes:
    """A gzip'd layer tar whose one member is 1 GiB of zeros (about 1 MB compressed).

    Written as concatenated gzip members (RFC 1952 allows it; gunzip and Python's GzipFile read them
    as one stream) so that building it does not cost deflating 1 GiB: one 1 MiB member of zeros is
    compressed once and repeated.
    """
    info = tarfile.TarInfo("zeros")
    info.size, info.mode = BOMB_BYTES, 0o644
    megabyte = gzip.compress(b"\0" * (1 << 20), compresslevel=9, mtime=0)
    return b"".join([gzip.compress(info.tobuf(format=tarfile.USTAR_FORMAT), mtime=0),
                     megabyte * (BOMB_BYTES >> 20),
                     gzip.compress(b"\0" * (2 * tarfile.BLOCKSIZE), mtime=0)])   # end-of-archive blocks


def hostile_documents() -> dict[str, bytes]:
    """File name -> content of every hostile input (the same names as the reference set)."""
    grype = {"matches": [{"vulnerability": {"id": f"CVE-2099-{i:04d}", "severity": "High"},
                          "artifact": {"name": "fixture-lib", "version": "1.0"}} for i in range(40)]}
    grype_text = json.dumps(grype)
    injection = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                 "metadata": {"component": {"type": "container", "name": INJECTION_NAMES[0], "version": "1"}},
                 "components": [{"type": "library", "name": name, "version": "1.0",
                                 "purl": f"pkg:generic/fixture{i}@1.0"} for i, name in enumerate(INJECTION_NAMES)]}
    inspect = [{"Id": "sha256:" + "f" * 64, "RepoTags": ["fixture/secret-env:1"], "Os": "linux",
                "Architecture": "amd64",
                "Config": {"User": "", "Entrypoint": ["/bin/sh"],
                           "Env": ["PATH=/usr/bin", f"AWS_SECRET_ACCESS_KEY={FAKE_SECRETS[0]}",
                                   f"DB_PASSWORD={FAKE_SECRETS[1]}"]}}]
    return {
        "xxe-file.cdx.xml": _xml_bom('<!DOCTYPE bom [<!ENTITY leak SYSTEM "file:///etc/passwd">]>',
                                     "&leak;").encode(),
        "xxe-network.cdx.xml": _xml_bom('<!DOCTYPE bom [<!ENTITY call SYSTEM "http://127.0.0.1:9/fixture">]>',
                                        "&call;").encode(),
        "billion-laughs.cdx.xml": _billion_laughs().encode(),
        "deep-nesting.json": b"[" * 200_000 + b"]" * 200_000,
        "truncated.grype.json": grype_text[: len(grype_text) // 2].encode(),
        "wrong-types.cdx.json": json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5",
                                            "components": "should-be-an-array", "version": "one"}).encode(),
        "invalid-utf8.cdx.json": b'{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"\xff\xfe\xfa"}]}',
        "empty.json": b"",
        "injection.cdx.json": json.dumps(injection, indent=1).encode(),
        "secret-env.docker-inspect.json": json.dumps(inspect).encode(),
        "zip-slip.layer.tar": _tar([_member("../../../../tmp/scc-zip-slip-pwned", b"pwned")]),
        "symlink-escape.layer.tar": _tar([_member("etc", link="/etc"), _member("etc/scc-pwned", b"pwned")]),
        "decompression-bomb.layer.tar.gz": _decompression_bomb(),
    }


HOSTILE_NAMES = tuple(sorted(("xxe-file.cdx.xml", "xxe-network.cdx.xml", "billion-laughs.cdx.xml",
                              "deep-nesting.json", "truncated.grype.json", "wrong-types.cdx.json",
                              "invalid-utf8.cdx.json", "empty.json", "injection.cdx.json",
                              "secret-env.docker-inspect.json", "zip-slip.layer.tar",
                              "symlink-escape.layer.tar", "decompression-bomb.layer.tar.gz")))


def write_hostile_set(directory: Path) -> Path:
    """Write every hostile input into ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in hostile_documents().items():
        (directory / name).write_bytes(data)
    return directory
