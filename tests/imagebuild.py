"""Build tiny container images for tests, with tarfile/json/hashlib only (no docker daemon).

    layer = layer_tar([file("etc/passwd", b"root:x:0:0::/root:/bin/sh\\n"), symlink("bin/sh", "busybox")])
    digest = write_oci_layout(tmp_path / "img", [layer], config={"User": "app"})

Layers are given as tar bytes (plain) and gzipped when written unless ``compress=False``; the
config's rootfs.diff_ids are computed from the uncompressed bytes, as real builders do.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from scc.facts.image.gobuildinfo import encode_buildinfo

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class Entry:
    name: str
    kind: bytes = tarfile.REGTYPE
    data: bytes = b""
    linkname: str = ""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0


def file(name: str, data: bytes = b"", mode: int = 0o644, uid: int = 0, gid: int = 0) -> Entry:
    return Entry(name, tarfile.REGTYPE, data, "", mode, uid, gid)


def directory(name: str, mode: int = 0o755) -> Entry:
    return Entry(name, tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> Entry:
    return Entry(name, tarfile.SYMTYPE, linkname=target, mode=0o777)


def hardlink(name: str, target: str) -> Entry:
    return Entry(name, tarfile.LNKTYPE, linkname=target)


def device(name: str) -> Entry:
    return Entry(name, tarfile.CHRTYPE)


def whiteout(path: str) -> Entry:
    parent, _, base = path.rpartition("/")
    return file(f"{parent}/.wh.{base}" if parent else f".wh.{base}")


def opaque(directory_path: str) -> Entry:
    return file(f"{directory_path}/.wh..wh..opq")


def layer_tar(entries: list[Entry]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type, info.mode, info.uid, info.gid = entry.kind, entry.mode, entry.uid, entry.gid
            info.linkname, info.mtime = entry.linkname, 1700000000
            info.size = len(entry.data) if entry.kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(entry.data) if info.size else None)
    return buffer.getvalue()


def fake_elf(*payloads: bytes, size: int = 4096) -> bytes:
    """An 'ELF executable': the ELF magic, padding, then the payloads (e.g. a Go build-info blob)."""
    body = b"\x7fELF\x02\x01\x01" + b"\0" * 57 + b"\0".join(payloads)
    return body + b"\0" * max(0, size - len(body))


def go_binary(go_version: str, *settings: str, path: str = "example.com/app", extra: bytes = b"") -> bytes:
    modinfo = f"path\t{path}\nmod\t{path}\t(devel)\t\n" + "".join(f"build\t{s}\n" for s in settings)
    return fake_elf(b"\0" * 3000, encode_buildinfo(go_version, modinfo), extra, size=16384)


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_config(diff_ids: list[str], config: dict | None = None, architecture: str = "amd64") -> dict:
    return {
        "architecture": architecture, "os": "linux", "created": "2024-05-01T10:00:00Z",
        "config": {"User": "app", "Env": ["PATH=/usr/bin:/bin", "API_TOKEN=do-not-store"], "Cmd": ["/app"],
                   **(config or {})},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "test"} for _ in diff_ids],
    }


class _Blobs:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        digest = _sha(data)
        (self.root / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
        return digest


def _image_manifest(blobs: _Blobs, layers: list[bytes], config: dict | None, compress: bool,
                    architecture: str = "amd64", diff_ids: list[str] | None = None,
                    annotations: dict[str, str] | None = None) -> tuple[str, int]:
    stored = [gzip.compress(layer, mtime=0) if compress else layer for layer in layers]
    config_blob = json.dumps(image_config(diff_ids or [_sha(x) for x in layers], config, architecture)).encode()
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": blobs.put(config_blob), "size": len(config_blob)},
        "layers": [{"mediaType": OCI_LAYER_GZ if compress else OCI_LAYER, "digest": blobs.put(b), "size": len(b)}
                   for b in stored],
    }
    if annotations:
        manifest["annotations"] = annotations
    data = json.dumps(manifest).encode()
    return blobs.put(data), len(data)


def write_oci_layout(root: Path, layers: list[bytes], config: dict | None = None, compress: bool = True,
                     name: str = "registry.example/team/app:1.0", diff_ids: list[str] | None = None,
                     manifest_annotations: dict[str, str] | None = None) -> str:
    """An OCI image layout directory holding one image (its manifest carrying ``manifest_annotations``);
    returns the manifest digest."""
    blobs = _Blobs(root)
    digest, size = _image_manifest(blobs, layers, config, compress, diff_ids=diff_ids,
                                   annotations=manifest_annotations)
    annotations = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
    _write_index(root, [{"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "annotations": annotations,
                         "platform": {"architecture": "amd64", "os": "linux"}}])
    return digest


def write_multi_platform_layout(root: Path, layers: list[bytes], platforms: list[str]) -> dict[str, str]:
    """An OCI layout whose index.json points at a nested image index of one image per platform."""
    blobs = _Blobs(root)
    descriptors, digests = [], {}
    for platform in platforms:
        os_name, architecture, *variant = platform.split("/")
        digest, size = _image_manifest(blobs, layers, {"Labels": {"platform": platform}}, True, architecture)
        entry = {"os": os_name, "architecture": architecture, **({"variant": variant[0]} if variant else {})}
        descriptors.append({"mediaType": OCI_MANIFEST, "digest": digest, "size": size, "platform": entry})
        digests[platform] = digest
    attestation = blobs.put(b'{"schemaVersion":2,"layers":[]}')
    descriptors.append({"mediaType": OCI_MANIFEST, "digest": attestation, "size": 31,
                        "platform": {"architecture": "unknown", "os": "unknown"},
                        "annotations": {"vnd.docker.reference.type": "attestation-manifest"}})
    nested = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors}).encode()
    _write_index(root, [{"mediaType": OCI_INDEX, "digest": blobs.put(nested), "size": len(nested),
                         "annotations": {"io.containerd.image.name": "docker.io/library/multi:2"}}])
    return digests


def _write_index(root: Path, manifests: list[dict]) -> None:
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}))


def tar_directory(root: Path, target: Path, compress: bool = False) -> Path:
    """The directory ``root`` as a tar (members relative to it), gzipped when ``compress``."""
    with tarfile.open(target, "w:gz" if compress else "w") as tar:
        for path in sorted(root.rglob("*")):
            tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
    return target


def write_docker_save(target: Path, layers: list[bytes], repo_tag: str = "example/legacy:2.1",
                      config: dict | None = None) -> str:
    """A legacy `docker save` tar (<id>/layer.tar, <config>.json, manifest.json, repositories); a
    repeated layer is written as a symlink to the first copy, as Docker does. Returns the image ID."""
    diff_ids = [_sha(x) for x in layers]
    config_blob = json.dumps(image_config(diff_ids, config)).encode()
    image_id = _sha(config_blob).split(":")[1]
    members: list[tuple[str, bytes | str]] = []
    seen: dict[str, str] = {}
    layer_paths = []
    for index, layer in enumerate(layers):
        layer_id = hashlib.sha256(layer + str(index).encode()).hexdigest()
        path = f"{layer_id}/layer.tar"
        digest = _sha(layer)
        if digest in seen:
            members.append((path, "../" + seen[digest]))
        else:
            members.append((path, layer))
            seen[digest] = path
        layer_paths.append(path)
    manifest = [{"Config": f"{image_id}.json", "RepoTags": [repo_tag], "Layers": layer_paths}]
    members += [(f"{image_id}.json", config_blob), ("manifest.json", json.dumps(manifest).encode()),
                ("repositories", b"{}")]
    with tarfile.open(target, "w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return "sha256:" + image_id
