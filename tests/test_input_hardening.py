"""Issue 8 (items 6, 7) and issue 10 (item 4): archives, encodings and the digest evidence cites.

- a gzipped whole-image archive is held to the layers' inflation-ratio cap, and its temporary copy
  is removed on every error path, on Ctrl-C and on SIGTERM;
- XML is read only in UTF-8/UTF-16/US-ASCII and refused whenever it carries a DTD, whatever the
  encoding hides it behind; UTF-16 (and UTF-8 BOM) JSON reads to the same facts;
- a directory's sha256 covers path, type, mode, owner, link target and content, in the canonical
  form docs/evidence-digests.md states.
"""
from __future__ import annotations

import base64
import codecs
import gzip
import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import FIXTURE_IMAGE

from scc.errors import InputError
from scc.facts import read_input
from scc.facts.source import InputDocument
from scc.xmlsafe import parse_xml_bytes

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


# -- archives ------------------------------------------------------------------------------------
def write_gzip_image_bomb(path: Path, inflated: int) -> Path:
    """An OCI-layout tar, gzipped: oci-layout first (so it is sniffed as an image), then a blob of
    ``inflated`` zero bytes, written as 1 MiB gzip members (~1 KiB each): a 1 GiB bomb is ~1 MB."""
    layout = b'{"imageLayoutVersion": "1.0.0"}'
    head = io.BytesIO()
    info = tarfile.TarInfo("oci-layout")
    info.size = len(layout)
    head.write(info.tobuf(tarfile.USTAR_FORMAT) + layout + b"\0" * (512 - len(layout)))
    blob = tarfile.TarInfo("blobs/sha256/" + "0" * 64)
    blob.size = inflated
    head.write(blob.tobuf(tarfile.USTAR_FORMAT))
    zeros = gzip.compress(b"\0" * MIB, 9, mtime=0)
    with path.open("wb") as out:
        out.write(gzip.compress(head.getvalue(), mtime=0))
        for _ in range(inflated // MIB):
            out.write(zeros)
        out.write(gzip.compress(b"\0" * 1024, mtime=0))
    return path


@pytest.mark.slow
def test_gzip_image_inflating_a_thousandfold_is_refused_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    bomb = write_gzip_image_bomb(tmp_path / "image.tar.gz", 1024 * MIB)
    assert bomb.stat().st_size < 2 * MIB
    with pytest.raises(InputError) as caught:
        read_input(str(bomb))
    message = str(caught.value)
    assert message.startswith(f"{bomb}: ") and "\n" not in message
    assert "inflates more than 250:1" in message and "SCC_MAX_LAYER_RATIO" in message
    assert list(work.iterdir()) == []


def test_gzip_image_past_the_absolute_cap_is_refused_even_at_a_modest_ratio(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    monkeypatch.setenv("SCC_MAX_IMAGE_BYTES", str(8 * MIB))
    bomb = write_gzip_image_bomb(tmp_path / "image.tar.gz", 32 * MIB)
    with pytest.raises(InputError, match=r"inflates past the 8388608-byte cap \(SCC_MAX_IMAGE_BYTES\)"):
        read_input(str(bomb))
    assert list(work.iterdir()) == []


def test_truncated_gzip_image_leaves_no_temporary_copy(tmp_path: Path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    whole = write_gzip_image_bomb(tmp_path / "whole.tar.gz", 4 * MIB).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="corrupt gzip stream"):
        read_input(str(cut))
    assert list(work.iterdir()) == []


# The child stalls inside the inflation loop once the temporary image.tar holds data, and says so;
# the test then signals it. Nothing is timed: the child waits until it is signalled.
_STALLING_CHILD = """
import glob, gzip, os, signal, sys, time
# a suite started in the background by a non-interactive shell ignores SIGINT, and a child inherits that:
# give the child the disposition a user's terminal gives scc
signal.signal(signal.SIGINT, signal.default_int_handler)
original = gzip.GzipFile.read
def stalling_read(self, *args):
    data = original(self, *args)
    copies = glob.glob(os.path.join(os.environ["TMPDIR"], "scc-image-*", "image.tar"))
    if copies and os.path.getsize(copies[0]) > 0:
        print("inflating", flush=True)
        time.sleep(600)
    return data
gzip.GzipFile.read = stalling_read
from scc.cli import main
main(["package", sys.argv[1], "--out", sys.argv[2]])
"""


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "expected"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_signal_during_inflation_removes_the_temporary_directory(tmp_path: Path, signum: int, expected: int) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    bomb = write_gzip_image_bomb(tmp_path / "image.tar.gz", 64 * MIB)
    env = {k: v for k, v in os.environ.items() if k != "SCC_WORKDIR"}
    env.update(TMPDIR=str(temp), PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", _STALLING_CHILD, str(bomb), str(tmp_path / "out")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "inflating"
        assert any(p.name.startswith("scc-image-") for p in temp.iterdir())   # mid-inflation
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == expected, stderr
    assert "Traceback" not in stderr
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_signal_handlers_are_restored_and_the_signal_redelivered() -> None:
    from scc.interrupts import signals_as_exceptions

    seen: list[int] = []

    def previous(signum: int, _frame: object) -> None:
        seen.append(signum)

    before = signal.signal(signal.SIGTERM, previous)
    try:
        with signals_as_exceptions():
            assert signal.getsignal(signal.SIGTERM) is not previous
        assert signal.getsignal(signal.SIGTERM) is previous
        cleaned = []
        with pytest.raises(SystemExit) as caught, signals_as_exceptions():
            try:
                signal.raise_signal(signal.SIGTERM)
            finally:
                cleaned.append(True)
        assert cleaned == [True] and seen == [signal.SIGTERM]
        assert caught.value.code == 128 + signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) is previous
    finally:
        signal.signal(signal.SIGTERM, before)


# -- XML -----------------------------------------------------------------------------------------
def utf7_hiding_markup(text: str) -> bytes:
    """UTF-7 as an attacker writes it: every markup character base64-encoded (``<`` is ``+ADw-``)."""
    out = []
    for char in text:
        if char in "<>!&\"'[]%;":
            out.append("+" + base64.b64encode(char.encode("utf-16-be")).decode().rstrip("=") + "-")
        else:
            out.append(char)
    return "".join(out).encode("ascii")


def _with_declared_encoding(xml: str, encoding: str) -> str:
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    return f'<?xml version="1.0" encoding="{encoding}"?>' + body


def test_utf7_xml_hiding_an_external_entity_is_refused_naming_the_encoding(tmp_path: Path, hostile: Path) -> None:
    original = (hostile / "xxe-file.cdx.xml").read_text()
    declared = _with_declared_encoding(original, "UTF-7")
    prolog, body = declared.split("?>", 1)
    data = (prolog + "?>").encode() + utf7_hiding_markup(body)
    assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data    # no byte-level check can see it
    assert data.decode("utf-7") == declared                          # and yet it is the same attack
    target = tmp_path / "xxe.utf7.cdx.xml"
    target.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_input(str(target))
    message = str(caught.value)
    assert message.startswith(f"{target}: ") and "\n" not in message
    assert "'UTF-7'" in message and "UTF-8" in message and "root:x:" not in message
    with pytest.raises(InputError, match="UTF-7"):
        parse_xml_bytes(data, "content.xml")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "EBCDIC-US", "Shift_JIS", "no-such-charset"])
