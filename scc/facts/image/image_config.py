"""Image configuration: OCI / Docker schema2 image config JSON and `docker inspect` output.

Gives the runtime ImageConfig (user, entrypoint, ports, healthcheck...) with a JSON pointer per
field, and the image identity. Environment variables are kept by NAME only: the value after the
first '=' is dropped here and never stored (secrets are routinely passed through ENV).
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import ImageConfig, ImageFacts, ImageIdentity
from scc.facts.scans.vulnparse import digest_from_repo_digests, split_image_reference
from scc.facts.source import InputDocument, json_pointer

#: ImageConfig field -> key in the image config's "config" object
_FIELDS = {
    "user": "User", "entrypoint": "Entrypoint", "cmd": "Cmd", "env_names": "Env",
    "exposed_ports": "ExposedPorts", "healthcheck": "Healthcheck", "labels": "Labels",
    "workdir": "WorkingDir", "volumes": "Volumes", "stop_signal": "StopSignal",
}


def read_config(doc: InputDocument, config: Any, pointer: str, where: str) -> ImageConfig:
    """The ImageConfig from a Docker/OCI ``config`` object found at ``pointer`` (``where`` for errors).

    Shared with the readers of other documents that embed an image config (Trivy's Metadata).
    """
    config = jf.obj(doc, config, where)
    at = jf.join  # shorter below

    result = ImageConfig(
        user=jf.text(doc, config.get("User"), at(where, "User")),
        entrypoint=_command(doc, config.get("Entrypoint"), at(where, "Entrypoint")),
        cmd=_command(doc, config.get("Cmd"), at(where, "Cmd")),
        env_names=_env_names(doc, config.get("Env"), at(where, "Env")),
        exposed_ports=tuple(sorted(jf.obj(doc, config.get("ExposedPorts"), at(where, "ExposedPorts")))),
        healthcheck=_healthcheck(doc, config.get("Healthcheck"), at(where, "Healthcheck")),
        labels=_labels(doc, config.get("Labels"), at(where, "Labels")),
        workdir=jf.text(doc, config.get("WorkingDir"), at(where, "WorkingDir")),
        volumes=tuple(sorted(jf.obj(doc, config.get("Volumes"), at(where, "Volumes")))),
        stop_signal=jf.text(doc, config.get("StopSignal"), at(where, "StopSignal")),
        evidence=[doc.evidence(pointer)],
    )
    result.field_evidence = {
        name: doc.evidence(f"{pointer}{json_pointer(key)}" if key in config else pointer)
        for name, key in _FIELDS.items()
    }
    return result


def _command(doc: InputDocument, value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):  # legacy shell form
        return (value,)
    return tuple(jf.texts(doc, value, where))


def _env_names(doc: InputDocument, value: Any, where: str) -> tuple[str, ...]:
    names = []
    for i, entry in enumerate(jf.arr(doc, value, where)):
        if not isinstance(entry, str):  # the message must not echo the entry: it may be a secret
            raise doc.fail(f"{where}[{i}]: expected a NAME=value string")
        name = entry.split("=", 1)[0].strip()
        if name:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _healthcheck(doc: InputDocument, value: Any, where: str) -> tuple[str, ...] | None:
    """None when no healthcheck is declared (or Test is empty: inherit); ('NONE',) = disabled."""
    test = jf.texts(doc, jf.obj(doc, value, where).get("Test"), jf.join(where, "Test"))
    return tuple(test) if test else None


def _labels(doc: InputDocument, value: Any, where: str) -> dict[str, str]:
    return {str(k): jf.text(doc, v, jf.join(where, str(k))) for k, v in jf.obj(doc, value, where).items()}


class ImageConfigReader(Reader):
    """An OCI image config / Docker schema2 config, or `docker inspect <image>` output (a JSON array)."""

    format = "image-config"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        return _is_oci_config(data) or _is_docker_inspect(data)

    def read(self, doc: InputDocument) -> ImageFacts:
        if isinstance(doc.json, list):
            return _read_docker_inspect(doc)
        data = jf.obj(doc, doc.json, "document")
        facts = ImageFacts(config=read_config(doc, data.get("config"), "/config", "config"))
        facts.identity = ImageIdentity(
            os=jf.text(doc, data.get("os"), "os"),
            architecture=jf.text(doc, data.get("architecture"), "architecture"),
            created=parse_time(jf.text(doc, data.get("created"), "created")),
            evidence=(doc.evidence(""),),
        )
        facts.inputs = [input_record(doc, "oci-image-config", facts)]
        return facts


def _is_oci_config(data: Any) -> bool:
    if not isinstance(data, dict) or "bomFormat" in data or "SchemaVersion" in data:
        return False
    has_rootfs = isinstance(data.get("rootfs"), dict)
    has_config = isinstance(data.get("config"), dict) and "architecture" in data
    return (has_rootfs and ("architecture" in data or "os" in data)) or has_config


def _is_docker_inspect(data: Any) -> bool:
    return (isinstance(data, list) and bool(data) and isinstance(data[0], dict)
            and "Id" in data[0] and "Config" in data[0])


def _read_docker_inspect(doc: InputDocument) -> ImageFacts:
    entries = jf.objs(doc, doc.json, "document")
    if not entries:
        raise doc.fail("docker inspect output holds no image")
    image = entries[0]
    facts = ImageFacts(config=read_config(doc, image.get("Config"), "/0/Config", "[0].Config"))
    facts.identity = _inspect_identity(doc, image)
    if len(entries) > 1:
        facts.notes.append(f"{doc.display_path}: docker inspect lists {len(entries)} objects; "
                           "only the first is read")
    facts.inputs = [input_record(doc, "docker-inspect", facts)]
    return facts


def _inspect_identity(doc: InputDocument, image: dict[str, Any]) -> ImageIdentity:
    tags = jf.texts(doc, image.get("RepoTags"), "[0].RepoTags")
    repo_digests = jf.texts(doc, image.get("RepoDigests"), "[0].RepoDigests")
    name, tag, _ = split_image_reference(tags[0] if tags else "")
    if not name and repo_digests:
        name = split_image_reference(repo_digests[0])[0]
    digest = digest_from_repo_digests(repo_digests, name) or jf.text(doc, image.get("Id"), "[0].Id")
    return ImageIdentity(
        name=name, tag=tag, digest=digest,
        os=jf.text(doc, image.get("Os"), "[0].Os"),
        architecture=jf.text(doc, image.get("Architecture"), "[0].Architecture"),
        created=parse_time(jf.text(doc, image.get("Created"), "[0].Created")),
        evidence=(doc.evidence("/0"),),
    )


READER = ImageConfigReader()
