"""Small, real-looking root filesystem trees for rule tests (Debian 12, Alpine 3.19, UBI 9 shapes).

Each builder writes a directory tree under ``tmp_path`` with the configuration files as the
distribution ships them (trimmed to the lines that matter), then applies ``changes``: a mapping of
image path -> bytes (write), None (delete), or (bytes, mode) to set a mode. The tree is read with
scc's own root filesystem reader, so a rule test exercises exactly what an assessor's run reads.
"""
from __future__ import annotations

import os
from pathlib import Path

from scc.facts import read_input
from scc.facts.model import ImageFacts

Change = bytes | None | tuple[bytes, int]

PASSWD_DEBIAN = (b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                 b"bin:x:2:2:bin:/bin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                 b"app:x:10001:10001::/home/app:/usr/sbin/nologin\n")
GROUP_DEBIAN = b"root:x:0:\ndaemon:x:1:\nbin:x:2:\nnogroup:x:65534:\napp:x:10001:\n"
OS_RELEASE_DEBIAN = (b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
                     b'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n')
DPKG_STATUS_DEBIAN = b"".join(
    b"Package: %s\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\nVersion: %s\n\n" % pv
    for pv in [(b"base-files", b"12.4+deb12u5"), (b"login", b"1:4.13+dfsg1-1+b1"), (b"apt", b"2.6.1"),
               (b"dpkg", b"1.21.22"), (b"libgcrypt20", b"1.10.1-3"), (b"libpam-runtime", b"1.5.2-6+deb12u1"),
               (b"bash", b"5.2.15-2+b2"), (b"libssl3", b"3.0.11-1~deb12u2")])
DEBIAN_SOURCES = (b"Types: deb\n# http://snapshot.debian.org/archive/debian/20240110T000000Z\n"
                  b"URIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"
                  b"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
                  b"Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n"
                  b"Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
KEYRING = b"\x99\x02\x0d\x04" + b"\x00" * 60      # an OpenPGP public-key packet header, then filler
COMMON_AUTH_DEBIAN = (b"#\n# /etc/pam.d/common-auth - authentication settings common to all services\n#\n"
                      b"auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
                      b"auth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n")
COMMON_AUTH_FAILLOCK = (b"auth\trequired\t\t\tpam_faillock.so preauth\n"
                        b"auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
                        b"auth\t[default=die]\t\tpam_faillock.so authfail\n"
                        b"auth\tsufficient\t\tpam_faillock.so authsucc\n"
                        b"auth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n")
FAILLOCK_DISA = b"# Configuration for locking the user after multiple failed\naudit\nsilent\ndeny = 3\n" \
                b"fail_interval = 900\nunlock_time = 0\n"
LOGIN_PAM = b"auth       optional   pam_faildelay.so  delay=3000000\n@include common-auth\n@include common-account\n"
SSHD_CONFIG_DEBIAN = (b"# This is the sshd server system-wide configuration file.\n"
                      b"Include /etc/ssh/sshd_config.d/*.conf\n\n#PermitRootLogin prohibit-password\n"
                      b"KbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\n"
                      b"AcceptEnv LANG LC_*\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\n")
SSHD_HARDENED = b"PermitEmptyPasswords no\nPermitUserEnvironment no\n"
GDM_CUSTOM = b"# GDM configuration storage\n\n[daemon]\nAutomaticLoginEnable=false\n\n[security]\n\n[xdmcp]\n"
LIBGCRYPT = "usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1"


def debian_files() -> dict[str, Change]:
    """A Debian 12 container root filesystem as `docker export` of debian:12 gives (trimmed)."""
    return {
        "etc/os-release": OS_RELEASE_DEBIAN, "etc/debian_version": b"12.4\n",
        "etc/passwd": PASSWD_DEBIAN, "etc/group": GROUP_DEBIAN,
        "var/lib/dpkg/status": DPKG_STATUS_DEBIAN,
        "bin/bash": (b"\x7fELF" + b"\x00" * 80, 0o755), "usr/bin/dpkg": (b"\x7fELF" + b"\x00" * 80, 0o755),
        "usr/bin/apt-get": (b"\x7fELF" + b"\x00" * 80, 0o755), "bin/login": (b"\x7fELF" + b"\x00" * 80, 0o755),
        "etc/apt/sources.list.d/debian.sources": DEBIAN_SOURCES,
        "usr/share/keyrings/debian-archive-keyring.gpg": KEYRING,
        "etc/apt/trusted.gpg.d/debian-archive-bookworm-automatic.asc": b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
        "etc/apt/apt.conf.d/docker-clean": b'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n',
        "etc/pam.d/common-auth": COMMON_AUTH_DEBIAN, "etc/pam.d/login": LOGIN_PAM,
        "etc/login.defs": b"PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nUMASK\t\t022\nENCRYPT_METHOD SHA512\n",
        LIBGCRYPT: (b"\x7fELF" + b"\x00" * 80, 0o644),
    }


def alpine_files() -> dict[str, Change]:
    """An Alpine 3.19 root filesystem (apk, busybox) as `docker export` of alpine:3.19 gives (trimmed)."""
    return {
        "etc/os-release": b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
        "etc/alpine-release": b"3.19.1\n",
        "etc/passwd": b"root:x:0:0:root:/root:/bin/ash\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
        "etc/group": b"root:x:0:root\nnobody:x:65534:\n",
        "lib/apk/db/installed": b"C:Q1abc=\nP:busybox\nV:1.36.1-r15\nA:x86_64\n\nP:apk-tools\nV:2.14.0-r5\nA:x86_64\n\n",
        "bin/busybox": (b"\x7fELF" + b"\x00" * 80, 0o755), "sbin/apk": (b"\x7fELF" + b"\x00" * 80, 0o755),
        "etc/apk/repositories": b"https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"
                                b"https://dl-cdn.alpinelinux.org/alpine/v3.19/community\n",
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub": b"-----BEGIN PUBLIC KEY-----\nMIIC\n",
    }


def ubi_files() -> dict[str, Change]:
    """A Red Hat UBI 9 root filesystem (dnf) as `docker export` of ubi9 gives (trimmed)."""
    return {
        "etc/os-release": b'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.3"\n',
        "etc/redhat-release": b"Red Hat Enterprise Linux release 9.3 (Plow)\n",
        "etc/passwd": b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n",
        "etc/group": b"root:x:0:\nnobody:x:65534:\n",
        "usr/bin/dnf": (b"#!/usr/bin/python3\n", 0o755),
        "etc/dnf/dnf.conf": b"[main]\ngpgcheck=1\ninstallonly_limit=3\nclean_requirements_on_remove=True\n"
                            b"best=True\nskip_if_unavailable=False\nlocalpkg_gpgcheck=1\n",
        "etc/yum.repos.d/ubi.repo": b"[ubi-9-baseos-rpms]\nname = Red Hat Universal Base Image 9 (RPMs) - BaseOS\n"
                                    b"baseurl = https://cdn-ubi.redhat.com/content/public/ubi/dist/ubi9/9/$basearch/baseos/os\n"
                                    b"enabled = 1\ngpgkey = file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release\n"
                                    b"gpgcheck = 1\n",
        "etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release": b"-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINB\n",
    }


def write_tree(root: Path, files: dict[str, Change]) -> Path:
    for name, change in files.items():
        target = root / name
        if change is None:
            if target.exists() or target.is_symlink():
                target.unlink()
            continue
        data, mode = change if isinstance(change, tuple) else (change, 0o644)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.chmod(target, mode)
    for needed in ("usr", "bin"):
        (root / needed).mkdir(exist_ok=True)
    return root


def tree(tmp_path: Path, base: dict[str, Change], changes: dict[str, Change] | None = None,
         name: str = "rootfs") -> Path:
    return write_tree(tmp_path / name, {**base, **(changes or {})})


def facts_of(path: Path) -> ImageFacts:
    """The ImageFacts scc's root filesystem reader builds from the tree."""
    return read_input(str(path))[1]


def image(tmp_path: Path, base: dict[str, Change], changes: dict[str, Change] | None = None,
          config: dict | None = None, owners: dict[str, int] | None = None, name: str = "image") -> Path:
    """The same files as one layer of an OCI image layout (owners: path -> uid, written into the tar
    headers, so ownership does not depend on who runs the test); ``config`` is the image config's
    ``config`` object (e.g. {"User": "10001"})."""
    from imagebuild import directory, file, layer_tar, write_oci_layout

    files = {k: v for k, v in {**base, **(changes or {})}.items() if v is not None}
    owners = owners or {}
    dirs = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)} | {"usr", "bin"})
    entries = [directory(d) for d in dirs]
    for path, change in sorted(files.items()):
        data, mode = change if isinstance(change, tuple) else (change, 0o644)
        entries.append(file(path, data, mode, uid=owners.get(path, 0), gid=owners.get(path, 0)))
    root = tmp_path / name
    root.mkdir()
    write_oci_layout(root, [layer_tar(entries)], config=config)
    return root

#: an executable's first bytes (ELF magic), enough for the filesystem scan to classify it by name
ELF_FILE = (b"\x7fELF" + b"\x00" * 80, 0o755)