def test_xml_in_any_encoding_but_utf8_or_utf16_is_refused_with_its_name(tmp_path: Path, encoding: str) -> None:
    text = _with_declared_encoding((FIXTURE_IMAGE / "sbom.cdx-1.5.xml").read_text(), encoding)
    target = tmp_path / "sbom.cdx.xml"
    target.write_bytes(text.encode("ascii", errors="replace"))
    with pytest.raises(InputError) as caught:
        read_input(str(target))
    message = str(caught.value)
    assert f"declares encoding {encoding!r}" in message and "\n" not in message
    assert "convert it to UTF-8" in message


@pytest.mark.parametrize("name", ["xxe-file.cdx.xml", "xxe-network.cdx.xml", "billion-laughs.cdx.xml"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_xml_carrying_a_dtd_is_refused(hostile: Path, name: str, codec: str) -> None:
    text = _with_declared_encoding((hostile / name).read_text(), "UTF-16")
    data = text.encode(codec)        # 'utf-16' writes a BOM; -le/-be none (recognised from '<?')
    assert b"<!DOCTYPE" not in data
    with pytest.raises(InputError, match="carries a DTD"):
        parse_xml_bytes(data, name)


def test_any_doctype_is_refused_even_without_entities() -> None:
    with pytest.raises(InputError, match="carries a DTD"):
        parse_xml_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE bom>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>',
                        "x.xml")


def test_utf32_xml_is_refused_with_a_clear_message() -> None:
    data = '<?xml version="1.0" encoding="UTF-32"?><a/>'.encode("utf-32")
    with pytest.raises(InputError, match="UTF-32"):
        parse_xml_bytes(data, "x.xml")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_xml_sbom_reads_to_the_same_facts(tmp_path: Path, codec: str) -> None:
    original = (FIXTURE_IMAGE / "sbom.cdx-1.5.xml").read_text()
    reencoded = _with_declared_encoding(original, "UTF-16").encode(codec)
    _assert_same_facts(tmp_path / "sbom.cdx.xml", original.encode(), reencoded)


def test_us_ascii_declared_xml_is_read(tmp_path: Path) -> None:
    original = (FIXTURE_IMAGE / "sbom.cdx-1.5.xml").read_text()
    assert "\u00c9" in original                                                  # the fixture's É
    ascii_only = original.encode("ascii", errors="xmlcharrefreplace").decode()     # É -> &#201;
    _assert_same_facts(tmp_path / "sbom.cdx.xml", ascii_only.encode(),
                       _with_declared_encoding(ascii_only, "us-ascii").encode())


# -- UTF-16 / BOM JSON ---------------------------------------------------------------------------
def _facts_text(path: Path) -> tuple[str, str]:
    record, facts = read_input(str(path))
    shown = repr(facts).replace(record.sha256, "<sha256>").replace(f"size={record.size},", "size=<size>,")
    return record.sha256, shown


def _assert_same_facts(path: Path, utf8: bytes, other: bytes) -> None:
    path.write_bytes(utf8)
    sha_utf8, facts_utf8 = _facts_text(path)
    path.write_bytes(other)
    sha_other, facts_other = _facts_text(path)
    assert sha_other == hashlib.sha256(other).hexdigest() != sha_utf8      # the raw bytes are what is pinned
    assert facts_other == facts_utf8                                       # same facts, same pointers


POWERSHELL_ENCODINGS = {
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),   # Windows PowerShell '>'
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le-no-bom": lambda text: text.encode("utf-16-le"),
}


