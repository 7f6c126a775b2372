"""Kubernetes manifests: YAML or JSON, one object, a ``kind: List``, or a ``---`` stream (``kubectl get -o
yaml``, ``helm template`` with its ``# Source:`` comments, ``kustomize build``).

Records, as written and unjudged, every Pod-bearing object (Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob): its pod settings (host namespaces, hostPath volumes,
service account and token mounting, the pod securityContext) and each container, init and ephemeral
container (image reference, securityContext, resources); NetworkPolicy and ServiceAccount objects too.
Which containers run the assessed image, and what the settings amount to, the engine decides.

Evidence pointers are YAML paths: ``doc 2: /spec/template/spec/containers/0/securityContext/privileged``
(the document's 1-based position in the stream, then an RFC 6901 path in it); a JSON file has the path
alone. YAML is read through ``scc.yamlsafe`` (no anchors or aliases, bounded nesting, at most
``MAX_MANIFEST_BYTES`` of text); a field of the wrong type is a one-line error naming its path.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scc.facts.deploy.yamlpath import Spot, flag, integer, items, mapping, string_map, text
from scc.facts.interface import Reader
from scc.facts.model import (
    Evidence,
    ImageFacts,
    InputFile,
    ManifestContainer,
    ManifestImage,
    ManifestNetworkPolicy,
    ManifestServiceAccount,
    ManifestWorkload,
    SecurityContextFacts,
)
from scc.facts.source import InputDocument
from scc.yamlsafe import YamlRefused, load_all_text

MAX_MANIFEST_BYTES = 8 << 20   # 8 MiB of YAML: far above a rendered chart; ~4 s of CPU with libyaml, ~16 s without

#: where each Pod-bearing kind keeps its pod template spec, and the API groups that define it
POD_SPEC_PATHS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Pod": (("spec",), ("v1",)),
    "ReplicationController": (("spec", "template", "spec"), ("v1",)),
    "Deployment": (("spec", "template", "spec"), ("apps/", "extensions/")),
    "StatefulSet": (("spec", "template", "spec"), ("apps/",)),
    "DaemonSet": (("spec", "template", "spec"), ("apps/", "extensions/")),
    "ReplicaSet": (("spec", "template", "spec"), ("apps/", "extensions/")),
    "Job": (("spec", "template", "spec"), ("batch/",)),
    "CronJob": (("spec", "jobTemplate", "spec", "template", "spec"), ("batch/",)),
}
_OTHER_KINDS = ("NetworkPolicy", "ServiceAccount", "List")
_CONTAINER_ROLES = (("containers", "container"), ("initContainers", "init"), ("ephemeralContainers", "ephemeral"))
_KIND_NAMES = "|".join(sorted({*POD_SPEC_PATHS, *_OTHER_KINDS}))
_YAML_KIND = re.compile(rf"^kind:[ \t]*[\"']?(?:{_KIND_NAMES}|[A-Za-z]+List)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_YAML_API = re.compile(r"^apiVersion:[ \t]*\S", re.MULTILINE)
_HELM_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")


class KubernetesManifestReader(Reader):
    format = "kubernetes-manifest"

    def sniff(self, doc: InputDocument) -> bool:
        if doc.is_dir:
            return False
        data = doc.json
        if isinstance(data, dict):
            return _is_object(data) and (data["kind"] in POD_SPEC_PATHS or data["kind"] in _OTHER_KINDS
                                         or str(data["kind"]).endswith("List"))
        if data is not None or doc.is_xml:
            return False
        content = doc.text or ""
        return bool(_YAML_API.search(content) and _YAML_KIND.search(content))

    def read(self, doc: InputDocument) -> ImageFacts:
        facts = ImageFacts()
        objects = 0
        for spot, data, template in _documents(doc, facts.notes):
            for item_spot, item in _objects(spot, data, facts.notes):
                objects += 1
                _read_object(item_spot, item, template, facts)
        facts.manifest_images = [
            ManifestImage(c.image, w.ref, c.name, c.where.get("image") or c.evidence or doc.evidence())
            for w in facts.workloads for c in w.containers]
        facts.inputs = [InputFile(doc.display_path, doc.sha256, doc.size, self.format, counts=(
            ("objects", objects), ("workloads", len(facts.workloads)),
            ("containers", len(facts.manifest_images)), ("network policies", len(facts.network_policies))))]
        if not facts.workloads:
            facts.notes.append(f"{doc.display_path}: the Kubernetes manifest holds no Pod-bearing object "
                               "(Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod)")
        return facts


def _is_object(data: dict[str, Any]) -> bool:
    return isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)


def _documents(doc: InputDocument, notes: list[str]) -> Iterator[tuple[Spot, Any, str]]:
    """(where, data, Helm template) for each document of the file."""
    data = doc.json
    if data is not None:
        yield Spot(doc, ""), data, ""
        return
    if doc.size > MAX_MANIFEST_BYTES:
        raise doc.fail(f"Kubernetes manifest: {doc.size} bytes, larger than the {MAX_MANIFEST_BYTES >> 20} MiB "
                       "scc reads from a YAML stream")
    content = doc.require_text()
    try:
        documents = load_all_text(content)
    except YamlRefused as exc:
        raise doc.fail(f"Kubernetes manifest: {exc}") from exc
    lines = content.splitlines()
    previous_end = 0
    for document in documents:
        template = _helm_source(lines, previous_end, document.first_line)
        previous_end = document.last_line or previous_end
        if document.data is None:
            continue
        yield Spot(doc, f"doc {document.index}: "), document.data, template


def _helm_source(lines: list[str], after: int, before: int) -> str:
    """The ``# Source: chart/templates/x.yaml`` comment Helm writes above a document, if any."""
    for line in lines[max(after - 1, 0):max(before - 1, 0)]:
        match = _HELM_SOURCE.match(line.strip())
        if match:
            return match.group(1)
    return ""


