"""What a deployment manifest's raw facts amount to: which containers run the assessed image, the
securityContext that applies to each, and which NetworkPolicies select a workload's pods.

Pure functions over ImageFacts, used by the deployment checks (scc.engine.checks.deployment). The Kubernetes
semantics decided here: a container's own securityContext field wins over the pod's (runAsNonRoot,
runAsUser, seccompProfile); an image reference without a registry is on docker.io (``library/`` for a
single name) and without a tag is ``latest``; a NetworkPolicy selects the pods of its namespace whose
labels match its podSelector (``{}`` selects all), and isolates them for Ingress, plus Egress when it
lists Egress or, without policyTypes, has egress rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scc.facts.model import (
    Evidence,
    ImageFacts,
    ImageIdentity,
    ManifestContainer,
    ManifestNetworkPolicy,
    ManifestWorkload,
)


@dataclass(frozen=True)
class ImageReference:
    """An image reference split as the distribution reference grammar does: repository, tag, digest."""

    repository: str
    tag: str
    digest: str


@dataclass(frozen=True)
class RunningContainer:
    """A container of a workload that runs the assessed image, and how that was recognised."""

    workload: ManifestWorkload
    container: ManifestContainer
    matched_by: str          # "digest" or "name" (repository and tag; the digest is not pinned or not known)

    @property
    def label(self) -> str:
        role = "" if self.container.role == "container" else f"{self.container.role} "
        return f"{self.workload.ref} {role}container {self.container.name or '(unnamed)'}"


def parse_reference(reference: str) -> ImageReference:
    """``[registry/]path[:tag][@digest]`` with Docker's defaults filled in (docker.io, library/, latest)."""
    name, _, digest = reference.strip().partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return ImageReference(normalise_repository(name), tag, digest.lower())


def normalise_repository(name: str) -> str:
    """'nginx' -> 'docker.io/library/nginx'; 'reg.example:5000/a/b' stays; the registry host lower-cased."""
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        first, rest = "docker.io", name
    if first in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        first = "docker.io"
        if "/" not in rest:
            rest = f"library/{rest}"
    return f"{first.lower()}/{rest}"


def image_match(reference: str, identity: ImageIdentity) -> str:
    """'digest' when the reference pins the assessed image's digest; 'name' when it names the assessed
    repository and tag without a digest to compare; '' when it is another image."""
    if not reference or not identity.name:
        return ""
    ref = parse_reference(reference)
    same_repository = ref.repository == normalise_repository(identity.name.split("@", 1)[0])
    if ref.digest and identity.digest:
        return "digest" if ref.digest == identity.digest.lower() else ""
    if not same_repository:
        return ""
    if ref.digest:
        return "name"
    return "name" if not identity.tag or (ref.tag or "latest") == identity.tag else ""


def running_containers(facts: ImageFacts) -> list[RunningContainer]:
    """Every container (init and ephemeral included) of every workload that runs the assessed image."""
    found = []
    for workload in facts.workloads:
        for container in workload.containers:
            matched = image_match(container.image, facts.identity)
            if matched:
                found.append(RunningContainer(workload, container, matched))
    return found


def effective(running: RunningContainer, attribute: str, key: str) -> tuple[Any, Evidence | None]:
    """A securityContext setting as it applies to the container (its own, else the pod's) and where it is
    written; (None, None) when neither writes it."""
    own = getattr(running.container.security, attribute)
    if own is not None and own != "":
        return own, running.container.security.where.get(key)
    pod = getattr(running.workload.security, attribute)
    if pod is not None and pod != "":
        return pod, running.workload.security.where.get(key)
    return None, None


def container_spot(running: RunningContainer) -> list[Evidence]:
    """The container entry, cited when a setting it lacks is the finding."""
    return [running.container.evidence] if running.container.evidence else []


def same_namespace(policy: ManifestNetworkPolicy, workload: ManifestWorkload) -> bool | None:
    """True/False when both namespaces are written (or neither: the same ``kubectl apply -n``); None when only
    one is, so whether they meet depends on where the file is applied."""
    if bool(policy.namespace) != bool(workload.namespace):
        return None
    return policy.namespace == workload.namespace


def selects(policy: ManifestNetworkPolicy, labels: dict[str, str]) -> bool:
    """Whether the policy's podSelector matches pods with ``labels`` (matchLabels and matchExpressions)."""
    if any(labels.get(key) != value for key, value in policy.match_labels.items()):
        return False
    for key, operator, values in policy.match_expressions:
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False   # the API server refuses an unknown operator; such a policy selects nothing
    return True


def isolated_directions(policy: ManifestNetworkPolicy) -> set[str]:
    """The directions the policy isolates its pods in: {'Ingress', 'Egress'} or a part of it."""
    if policy.policy_types:
        return {t for t in policy.policy_types if t in ("Ingress", "Egress")}
    return {"Ingress", "Egress"} if policy.egress_rules else {"Ingress"}