@pytest.mark.parametrize("encoding", sorted(POWERSHELL_ENCODINGS))
@pytest.mark.parametrize("sample", ["scan.grype.json", "sbom.cdx-1.5.json"])
def test_utf16_and_bom_json_reads_to_the_same_facts(tmp_path: Path, sample: str, encoding: str) -> None:
    text = (FIXTURE_IMAGE / sample).read_text()
    assert json.loads(text)
    _assert_same_facts(tmp_path / Path(sample).name, text.encode(), POWERSHELL_ENCODINGS[encoding](text))


def test_broken_utf16_json_says_how_to_convert_it(tmp_path: Path) -> None:
    text = (FIXTURE_IMAGE / "scan.grype.json").read_text()
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    target = tmp_path / "grype.json"
    target.write_bytes(data[:200] + "\ud800".encode("utf-16-le", "surrogatepass") + data[200:])   # a lone surrogate
    with pytest.raises(InputError) as caught:
        read_input(str(target))
    message = str(caught.value)
    assert "not valid UTF-16 text" in message and "unrecognised" not in message
    assert "Set-Content -Encoding utf8" in message and "\n" not in message


# -- directory digests ---------------------------------------------------------------------------
def _rootfs(root: Path) -> Path:
    for directory in ("etc", "bin", "usr/bin", "tmp", "proc"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text("ID=debian\nVERSION_ID=12\n")
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/passwd").chmod(0o644)
    (root / "usr/bin/passwd").write_bytes(b"\x7fELF" + b"\0" * 60)
    (root / "usr/bin/passwd").chmod(0o755)
    (root / "bin/sh").symlink_to("dash")
    return root


def tree_sha256(root: Path) -> str:
    from scc.facts.source import tree_sha256 as canonical  # imported here: old main has no such function

    return canonical(root)


def _digest_after(tmp_path: Path, change) -> tuple[str, str]:
    """The sha256 an InputDocument cites for two copies of one tree, the second changed."""
    before, after = _rootfs(tmp_path / "a"), _rootfs(tmp_path / "b")
    change(after)
    return InputDocument(before).sha256, InputDocument(after).sha256


CHANGES = {
    "setuid bit": lambda root: (root / "usr/bin/passwd").chmod(0o4755),
    "world-writable /etc/passwd": lambda root: (root / "etc/passwd").chmod(0o666),
    "sticky /tmp": lambda root: (root / "tmp").chmod(0o1777),
    "symlink target": lambda root: ((root / "bin/sh").unlink(), (root / "bin/sh").symlink_to("bash")),
    "fifo added": lambda root: os.mkfifo(root / "tmp/fifo"),
    "file becomes empty dir": lambda root: ((root / "etc/os-release").unlink(), (root / "etc/os-release").mkdir()),
    "content": lambda root: (root / "etc/os-release").write_text("ID=debian\nVERSION_ID=11\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_directory_digest_changes_with_any_security_relevant_difference(tmp_path: Path, change: str) -> None:
    before, after = _digest_after(tmp_path, CHANGES[change])
    assert before != after


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
@pytest.mark.parametrize("field", ["uid", "gid"])
def test_directory_digest_changes_with_the_owner(tmp_path: Path, field: str) -> None:
    uid, gid = (1000, 0) if field == "uid" else (0, 1000)
    before, after = _digest_after(tmp_path, lambda root: os.chown(root / "etc/passwd", uid, gid))
    assert before != after


def test_directory_digest_ignores_timestamps_and_is_stable(tmp_path: Path) -> None:
    before, after = _digest_after(tmp_path, lambda root: os.utime(root / "etc/passwd", (1, 1)))
    assert before == after == InputDocument(tmp_path / "a").sha256


def test_directory_digest_is_the_documented_canonical_form(tmp_path: Path) -> None:
    """Recomputed here from docs/evidence-digests.md, independently of the implementation."""
    root = tmp_path / "r"
    (root / "d").mkdir(parents=True)
    (root / "d/f").write_bytes(b"hello\n")
    (root / "d/f").chmod(0o4750)
    (root / "l").symlink_to("d/f")
    (root / "proc/1").mkdir(parents=True)     # proc/ is recorded, its entries are not
    (root / "proc/1/status").write_text("x")

    def record(rel: str, kind: str, detail: bytes) -> bytes:
        info = os.lstat(root / rel) if rel != "." else os.stat(root)
        fields = [rel.encode(), kind.encode(), b"%04o" % stat.S_IMODE(info.st_mode),
                  str(info.st_uid).encode(), str(info.st_gid).encode(), detail]
        return b"".join(f + b"\0" for f in fields) + b"\n"

    records = {".": record(".", "d", b""), "d": record("d", "d", b""), "proc": record("proc", "d", b""),
               "d/f": record("d/f", "f", hashlib.sha256(b"hello\n").hexdigest().encode()),
               "l": record("l", "l", b"d/f")}
    expected = hashlib.sha256(b"".join(records[k] for k in sorted(records, key=str.encode))).hexdigest()
    assert tree_sha256(root) == expected
    assert b"4750" in records["d/f"]
    assert "path NUL type NUL mode NUL uid NUL gid NUL detail NUL LF" in (REPO / "docs/evidence-digests.md").read_text()


def test_rootfs_trees_with_opposite_verdicts_cite_different_digests(tmp_path: Path) -> None:
    """The assessor's case: a setuid binary and a world-writable /etc/passwd must not share a digest."""
    plain, risky = _rootfs(tmp_path / "plain"), _rootfs(tmp_path / "risky")
    (risky / "usr/bin/passwd").chmod(0o4755)
    (risky / "etc/passwd").chmod(0o666)
    plain_record, plain_facts = read_input(str(plain))
    risky_record, risky_facts = read_input(str(risky))
    assert [e.path for e in risky_facts.filesystem.setuid] == ["/usr/bin/passwd"]
    assert plain_facts.filesystem.setuid == []
    assert plain_record.sha256 != risky_record.sha256
    assert plain_record.sha256 == InputDocument(plain).sha256 == tree_sha256(plain)
    cited = {e.sha256 for e in risky_facts.filesystem.evidence}
    assert cited == {risky_record.sha256}
