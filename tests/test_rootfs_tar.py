"""A root filesystem tarball (docker export, or one layer given directly) becomes image facts.

Tars are built here the way `docker export` writes them; the hostile layer tars come from the
shared set (see its README). Expected values come from what each test put in.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tracemalloc
from pathlib import Path

import pytest
from imagebuild import device, directory, fake_elf, file, layer_tar, symlink, write_docker_save

import scc.facts.source
from scc.engine.tables import load_tables
from scc.errors import InputError
from scc.facts import read_input, read_inputs
from scc.facts.image.rootfs_tar import READER, sniff_member_names
from scc.facts.source import InputDocument


def of_kind(fs, kind: str) -> list:
    """The executables the shipped tables count as ``kind`` (the engine's classification of the reader's facts)."""
    from scc.engine.checks.support import executables_of

    return executables_of(fs, kind, load_tables())

APK_DB = (b"C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\n\n"
          b"P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\nP:bash\nV:5.2.21-r0\nA:x86_64\nL:GPL-3.0-or-later\n\n")
PASSWD = b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"


def docker_export_entries() -> list:
    """What `docker export` of a small Alpine-like container holds (its .dockerenv, /dev and /proc too)."""
    return [
        file(".dockerenv"), symlink("bin", "usr/bin"), directory("dev"), device("dev/console"),
        directory("dev/pts"), directory("etc"), file("etc/hostname"), file("etc/hosts", b"127.0.0.1 localhost\n"),
        symlink("etc/mtab", "/proc/mounts"),
        file("etc/os-release", b'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'),
        file("etc/passwd", PASSWD), file("etc/group", b"root:x:0:\nnobody:x:65534:\n"),
        directory("lib"), directory("lib/apk"), directory("lib/apk/db"), file("lib/apk/db/installed", APK_DB),
        directory("proc"), directory("sys"), directory("tmp", 0o1777), directory("usr"), directory("usr/bin"),
        file("usr/bin/bash", fake_elf(b"GNU bash"), 0o755), symlink("usr/bin/sh", "bash"),
        file("usr/bin/su", fake_elf(), 0o4755), file("usr/bin/apk", fake_elf(), 0o755),
        directory("var"), directory("var/tmp", 0o1777),
    ]


@pytest.fixture()
def export_tar(tmp_path: Path) -> Path:
    path = tmp_path / "container.tar"
    path.write_bytes(layer_tar(docker_export_entries()))
    return path


def test_docker_export_tar_gives_filesystem_and_packages(export_tar: Path) -> None:
    record, facts = read_input(str(export_tar))
    assert record.format == "rootfs-tar"
    assert record.sha256 == hashlib.sha256(export_tar.read_bytes()).hexdigest()
    assert record.size == export_tar.stat().st_size
    assert [(c.name, c.version, c.purl) for c in facts.components] == [
        ("busybox", "1.36.1-r15", "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1"),
        ("musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"),
        ("bash", "5.2.21-r0", "pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64&distro=alpine-3.19.1")]
    fs = facts.filesystem
    assert fs.os_release["ID"] == "alpine"
    assert [e.path for e in of_kind(fs, "shell")] == ["/usr/bin/bash", "/usr/bin/sh"]
    assert [e.path for e in of_kind(fs, "package manager")] == ["/usr/bin/apk"]
    assert [e.path for e in fs.setuid] == ["/usr/bin/su"]
    assert fs.login_users == [("root", "/bin/bash")]
    # files and links, not directories; the device is skipped with a note
    assert fs.file_count == 13
    assert any("dev/console" in note for note in facts.notes)
    assert of_kind(fs, "shell")[0].evidence[0].cite() == f"{export_tar}#rootfs:/usr/bin/bash"
    assert of_kind(fs, "shell")[0].evidence[0].sha256 == record.sha256


def test_gzipped_export_with_dot_slash_gnu_names_reads_the_same(tmp_path: Path, export_tar: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(export_tar) as source, tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(tarfile.TarInfo("./"))
        for member in source.getmembers():
            data = source.extractfile(member) if member.isreg() else None
            member.name = "./" + member.name
            tar.addfile(member, data)
    target = tmp_path / "layer.tar.gz"
    target.write_bytes(gzip.compress(buffer.getvalue()))
    plain, packed = read_input(str(export_tar))[1], read_input(str(target))
    assert packed[0].format == "rootfs-tar"
    assert packed[0].sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert [c.purl for c in packed[1].components] == [c.purl for c in plain.components]
    assert packed[1].filesystem.file_count == plain.filesystem.file_count


def test_a_single_layer_tar_with_python_packages(tmp_path: Path) -> None:
    site = "usr/lib/python3.12/site-packages"
    layer = layer_tar([directory("usr"), file(f"{site}/six-1.16.0.dist-info/METADATA",
                                              b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n")])
    path = tmp_path / "layer.tar"
    path.write_bytes(layer)
    record, facts = read_input(str(path))
    assert record.format == "rootfs-tar"
    assert [(c.purl, c.licenses) for c in facts.components] == [("pkg:pypi/six@1.16.0", ("MIT",))]


def test_the_tar_is_never_loaded_whole(monkeypatch, export_tar: Path) -> None:
    tiny = scc.facts.ReadContext(max_input_bytes=1024)   # doc.data would refuse this tar
    record, facts = read_input(str(export_tar), tiny)
    assert record.format == "rootfs-tar" and len(facts.components) == 3


def test_image_archives_and_other_tars_are_not_claimed(tmp_path: Path) -> None:
    save = tmp_path / "save.tar"
    write_docker_save(save, [layer_tar([file("etc/passwd", PASSWD)])])
    assert not READER.sniff(InputDocument(save))
    assert read_input(str(save))[0].format == "docker-save"
    docs = tmp_path / "docs.tar"
    docs.write_bytes(layer_tar([directory("project"), file("project/README.md", b"# hi\n")]))
    assert sniff_member_names(str(docs)) == (["project", "project/README.md"], False)
    with pytest.raises(InputError, match="unrecognised format"):
        read_input(str(docs))


def test_zip_slip_layer_is_refused_in_one_line_and_writes_nothing(tmp_path: Path, hostile: Path,
                                                                   monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = os.path.exists("/tmp/scc-zip-slip-pwned")
    path = hostile / "zip-slip.layer.tar"
    with pytest.raises(InputError) as caught:
        read_input(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: no root filesystem") and "\n" not in message
    assert "'..'" in message and "scc-zip-slip-pwned" in message
    assert os.path.exists("/tmp/scc-zip-slip-pwned") == before
    assert list(tmp_path.iterdir()) == []


def test_symlink_escape_layer_is_read_without_following_the_link(hostile: Path) -> None:
    record, facts = read_input(str(hostile / "symlink-escape.layer.tar"))
    assert record.format == "rootfs-tar"
    assert not os.path.exists("/etc/scc-pwned")
    notes = " ".join(facts.notes)
    assert "below a symlink; the link is not followed" in notes and "etc/scc-pwned" in notes
    assert facts.filesystem.file_count == 1          # the link itself; nothing under it
    assert facts.filesystem.accounts == [] and facts.components == []   # the host's /etc is never read


@pytest.mark.slow
def test_decompression_bomb_is_stopped_quickly_with_flat_memory(tmp_path: Path, hostile: Path,
                                                                monkeypatch) -> None:
    monkeypatch.setenv("SCC_WORKDIR", str(tmp_path))
    path = hostile / "decompression-bomb.layer.tar.gz"
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="refused as a decompression bomb") as caught:
            read_input(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)
    assert peak < 32 * 1024 * 1024, f"peak {peak} bytes"
    assert list(tmp_path.iterdir()) == []


def test_byte_cap_stops_a_plain_tar_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCC_MAX_IMAGE_BYTES", str(64 * 1024))
    path = tmp_path / "big.tar"
    path.write_bytes(layer_tar([directory("etc"), file("etc/big", b"\0" * 200_000)]))
    with pytest.raises(InputError, match="cap"):
        read_input(str(path))


@pytest.mark.slow
def test_scc_facts_and_read_inputs_name_the_rootfs_tar(export_tar: Path) -> None:
    facts = read_inputs([str(export_tar)])
    assert [i.format for i in facts.inputs] == ["rootfs-tar"]
    assert ("components", 3) in facts.inputs[0].counts
    run = subprocess.run([sys.executable, "-m", "scc.cli", "facts", str(export_tar)], check=False, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"{export_tar}: rootfs-tar" in run.stdout
