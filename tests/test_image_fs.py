"""The image itself: OCI layouts, docker-save tars and root filesystem directories become facts.

Images are built here (tests/imagebuild.py); expected values come from what each test put in.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from imagebuild import (
    device,
    directory,
    fake_elf,
    file,
    go_binary,
    hardlink,
    layer_tar,
    opaque,
    symlink,
    tar_directory,
    whiteout,
    write_docker_save,
    write_multi_platform_layout,
    write_oci_layout,
)

from scc.engine.checks.fips import validation
from scc.engine.tables import load_tables
from scc.errors import InputError
from scc.facts import read_input
from scc.facts.image.layers import Budget, Limits, apply_layer
from scc.facts.image.vfs import VirtualFS


def of_kind(fs, kind: str) -> list:
    """The executables the shipped tables count as ``kind`` (the engine's classification of the reader's facts)."""
    from scc.engine.checks.support import executables_of

    return executables_of(fs, kind, load_tables())

PASSWD = (b"root:x:0:0:root:/root:/bin/sh\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\n"
          b"app:x:1000:1000::/home/app:/sbin/nologin\nsync:x:5:0:sync:/sbin:/bin/sync\noperator:x:11:0::/root:\n")
APK_DB = (b"C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\n\n"
          b"P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\n\n")
OPENSSL_DEFAULT = b"openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n" \
                  b"[provider_sect]\ndefault = default_sect\n[default_sect]\nactivate = 1\n"
OPENSSL_FIPS = (b"config_diagnostics = 1\nopenssl_conf = openssl_init\n\n.include /etc/ssl/fipsmodule.cnf\n\n"
                b"[openssl_init]\nproviders = provider_sect\nalg_section = algorithm_sect\n\n"
                b"[provider_sect]\nfips = fips_sect\nbase = base_sect\n\n[base_sect]\nactivate = 1\n\n"
                b"[algorithm_sect]\ndefault_properties = fips=yes\n")
FIPSMODULE = b"[fips_sect]\nactivate = 1\ninstall-version = 1\nconditional-errors = 1\nmodule-mac = AB:CD:EF\n"
FIPS_SO = fake_elf(b"OpenSSL FIPS Provider", b"3.1.2", b"OpenSSL 3.1.2 1 Aug 2023")

def _cert(module) -> str:
    """The CMVP certificate the engine's fips check finds for a module fact (shipped table)."""
    return validation(module, load_tables().fips_modules)[0]


def _std(module) -> str:
    return validation(module, load_tables().fips_modules)[1]


def sample_layers() -> list[bytes]:
    base = [directory(d) for d in ("etc", "bin", "sbin", "usr", "usr/bin", "lib", "opt", "srv", "dev")]
    base += [directory("tmp", 0o1777), directory("var"), directory("var/tmp", 0o1777)]
    base += [
        file("etc/os-release", b'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'),
        file("etc/passwd", PASSWD), file("etc/group", b"root:x:0:\ntty:x:5:\napp:x:1000:\n"),
        file("bin/busybox", fake_elf(b"BusyBox v1.36.1"), 0o755), symlink("bin/sh", "/bin/busybox"),
        symlink("bin/ash", "busybox"), file("bin/su", fake_elf(), 0o4755), file("usr/bin/wall", b"x", 0o2755, gid=5),
        file("sbin/apk", fake_elf(), 0o755), file("usr/bin/gcc", fake_elf(), 0o755), file("usr/bin/pip3", b"#!", 0o755),
        file("lib/apk/db/installed", APK_DB), file("opt/gone/file"), file("opt/cache/a"), file("opt/cache/b"),
        file("etc/ssl/openssl.cnf", OPENSSL_DEFAULT),
        file("etc/login.defs", b"# shadow\nPASS_MAX_DAYS\t90\nENCRYPT_METHOD SHA512\n"), device("dev/null"),
    ]
    fips = [
        whiteout("opt/gone"), opaque("opt/cache"), file("opt/cache/c"),
        file("srv/data.txt", b"shared", 0o666), directory("srv/drop", 0o777),
        file("usr/lib/ossl-modules/fips.so", FIPS_SO, 0o755), file("etc/ssl/fipsmodule.cnf", FIPSMODULE),
        file("etc/ssl/openssl.cnf", OPENSSL_FIPS),
        file("usr/local/bin/app", go_binary("go1.24.1", "GOFIPS140=v1.0.0", "DefaultGODEBUG=fips140=on"), 0o755),
        hardlink("usr/local/bin/app-link", "usr/local/bin/app"),
        file("usr/local/bin/boring", go_binary("go1.21.6 X:boringcrypto", "GOEXPERIMENT=boringcrypto"), 0o755),
        file("usr/local/go/bin/go", fake_elf(), 0o755),
        file("../escape.txt", b"nope"), file("/abs.txt", b"nope"),
    ]
    return [layer_tar(base), layer_tar(fips), layer_tar([whiteout("usr/bin/gcc")])]


