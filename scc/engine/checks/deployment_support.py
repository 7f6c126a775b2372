"""Shared by the deployment checks (scc.engine.checks.deployment, deployment_pods): their parameters and
the one way each turns per-container or per-pod judgements into a verdict.

Registers no check. No manifest → manual; manifests that never run the assessed image → manual naming the
images they do run; any container (or pod) judged wrong → not-satisfied naming it and citing the YAML
path; all judged right → satisfied, capped at ``best_verdict`` with ``limit`` appended where the
requirement is the platform's enforcement, which one workload's manifest cannot show.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scc.engine.checks.support import at_most, listing, manual, outcome, plural
from scc.engine.manifests import RunningContainer, running_containers
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Evidence, ImageFacts, ManifestWorkload

NO_MANIFEST = ("No Kubernetes deployment manifest was supplied; supply the manifests that run the image "
                "(kubectl get -o yaml, helm template or kustomize build output) to decide this.")
WORKLOAD_FACTS = ("workloads", "identity.name", "identity.tag", "identity.digest")

Judgement = Callable[[RunningContainer], tuple[bool, str, list[Evidence]]]


@dataclass(frozen=True)
class DeploymentParams(CheckParams):
    """Parameters of the deployment checks: a ceiling on the verdict and the sentence that explains it."""

    best_verdict: str = "satisfied"
    limit: str = ""


@dataclass(frozen=True)
class CapabilitiesParams(DeploymentParams):
    """Parameters of `k8s_capabilities_dropped`: the capabilities a container may add back."""

    allowed_add: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResourceLimitsParams(DeploymentParams):
    """Parameters of `k8s_resource_limits`: the resources every container must limit."""

    resources: list[str] = field(default_factory=lambda: ["cpu", "memory"])


def not_running(facts: ImageFacts) -> CheckOutcome:
    images = sorted({c.image for w in facts.workloads for c in w.containers if c.image})
    return manual(
        f"No container in the supplied manifests ({plural(len(facts.workloads), 'workload')}) runs the assessed "
        f"image {facts.identity.reference}; they run {listing(images) or 'no image'}. Supply the manifest that "
        "deploys it.", [w.evidence for w in facts.workloads if w.evidence][:5], images=images)


def decide(facts: ImageFacts, params: DeploymentParams, judge: Judgement, what: str) -> CheckOutcome:
    """Judge every container that runs the image: any failing → not-satisfied, else satisfied (capped)."""
    if not facts.workloads:
        return manual(NO_MANIFEST)
    running = running_containers(facts)
    if not running:
        return not_running(facts)
    judged = [(r, *judge(r)) for r in running]
    failing = [(r, why, spots) for r, ok, why, spots in judged if not ok]
    chosen = failing or [(r, why, spots) for r, ok, why, spots in judged]
    evidence = [e for _, _, spots in chosen for e in spots][:30]
    details = {"containers": [r.label for r in running], "failing": [f"{r.label}: {why}" for r, why, _ in failing]}
    sentences = "; ".join(f"{r.label} {why}" for r, why, _ in chosen[:5])
    more = f" (and {len(chosen) - 5} more)" if len(chosen) > 5 else ""
    if failing:
        return outcome(Verdict.NOT_SATISFIED, f"Not {what}: {sentences}{more}.", evidence, **details)
    by_name = [r.label for r in running if r.matched_by == "name"]
    caveat = (f" ({listing(by_name)} recognised by repository and tag only, not by digest.)" if by_name else "")
    result = outcome(Verdict.SATISFIED, f"{what[:1].upper()}{what[1:]}: {sentences}{more}.{caveat}", evidence,
                     **details)
    return at_most(result, params.best_verdict, params.limit)


def decide_pods(facts: ImageFacts, params: DeploymentParams,
                judge: Callable[[ManifestWorkload], tuple[bool | None, str, list[Evidence]]],
                what: str) -> CheckOutcome:
    """As `decide`, per workload that runs the image (pod-level settings); a judgement of None (the manifest
    cannot tell) makes the verdict manual unless another workload fails."""
    if not facts.workloads:
        return manual(NO_MANIFEST)
    running = running_containers(facts)
    if not running:
        return not_running(facts)
    one_each = list({id(r.workload): r.workload for r in running}.values())
    judged = [(w.ref, *judge(w)) for w in one_each]
    failing = [(ref, why, spots) for ref, ok, why, spots in judged if ok is False]
    undecided = [(ref, why, spots) for ref, ok, why, spots in judged if ok is None]
    chosen = failing or undecided or [(ref, why, spots) for ref, _ok, why, spots in judged]
    evidence = [e for _, _, spots in chosen for e in spots][:30]
    details = {"workloads": [w.ref for w in one_each], "failing": [f"{ref}: {why}" for ref, why, _ in failing]}
    sentences = "; ".join(f"{ref} {why}" for ref, why, _ in chosen[:5])
    if failing:
        return outcome(Verdict.NOT_SATISFIED, f"Not {what}: {sentences}.", evidence, **details)
    if undecided:
        return manual(f"Cannot tell whether {what}: {sentences}.", evidence, **details)
    result = outcome(Verdict.SATISFIED, f"{what[:1].upper()}{what[1:]}: {sentences}.", evidence, **details)
    return at_most(result, params.best_verdict, params.limit)


def cited(*found: Evidence | None) -> list[Evidence]:
    return [e for e in found if e is not None]