def _objects(spot: Spot, data: Any, notes: list[str]) -> Iterator[tuple[Spot, dict[str, Any]]]:
    """The Kubernetes objects of one document: itself, or the items of a List."""
    if not isinstance(data, dict):
        raise spot.fail("a Kubernetes object (a mapping with apiVersion and kind)", data)
    if not _is_object(data):
        notes.append(f"{spot.doc.display_path} {spot.pointer}: not a Kubernetes object (no apiVersion and kind); "
                     "ignored")
        return
    kind = data["kind"]
    if kind == "List" or (kind.endswith("List") and "items" in data):
        for index, item in enumerate(items(spot.at("items"), data.get("items"))):
            yield from _objects(spot.at("items", index), item, notes)
        return
    yield spot, data


def _read_object(spot: Spot, data: dict[str, Any], template: str, facts: ImageFacts) -> None:
    kind, api_version = data["kind"], data["apiVersion"]
    metadata = mapping(spot.at("metadata"), data.get("metadata"))
    name = text(spot.at("metadata", "name"), metadata.get("name"))
    namespace = text(spot.at("metadata", "namespace"), metadata.get("namespace"))
    if kind in POD_SPEC_PATHS:
        path, groups = POD_SPEC_PATHS[kind]
        if api_version.startswith(groups) or api_version in groups:
            facts.workloads.append(_workload(spot, data, kind, name, namespace, path, template))
            return
    elif kind == "NetworkPolicy" and api_version.startswith(("networking.k8s.io/", "extensions/")):
        facts.network_policies.append(_network_policy(spot, data, name, namespace))
        return
    elif kind == "ServiceAccount" and api_version == "v1":
        field_spot = spot.at("automountServiceAccountToken")
        automount = flag(field_spot, data.get("automountServiceAccountToken"))
        cited = field_spot if automount is not None else spot
        facts.service_accounts.append(ManifestServiceAccount(name, namespace, automount, cited.evidence()))
        return
    if kind in POD_SPEC_PATHS or kind in ("NetworkPolicy", "ServiceAccount"):
        facts.notes.append(f"{spot.doc.display_path} {spot.pointer}: {kind} of apiVersion {api_version} is not the "
                           "Kubernetes object scc reads; ignored")


def _walk(spot: Spot, data: dict[str, Any], path: tuple[str, ...]) -> tuple[Spot, dict[str, Any]]:
    value: Any = data
    for key in path:
        value = mapping(spot, value).get(key)
        spot = spot.at(key)
    return spot, mapping(spot, value)


def _workload(spot: Spot, data: dict[str, Any], kind: str, name: str, namespace: str,
              path: tuple[str, ...], template: str) -> ManifestWorkload:
    pod_spot, pod = _walk(spot, data, path)
    metadata_spot, pod_metadata = _walk(spot, data, (*path[:-1], "metadata"))   # a Pod's own metadata
    where: dict[str, Evidence] = {}
    if namespace:
        where["namespace"] = spot.at("metadata", "namespace").evidence()
    flags = {}
    for key in ("hostNetwork", "hostPID", "hostIPC", "automountServiceAccountToken"):
        flags[key] = flag(pod_spot.at(key), pod.get(key))
        if key in pod:
            where[key] = pod_spot.at(key).evidence()
    account = text(pod_spot.at("serviceAccountName"), pod.get("serviceAccountName"))
    if "serviceAccountName" in pod:
        where["serviceAccountName"] = pod_spot.at("serviceAccountName").evidence()
    host_paths = []
    for index, volume in enumerate(items(pod_spot.at("volumes"), pod.get("volumes"))):
        volume_spot = pod_spot.at("volumes", index)
        volume = mapping(volume_spot, volume)
        if "hostPath" in volume:
            host = mapping(volume_spot.at("hostPath"), volume["hostPath"])
            volume_name = text(volume_spot.at("name"), volume.get("name"))
            host_paths.append((volume_name, text(volume_spot.at("hostPath", "path"), host.get("path"))))
            where[f"volumes.{volume_name}"] = volume_spot.at("hostPath").evidence()
    containers = tuple(
        _container(pod_spot.at(key, index), entry, role)
        for key, role in _CONTAINER_ROLES
        for index, entry in enumerate(items(pod_spot.at(key), pod.get(key))))
    return ManifestWorkload(
        kind=kind, name=name, namespace=namespace, api_version=data["apiVersion"],
        pod_labels=string_map(metadata_spot.at("labels"), pod_metadata.get("labels")),
        host_network=flags["hostNetwork"], host_pid=flags["hostPID"], host_ipc=flags["hostIPC"],
        host_path_volumes=tuple(host_paths), automount_service_account_token=flags["automountServiceAccountToken"],
        service_account_name=account,
        security=_security_context(pod_spot.at("securityContext"), pod.get("securityContext")),
        containers=containers, template=template, evidence=pod_spot.evidence(), where=where)


