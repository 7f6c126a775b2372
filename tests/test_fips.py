"""FIPS 140 module detection: OpenSSL provider + openssl.cnf activation, libgcrypt, NSS, Go builds,
the certificate table, and the SBOM-only package view."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from imagebuild import fake_elf, go_binary

from scc.engine.checks.fips import certificate_for, validation
from scc.engine.tables import load_tables
from scc.facts.image.fips import (
    fips_modules,
    fips_modules_from_components,
    provider_identity,
)
from scc.facts.image.gobuildinfo import encode_buildinfo, parse_buildinfo
from scc.facts.image.openssl_conf import fips_activation
from scc.facts.image.vfs import Node, VirtualFS, capture
from scc.facts.model import Component, Evidence
from scc.facts.source import InputDocument
from scc.resources import pack_dir

FIPSMODULE = b"[fips_sect]\nactivate = 1\nmodule-mac = 00:11\n"
DEBIAN_OPENSSL = (b"openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
                  b"[provider_sect]\ndefault = default_sect\n# fips = fips_sect\n[default_sect]\nactivate = 1\n")

def _cert(module) -> str:
    """The CMVP certificate the engine's fips check finds for a module fact (shipped table)."""
    return validation(module, load_tables().fips_modules)[0]


def _std(module) -> str:
    return validation(module, load_tables().fips_modules)[1]


def make_fs(files: dict[str, bytes | str], mode: int = 0o755) -> VirtualFS:
    """A VirtualFS from path -> bytes (a file, captured as a layer would) or 'link:<target>'."""
    fs = VirtualFS()
    for path, value in files.items():
        if isinstance(value, str) and value.startswith("link:"):
            fs.place(path, Node("symlink", linkname=value[5:], mode=0o777))
            continue
        node = Node("file", size=len(value), mode=mode)
        capture(path, node, io.BytesIO(value))
        fs.place(path, node)
    return fs


@pytest.fixture()
def doc(tmp_path: Path) -> InputDocument:
    (tmp_path / "x").write_text("x")
    return InputDocument(tmp_path / "x")


def activation(files: dict[str, bytes | str], path: str = "etc/ssl/openssl.cnf") -> tuple[bool, str]:
    active, why, _ = fips_activation(make_fs(files), path)
    return active, why


def test_openssl_cnf_including_fipsmodule_and_naming_fips_provider_activates_it() -> None:
    cnf = (b"openssl_conf = openssl_init\n.include fipsmodule.cnf\n[openssl_init]\nproviders = provider_sect\n"
           b"[provider_sect]\nfips = fips_sect\nbase = base_sect\n[base_sect]\nactivate = 1\n")
    active, why = activation({"etc/ssl/openssl.cnf": cnf, "etc/ssl/fipsmodule.cnf": FIPSMODULE})
    assert active and "[fips_sect] activate = 1" in why and "/etc/ssl/fipsmodule.cnf" in why


def test_debian_default_openssl_cnf_does_not_activate_fips() -> None:
    assert activation({"etc/ssl/openssl.cnf": DEBIAN_OPENSSL}) == (False, "does not activate the fips provider")


def test_fips_section_without_activate_is_not_activation() -> None:
    cnf = b"openssl_conf = init\n[init]\nproviders = provs\n[provs]\nfips = fips_sect\n[fips_sect]\nactivate = 0\n"
    active, why = activation({"etc/ssl/openssl.cnf": cnf})
    assert not active and "does not activate it" in why


def test_default_properties_fips_yes_counts_as_activation() -> None:
    cnf = b"openssl_conf = init\n[init]\nalg_section = algs\n[algs]\ndefault_properties = fips=yes\n"
    assert activation({"etc/ssl/openssl.cnf": cnf}) == (True, "sets default_properties = fips=yes")


def test_includes_of_a_directory_a_loop_and_an_escape_stay_inside_the_image() -> None:
    cnf = (b"openssl_conf = init\n.include /etc/ssl/conf.d\n.include = ../../../../../etc/ssl/openssl.cnf\n"
           b".include /etc/hostname\n[init]\nproviders = provs\n[provs]\nfips = fips_sect\n")
    files = {"etc/ssl/openssl.cnf": cnf, "etc/ssl/conf.d/10-fips.cnf": FIPSMODULE + b".include /etc/ssl/openssl.cnf\n"}
    active, why = activation(files)
    assert active and "/etc/ssl/conf.d/10-fips.cnf" in why and "hostname" not in why