def paths(entries) -> list[str]:
    return [e.path for e in entries]


@pytest.fixture()
def oci_dir(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "oci"
    return root, write_oci_layout(root, sample_layers())


def test_oci_layout_directory_gives_identity_config_and_filesystem(oci_dir) -> None:
    root, digest = oci_dir
    record, facts = read_input(str(root))
    assert record.format == "oci-image-layout"
    assert (facts.identity.name, facts.identity.tag, facts.identity.digest) == (
        "registry.example/team/app", "1.0", digest)
    assert (facts.identity.os, facts.identity.architecture) == ("linux", "amd64")
    assert facts.config.user == "app" and facts.config.env_names == ("PATH", "API_TOKEN")
    assert "do-not-store" not in repr(facts)
    fs = facts.filesystem
    assert fs.file_count == 21
    assert fs.os_release["ID"] == "alpine" and fs.os_release["PRETTY_NAME"] == "Alpine Linux v3.19"
    assert paths(of_kind(fs, "shell")) == ["/bin/ash", "/bin/sh"]
    assert of_kind(fs, "shell")[1].evidence[0].pointer == "rootfs:/bin/sh"
    assert paths(of_kind(fs, "package manager")) == ["/sbin/apk", "/usr/bin/pip3"]
    assert paths(of_kind(fs, "compiler")) == ["/usr/local/go/bin/go"]       # gcc was whited out by layer 2
    assert paths(fs.setuid) == ["/bin/su"] and fs.setuid[0].owner == "root:root"
    assert paths(fs.setgid) == ["/usr/bin/wall"] and fs.setgid[0].owner == "root:tty"
    assert paths(fs.world_writable) == ["/srv/data.txt", "/srv/drop"]   # sticky /tmp, /var/tmp not counted
    assert "/tmp" in fs.config_files["(world-writable sticky directories)"]
    assert fs.login_users == [("root", "/bin/sh"), ("operator", "/bin/sh")]
    assert [a[:2] for a in fs.accounts] == [("root", 0), ("daemon", 2), ("app", 1000), ("sync", 5), ("operator", 11)]
    assert fs.config_files["/etc/login.defs"] == "PASS_MAX_DAYS 90; ENCRYPT_METHOD SHA512"


def test_os_packages_come_from_the_apk_database(oci_dir) -> None:
    _, facts = read_input(str(oci_dir[0]))
    assert [(c.name, c.version, c.type) for c in facts.components] == [
        ("busybox", "1.36.1-r15", "apk"), ("musl", "1.2.4-r2", "apk"), ("libcrypto3", "3.1.4-r5", "apk")]
    assert facts.components[0].purl == "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1"
    assert facts.components[2].evidence[0].pointer == "rootfs:/lib/apk/db/installed line 12"


def test_fips_modules_found_in_the_image(oci_dir) -> None:
    _, facts = read_input(str(oci_dir[0]))
    modules = {(m.kind, m.path): m for m in facts.fips_modules}
    assert sorted(modules) == [
        ("go-boringcrypto", "/usr/local/bin/boring"), ("go-fips140", "/usr/local/bin/app"),
        ("go-fips140", "/usr/local/bin/app-link"), ("openssl-fips-provider", "/usr/lib/ossl-modules/fips.so")]
    provider = modules[("openssl-fips-provider", "/usr/lib/ossl-modules/fips.so")]
    assert (provider.name, provider.version, provider.activated) == ("OpenSSL FIPS Provider", "3.1.2", True)
    assert (_cert(provider), _std(provider)) == ("4985", "FIPS 140-3")
    assert "/etc/ssl/fipsmodule.cnf" in provider.activation_detail
    go = modules[("go-fips140", "/usr/local/bin/app")]
    assert (go.version, go.activated, _cert(go)) == ("v1.0.0", True, "5247")
    assert _cert(modules[("go-boringcrypto", "/usr/local/bin/boring")]) == ""
    assert facts.filesystem.fips_markers["/etc/ssl/openssl.cnf"].startswith("activates the fips provider")


def test_unsafe_and_special_members_are_skipped_with_a_note(oci_dir) -> None:
    _, facts = read_input(str(oci_dir[0]))
    notes = "\n".join(facts.notes)
    assert "absolute path or '..' component" in notes and "../escape.txt" in notes and "/abs.txt" in notes
    assert "device, fifo or other special file" in notes and "dev/null" in notes


def test_whiteouts_and_opaque_directories_hide_lower_layers_only() -> None:
    fs, budget = VirtualFS(), Budget()
    layers = [layer_tar([file("a/keep"), file("a/old"), file("b/x"), file("c/y")]),
              layer_tar([file("a/new"), whiteout("a/old"), opaque("b"), file("b/z"), whiteout("c"),
                         file("c/again")])]
    for i, layer in enumerate(layers):
        apply_layer(fs, _blob(layer), i, budget, f"layer {i}", _fail)
    assert fs.listdir("a") == ["keep", "new"]
    assert fs.listdir("b") == ["z"]
    assert fs.listdir("c") == ["again"]   # the same layer's own entries survive its whiteout


def _blob(data: bytes):
    import io

    return io.BytesIO(data)


def _fail(problem: str) -> InputError:
    return InputError("test", problem)


def test_docker_save_tar_with_repeated_layer_symlink(tmp_path: Path) -> None:
    layers = sample_layers()
    target = tmp_path / "legacy.tar"
    image_id = write_docker_save(target, [layers[0], layers[1], layers[2], layers[2]])
    record, facts = read_input(str(target))
    assert record.format == "docker-save"
    assert (facts.identity.name, facts.identity.tag, facts.identity.digest) == ("example/legacy", "2.1", "")
    assert image_id in " ".join(facts.notes)
    assert record.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert facts.filesystem.file_count == 21


def test_oci_layout_as_gzipped_tar_is_inflated_in_a_removed_workdir(tmp_path: Path, oci_dir, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    target = tar_directory(oci_dir[0], tmp_path / "image.tar.gz", compress=True)
    _, facts = read_input(str(target))
    assert facts.identity.digest == oci_dir[1] and facts.filesystem.file_count == 21
    assert list(work.iterdir()) == []


def test_oci_layout_as_plain_tar(tmp_path: Path, oci_dir) -> None:
    target = tar_directory(oci_dir[0], tmp_path / "image.tar")
    _, facts = read_input(str(target))
    assert facts.identity.digest == oci_dir[1]


def test_multi_platform_index_picks_amd64_or_scc_platform(tmp_path: Path, monkeypatch) -> None:
    digests = write_multi_platform_layout(tmp_path / "multi", sample_layers()[:1], ["linux/arm64", "linux/amd64"])
    _, facts = read_input(str(tmp_path / "multi"))
    assert facts.identity.digest == digests["linux/amd64"]
    assert (facts.identity.name, facts.identity.tag) == ("docker.io/library/multi", "2")
    monkeypatch.setenv("SCC_PLATFORM", "linux/arm64")
    _, facts = read_input(str(tmp_path / "multi"))
    assert facts.identity.digest == digests["linux/arm64"] and facts.identity.architecture == "arm64"


def test_multi_platform_without_amd64_fails_listing_platforms(tmp_path: Path) -> None:
    write_multi_platform_layout(tmp_path / "multi", sample_layers()[:1], ["linux/arm64", "linux/arm/v7"])
    with pytest.raises(InputError, match=r"linux/arm/v7, linux/arm64.*SCC_PLATFORM"):
        read_input(str(tmp_path / "multi"))


def test_tampered_blob_and_wrong_diff_id_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "oci"
    write_oci_layout(root, sample_layers()[:1], diff_ids=["sha256:" + "0" * 64])
    with pytest.raises(InputError, match="diff_id"):
        read_input(str(root))
    root2 = tmp_path / "oci2"
    write_oci_layout(root2, sample_layers()[:1])
    manifest = json.loads((root2 / "blobs/sha256" / json.loads((root2 / "index.json").read_text())[
        "manifests"][0]["digest"].split(":")[1]).read_text())
    layer = root2 / "blobs/sha256" / manifest["layers"][0]["digest"].split(":")[1]
    layer.write_bytes(layer.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(InputError):
        read_input(str(root2))


# -- hostile layers ---------------------------------------------------------------------------
def _layout_with_layer(tmp_path: Path, layer_file: Path) -> Path:
    """An OCI layout whose one layer is the given (hostile) layer tar, stored as it is."""
    root = tmp_path / "hostile-oci"
    write_oci_layout(root, [layer_file.read_bytes()], compress=False)
    return root


def test_zip_slip_layer_writes_nothing_outside(tmp_path: Path, hostile: Path, monkeypatch) -> None:
    sentinel = tmp_path / "a" / "b" / "c" / "d"
    sentinel.mkdir(parents=True)
    monkeypatch.chdir(sentinel)
    before = os.path.exists("/tmp/scc-zip-slip-pwned")
    _, facts = read_input(str(_layout_with_layer(tmp_path, hostile / "zip-slip.layer.tar")))
    assert list(sentinel.iterdir()) == [] and list((tmp_path / "a").rglob("*pwned*")) == []
    assert os.path.exists("/tmp/scc-zip-slip-pwned") == before
    assert "../../../../tmp/scc-zip-slip-pwned" in " ".join(facts.notes)


def test_symlink_escape_layer_is_not_followed(tmp_path: Path, hostile: Path) -> None:
    _, facts = read_input(str(_layout_with_layer(tmp_path, hostile / "symlink-escape.layer.tar")))
    assert not os.path.exists("/etc/scc-pwned")
    notes = " ".join(facts.notes)
    assert "below a symlink; the link is not followed" in notes and "etc/scc-pwned" in notes
    assert facts.filesystem.file_count == 1          # the link itself; nothing under it
    assert facts.filesystem.accounts == []           # /etc/passwd of the host is never read


@pytest.mark.slow
@pytest.mark.parametrize("cap", ["67108864", ""])
def test_decompression_bomb_is_stopped_quickly_without_writing(tmp_path: Path, hostile: Path, monkeypatch,
                                                                cap: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SCC_WORKDIR", str(work))
    monkeypatch.setenv("SCC_MAX_IMAGE_BYTES", cap)   # 64 MiB cap, then the default cap + ratio guard
    root = tmp_path / "bomb"
    blob = (hostile / "decompression-bomb.layer.tar.gz").read_bytes()
    write_oci_layout(root, [blob], compress=False, diff_ids=["sha256:" + "0" * 64])
    with pytest.raises(InputError, match="cap|inflates more than"):
        read_input(str(root))
    assert list(work.iterdir()) == []
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) < 4 * 1024 * 1024


def test_file_count_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCC_MAX_IMAGE_FILES", "10")
    root = tmp_path / "many"
    write_oci_layout(root, [layer_tar([file(f"f{i}") for i in range(11)])])
    with pytest.raises(InputError, match="more than 10 entries"):
        read_input(str(root))


def test_zstd_layer_without_module_is_a_clear_error(tmp_path: Path) -> None:
    try:
        import zstandard  # noqa: F401
        pytest.skip("zstandard installed")
    except ImportError:
        pass
    fs = VirtualFS()
    with pytest.raises(InputError, match="zstandard"):
        apply_layer(fs, _blob(b"\x28\xb5\x2f\xfd" + b"\0" * 100), 0, Budget(Limits()), "layer 0", _fail)


# -- root filesystem directory -----------------------------------------------------------------
def _rootfs(tmp_path: Path) -> Path:
    root = tmp_path / "rootfs"
    for d in ("etc", "bin", "usr/bin", "var/lib/dpkg", "tmp"):
        (root / d).mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "etc/passwd").write_bytes(PASSWD)
    (root / "bin/bash").write_bytes(fake_elf())
    (root / "bin/bash").chmod(0o755)
    (root / "bin/sh").symlink_to("bash")
    (root / "escape").symlink_to("/etc")              # must never be followed
    (root / "usr/bin/passwd").write_bytes(b"x")
    (root / "usr/bin/passwd").chmod(0o4755)
    (root / "tmp").chmod(0o1777)
    (root / "var/lib/dpkg/status").write_text(
        "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
        "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u4\n")
    return root


def test_rootfs_directory_is_read_without_following_links(tmp_path: Path) -> None:
    record, facts = read_input(str(_rootfs(tmp_path)))
    assert record.format == "rootfs-directory"
    fs = facts.filesystem
    assert fs.file_count == 7   # os-release, passwd, bash, sh, escape, usr/bin/passwd, dpkg status
    assert paths(of_kind(fs, "shell")) == ["/bin/bash", "/bin/sh"]
    assert paths(fs.setuid) == ["/usr/bin/passwd"]
    assert [(c.name, c.purl) for c in facts.components] == [
        ("bash", "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"),
        ("libc6", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12")]


@pytest.mark.skipif(not Path("/var/lib/dpkg/status").is_file() or not shutil.which("dpkg-query"),
                    reason="needs a dpkg-based host")
@pytest.mark.slow
def test_realistic_dpkg_database_matches_dpkg_query(tmp_path: Path) -> None:
    root = _rootfs(tmp_path)
    shutil.copy("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
    shutil.copy("/etc/os-release", root / "etc/os-release")
    listed = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status} ${Package}\n"],
                            capture_output=True, text=True, check=True).stdout.split("\n")
    installed = {line.split()[1] for line in listed if line.startswith("installed ")}
    _, facts = read_input(str(root))
    assert {c.name for c in facts.components} == installed


@pytest.mark.slow
def test_twenty_thousand_file_image_is_read_whole(tmp_path: Path) -> None:
    layers = [layer_tar([file(f"usr/share/l{n}/d{i // 100}/f{i}.txt", b"x" * 200) for i in range(5000)]
                        + [file(f"usr/bin/tool{n}_{i}", fake_elf(b"y" * 50000), 0o755) for i in range(50)])
              for n in range(4)]
    write_oci_layout(tmp_path / "big", layers)
    _, facts = read_input(str(tmp_path / "big"))
    assert facts.filesystem.file_count == 20200   # its read time is a benchmark (bench/), not a test


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("syft") is None, reason="syft not installed")
def test_demo_image_packages_and_digest_agree_with_syft(tmp_path: Path) -> None:
    layout = Path(__file__).resolve().parents[1] / "examples" / "demo-image" / "image"
    if not (layout / "index.json").is_file():
        pytest.skip("examples/demo-image/image not present")
    run = subprocess.run(["syft", f"oci-dir:{layout}", "-o", "syft-json", "--quiet"], check=False,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"})
    if run.returncode != 0:
        pytest.skip(f"syft failed: {run.stderr[-200:]}")
    syft = json.loads(run.stdout)
    _, facts = read_input(str(layout))
    assert facts.identity.digest == syft["source"]["metadata"]["manifestDigest"]
    assert sorted((c.name, c.version) for c in facts.components if c.type == "apk") == sorted(
        (a["name"], a["version"]) for a in syft["artifacts"] if a["type"] == "apk")
    assert sorted(c.purl for c in facts.components if c.purl.startswith("pkg:pypi/")) == sorted(
        a["purl"] for a in syft["artifacts"] if a["type"] == "python")