def _container(spot: Spot, entry: Any, role: str) -> ManifestContainer:
    entry = mapping(spot, entry)
    where = {"image": spot.at("image").evidence()} if "image" in entry else {}
    resources = mapping(spot.at("resources"), entry.get("resources"))
    quantities: dict[str, dict[str, str]] = {}
    for kind in ("limits", "requests"):
        quantities[kind] = string_map(spot.at("resources", kind), resources.get(kind))
        for resource in quantities[kind]:
            where[f"{kind}.{resource}"] = spot.at("resources", kind, resource).evidence()
    where.setdefault("resources", spot.at("resources").evidence())
    return ManifestContainer(
        name=text(spot.at("name"), entry.get("name")), image=text(spot.at("image"), entry.get("image")),
        role=role, security=_security_context(spot.at("securityContext"), entry.get("securityContext")),
        limits=quantities["limits"], requests=quantities["requests"], evidence=spot.evidence(), where=where)


_CONTEXT_FLAGS = (("privileged", "privileged"), ("allowPrivilegeEscalation", "allow_privilege_escalation"),
                  ("readOnlyRootFilesystem", "read_only_root_filesystem"), ("runAsNonRoot", "run_as_non_root"))


def _security_context(spot: Spot, value: Any) -> SecurityContextFacts:
    context = mapping(spot, value)
    where: dict[str, Evidence] = {}
    values: dict[str, Any] = {}
    for key, attribute in _CONTEXT_FLAGS:
        values[attribute] = flag(spot.at(key), context.get(key))
        if key in context:
            where[key] = spot.at(key).evidence()
    values["run_as_user"] = integer(spot.at("runAsUser"), context.get("runAsUser"))
    if "runAsUser" in context:
        where["runAsUser"] = spot.at("runAsUser").evidence()
    capabilities = mapping(spot.at("capabilities"), context.get("capabilities"))
    for key in ("add", "drop"):
        names = items(spot.at("capabilities", key), capabilities.get(key))
        values[f"capabilities_{key}"] = tuple(text(spot.at("capabilities", key, i), n) for i, n in enumerate(names))
        if key in capabilities:
            where[f"capabilities.{key}"] = spot.at("capabilities", key).evidence()
    seccomp = mapping(spot.at("seccompProfile"), context.get("seccompProfile"))
    values["seccomp_profile"] = text(spot.at("seccompProfile", "type"), seccomp.get("type"))
    if "type" in seccomp:
        where["seccompProfile"] = spot.at("seccompProfile", "type").evidence()
    if context:
        where.setdefault("securityContext", spot.evidence())
    return SecurityContextFacts(**values, where=where)


def _network_policy(spot: Spot, data: dict[str, Any], name: str, namespace: str) -> ManifestNetworkPolicy:
    spec_spot, spec = _walk(spot, data, ("spec",))
    selector_spot = spec_spot.at("podSelector")
    selector = mapping(selector_spot, spec.get("podSelector"))
    expressions = []
    for index, expression in enumerate(items(selector_spot.at("matchExpressions"), selector.get("matchExpressions"))):
        expression_spot = selector_spot.at("matchExpressions", index)
        expression = mapping(expression_spot, expression)
        values = items(expression_spot.at("values"), expression.get("values"))
        expressions.append((text(expression_spot.at("key"), expression.get("key")),
                            text(expression_spot.at("operator"), expression.get("operator")),
                            tuple(text(expression_spot.at("values", i), v) for i, v in enumerate(values))))
    types = items(spec_spot.at("policyTypes"), spec.get("policyTypes"))
    return ManifestNetworkPolicy(
        name=name, namespace=namespace,
        match_labels=string_map(selector_spot.at("matchLabels"), selector.get("matchLabels")),
        match_expressions=tuple(expressions),
        policy_types=tuple(text(spec_spot.at("policyTypes", i), t) for i, t in enumerate(types)),
        ingress_rules=len(items(spec_spot.at("ingress"), spec.get("ingress"))),
        egress_rules=len(items(spec_spot.at("egress"), spec.get("egress"))),
        evidence=spot.evidence())


READER = KubernetesManifestReader()