def test_provider_name_and_version_come_from_the_module_bytes() -> None:
    assert provider_identity(fake_elf(b"OpenSSL FIPS Provider", b"3.0.8")) == ("OpenSSL FIPS Provider", "3.0.8")
    red_hat = fake_elf(b"Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider", b"3.0.7-395c1a240fbfffd8")
    assert provider_identity(red_hat) == ("Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider",
                                          "3.0.7-395c1a240fbfffd8")
    assert provider_identity(fake_elf(b"OpenSSL 3.1.2 1 Aug 2023")) == ("", "3.1.2")
    assert provider_identity(fake_elf(b"placeholder: OpenSSL FIPS Provider 3.0.9")) == (
        "OpenSSL FIPS Provider", "3.0.9")


def test_certificates_only_for_exact_known_modules() -> None:
    table = load_tables().fips_modules
    assert certificate_for("openssl-fips-provider", "OpenSSL FIPS Provider", "3.0.8", table) == ("4282", "FIPS 140-2")
    assert certificate_for("openssl-fips-provider", "OpenSSL FIPS Provider", "3.1.2", table) == ("4985", "FIPS 140-3")
    assert certificate_for("go-fips140", "Go Cryptographic Module", "v1.0.0", table) == ("5247", "FIPS 140-3")
    assert certificate_for("openssl-fips-provider", "OpenSSL FIPS Provider", "3.0.7", table) == ("", "")
    assert certificate_for("openssl-fips-provider", "Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider",
                           "3.1.2", table) == ("", "")


def test_every_table_entry_cites_a_source() -> None:
    text = (pack_dir("controls") / "fips-modules.yaml").read_text()
    entries = yaml.safe_load(text)["modules"]
    assert len(entries) == text.count("  - kind:") and len(entries) >= 3
    preceding = text.split("modules:", 1)[1].split("  - kind:")
    for comment, entry in zip(preceding[:-1], entries):
        assert "https://csrc.nist.gov/projects/cryptographic-module-validation-program/certificate/" \
               f"{entry['certificate']}" in comment


def test_provider_in_image_with_rhel_naming_gets_no_certificate(doc: InputDocument) -> None:
    fs = make_fs({"usr/lib64/ossl-modules/fips.so": fake_elf(b"Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider",
                                                              b"3.0.7-395c1a240fbfffd8"),
                  "etc/pki/tls/openssl.cnf": DEBIAN_OPENSSL})
    modules, markers = fips_modules(fs, doc, [])
    assert [(m.kind, m.version, m.activated, _cert(m)) for m in modules] == [
        ("openssl-fips-provider", "3.0.7-395c1a240fbfffd8", False, "")]
    assert markers["/etc/pki/tls/openssl.cnf"] == "does not activate the fips provider"


def test_provider_without_any_openssl_cnf_has_unknown_activation(doc: InputDocument) -> None:
    fs = make_fs({"usr/local/lib64/ossl-modules/fips.so": fake_elf(b"OpenSSL FIPS Provider", b"3.0.8")})
    (module,), _ = fips_modules(fs, doc, [])
    assert (module.activated, _cert(module), _std(module)) == (None, "4282", "FIPS 140-2")
    assert module.evidence[0].pointer == "rootfs:/usr/local/lib64/ossl-modules/fips.so"


def test_go_builds_boringcrypto_fips140_and_openssl_backend(doc: InputDocument) -> None:
    fs = make_fs({
        "bin/latest": go_binary("go1.24.2", "GOFIPS140=latest"),
        "bin/off": go_binary("go1.24.2", "GOFIPS140=v1.0.0", "DefaultGODEBUG=fips140=off"),
        "bin/symbol-only": fake_elf(b"main._Cfunc__goboringcrypto_SHA256"),
        "bin/ms": go_binary("go1.22.4", "GOEXPERIMENT=systemcrypto"),
        "bin/plain": go_binary("go1.22.4", "CGO_ENABLED=0"),
    })
    modules, _ = fips_modules(fs, doc, [])
    found = {m.path: (m.kind, m.version, m.activated, _cert(m)) for m in modules}
    assert found == {
        "/bin/latest": ("go-fips140", "", True, ""),
        "/bin/off": ("go-fips140", "v1.0.0", False, "5247"),
        "/bin/symbol-only": ("go-boringcrypto", "", True, ""),
        "/bin/ms": ("go-openssl", "go1.22.4", None, ""),
    }


def test_buildinfo_parsing_is_bounded_and_tolerates_old_or_cut_blobs() -> None:
    blob = encode_buildinfo("go1.23.0", "path\tx\nbuild\tGOFIPS140=v1.0.0\n")
    assert parse_buildinfo(blob).settings == {"GOFIPS140": "v1.0.0"}
    assert parse_buildinfo(blob[:40]) is None
    old = bytearray(blob)
    old[15] = 0   # pre-1.18: strings by pointer
    assert parse_buildinfo(bytes(old)).inline is False
    assert parse_buildinfo(b"not buildinfo" * 4) is None


def test_libgcrypt_and_nss(doc: InputDocument) -> None:
    fs = make_fs({"usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1": b"\0" * 80, "etc/gcrypt/fips_enabled": b"1\n",
                  "usr/lib/x86_64-linux-gnu/.libgcrypt.so.20.hmac": b"0f" * 32,
                  "usr/lib64/libsoftokn3.so": b"\0" * 80, "usr/lib64/libsoftokn3.chk": b"x",
                  "usr/lib64/libfreeblpriv3.chk": b"x"})
    components = [Component("libgcrypt20", "1.10.1-3", "deb"), Component("nss-softokn", "3.90.0-3", "rpm")]
    modules, markers = fips_modules(fs, doc, components)
    found = {m.kind: (m.version, m.activated) for m in modules}
    assert found == {"libgcrypt": ("1.10.1-3", True), "nss": ("3.90.0-3", None)}
    assert markers["/etc/gcrypt/fips_enabled"] == "libgcrypt FIPS mode forced"
    fs2 = make_fs({"usr/lib/libgcrypt.so.20": b"\0" * 80, "usr/lib/.libgcrypt.so.20.hmac": b"0f" * 32,
                   "usr/lib64/libsoftokn3.so": b"\0" * 80})
    modules2, _ = fips_modules(fs2, doc, [])
    assert [(m.kind, m.activated) for m in modules2] == [("libgcrypt", None)]   # NSS needs its .chk files
    fs3 = make_fs({"usr/lib/libgcrypt.so.20": b"\0" * 80, "etc/gcrypt/fips_enabled": b"1\n"})
    assert fips_modules(fs3, doc, [])[0] == []   # Debian's libgcrypt: no .hmac, so no FIPS-capable module


def test_fips_modules_from_sbom_components() -> None:
    ev = Evidence("sbom.json", "0" * 64, "/components/3")
    components = [
        Component("openssl-provider-fips-3.1.2", "3.1.2-r5", "apk", "pkg:apk/wolfi/openssl-provider-fips-3.1.2@3.1.2-r5",
                  evidence=[ev]),
        Component("openssl-provider-fips", "3.4.0-r4", "apk"),
        Component("libgcrypt20", "1.10.1-3", "deb"), Component("nss", "3.90", "rpm"),
        Component("musl", "1.2.4", "apk"), Component("openssl", "3.1.4", "apk"),
    ]
    modules = fips_modules_from_components(components)
    assert [(m.name, m.kind, m.activated, _cert(m)) for m in modules] == [
        ("openssl-provider-fips-3.1.2", "package", None, "4985"),
        ("openssl-provider-fips", "package", None, ""),
        ("libgcrypt20", "package", None, ""),
        ("nss", "package", None, ""),
    ]
    assert modules[0].evidence == (ev,)


@pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain on this machine")
def test_real_go_binary_built_with_gofips140(tmp_path: Path, doc: InputDocument) -> None:
    (tmp_path / "go.mod").write_text("module example.com/hello\n\ngo 1.24\n")
    (tmp_path / "main.go").write_text('package main\nimport "crypto/sha256"\nfunc main() { sha256.Sum256(nil) }\n')
    env = {"GOFIPS140": "v1.0.0", "CGO_ENABLED": "0", "HOME": str(tmp_path), "GOFLAGS": "-mod=mod",
           "GOTOOLCHAIN": "local", "PATH": "/usr/bin:/bin", "GOCACHE": str(tmp_path / "cache")}
    go = shutil.which("go")
    assert go is not None
    subprocess.run([go, "build", "-o", "hello", "."], cwd=tmp_path, env=env, check=True, timeout=300)
    fs = make_fs({"usr/bin/hello": (tmp_path / "hello").read_bytes()})
    modules, _ = fips_modules(fs, doc, [])
    assert [(m.kind, m.version, m.activated) for m in modules] == [("go-fips140", "v1.0.0", True)]
