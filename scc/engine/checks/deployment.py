"""Deployment checks (NSA/CISA Kubernetes Hardening Guidance; CTR SRG requirements the deployment decides):
how the supplied Kubernetes manifests run the assessed image.

Each check judges the containers that run the assessed image (scc.engine.manifests.running_containers:
by digest, else by repository and tag) and their pods. No manifest → manual; manifests that never run
the image → manual naming the images they do run; a setting left to Kubernetes' default is judged as
that default (root allowed, privilege escalation allowed, seccomp Unconfined, no limits, the token
mounted). ``best_verdict``/``limit`` cap a satisfied verdict where the requirement is the platform's
enforcement, which one workload's manifest cannot show.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from scc.engine.checks import CheckContext, check
from scc.engine.checks.privilege import NonRootWithoutEscalationParams, non_root_without_escalation
from scc.engine.checks.support import at_most, listing, manual, outcome, plural
from scc.engine.manifests import (
    RunningContainer,
    container_spot,
    effective,
    isolated_directions,
    running_containers,
    same_namespace,
    selects,
)
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Evidence, ImageFacts, ManifestWorkload

_NO_MANIFEST = ("No Kubernetes deployment manifest was supplied; supply the manifests that run the image "
                "(kubectl get -o yaml, helm template or kustomize build output) to decide this.")
_WORKLOAD_FACTS = ("workloads", "identity.name", "identity.tag", "identity.digest")

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


def _not_running(facts: ImageFacts) -> CheckOutcome:
    images = sorted({c.image for w in facts.workloads for c in w.containers if c.image})
    return manual(
        f"No container in the supplied manifests ({plural(len(facts.workloads), 'workload')}) runs the assessed "
        f"image {facts.identity.reference}; they run {listing(images) or 'no image'}. Supply the manifest that "
        "deploys it.", [w.evidence for w in facts.workloads if w.evidence][:5], images=images)


def _decide(facts: ImageFacts, params: DeploymentParams, judge: Judgement, what: str) -> CheckOutcome:
    """Judge every container that runs the image: any failing → not-satisfied, else satisfied (capped)."""
    if not facts.workloads:
        return manual(_NO_MANIFEST)
    running = running_containers(facts)
    if not running:
        return _not_running(facts)
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


def _decide_pods(facts: ImageFacts, params: DeploymentParams,
                 judge: Callable[[ManifestWorkload], tuple[bool, str, list[Evidence]]], what: str) -> CheckOutcome:
    """As `_decide`, per workload that runs the image (pod-level settings)."""
    def per_container(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
        return judge(running.workload)

    if not facts.workloads:
        return manual(_NO_MANIFEST)
    running = running_containers(facts)
    if not running:
        return _not_running(facts)
    one_each = list({id(r.workload): r for r in running}.values())
    judged = [(r, *judge(r.workload)) for r in one_each]
    failing = [(r.workload.ref, why, spots) for r, ok, why, spots in judged if not ok]
    chosen = failing or [(r.workload.ref, why, spots) for r, ok, why, spots in judged]
    evidence = [e for _, _, spots in chosen for e in spots][:30]
    details = {"workloads": [r.workload.ref for r in one_each], "failing": [f"{w}: {why}" for w, why, _ in failing]}
    sentences = "; ".join(f"{w} {why}" for w, why, _ in chosen[:5])
    if failing:
        return outcome(Verdict.NOT_SATISFIED, f"Not {what}: {sentences}.", evidence, **details)
    result = outcome(Verdict.SATISFIED, f"{what[:1].upper()}{what[1:]}: {sentences}.", evidence, **details)
    return at_most(result, params.best_verdict, params.limit)


def _spots(*found: Evidence | None) -> list[Evidence]:
    return [e for e in found if e is not None]


# -- least privilege -------------------------------------------------------------------------------------

def _non_root(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    user, user_at = effective(running, "run_as_user", "runAsUser")
    non_root, non_root_at = effective(running, "run_as_non_root", "runAsNonRoot")
    if user == 0:
        return False, "sets runAsUser 0 (root)", _spots(user_at)
    if non_root is True:
        return True, "sets runAsNonRoot true (the kubelet refuses to start it as uid 0)", _spots(non_root_at, user_at)
    if isinstance(user, int):
        return True, f"sets runAsUser {user}", _spots(user_at)
    if non_root is False:
        return False, "sets runAsNonRoot false and no runAsUser", _spots(non_root_at)
    return False, "sets neither runAsNonRoot nor runAsUser (Kubernetes starts it as the image's user, root allowed)", \
        container_spot(running)


@check("k8s_run_as_non_root", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_run_as_non_root(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets runAsNonRoot true or a non-zero runAsUser (own or pod's)."""
    return _decide(facts, params, _non_root, "required to run as a non-root user")


def _not_privileged(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    security = running.container.security
    if security.privileged:
        return False, "sets privileged true", _spots(security.where.get("privileged"))
    if security.privileged is False:
        return True, "sets privileged false", _spots(security.where.get("privileged"))
    return True, "does not set privileged (Kubernetes' default is false)", container_spot(running)


@check("k8s_not_privileged", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_not_privileged(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No container running the image is privileged."""
    return _decide(facts, params, _not_privileged, "run unprivileged")


def _no_escalation(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    security = running.container.security
    spot = security.where.get("allowPrivilegeEscalation")
    if security.allow_privilege_escalation is False:
        return True, "sets allowPrivilegeEscalation false", _spots(spot)
    if security.allow_privilege_escalation:
        return False, "sets allowPrivilegeEscalation true", _spots(spot)
    return False, "does not set allowPrivilegeEscalation false (Kubernetes' default allows escalation)", \
        container_spot(running)


@check("k8s_no_privilege_escalation", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_no_privilege_escalation(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets allowPrivilegeEscalation false."""
    return _decide(facts, params, _no_escalation, "denied privilege escalation")


def _capability(name: str) -> str:
    upper = name.strip().upper()
    return upper.removeprefix("CAP_")


def _capabilities(allowed: Iterable[str]) -> Judgement:
    permitted = {_capability(n) for n in allowed}

    def judge(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
        security = running.container.security
        drop_at, add_at = security.where.get("capabilities.drop"), security.where.get("capabilities.add")
        added = [n for n in security.capabilities_add if _capability(n) not in permitted]
        if "ALL" not in {_capability(n) for n in security.capabilities_drop}:
            return False, "does not drop ALL capabilities", _spots(drop_at) or container_spot(running)
        if added:
            return False, f"adds {listing(added)}", _spots(add_at)
        kept = f", adds back only {listing(security.capabilities_add)}" if security.capabilities_add else ""
        return True, f"drops ALL capabilities{kept}", _spots(drop_at, add_at)

    return judge


@check("k8s_capabilities_dropped", CapabilitiesParams, consults=_WORKLOAD_FACTS)
def k8s_capabilities_dropped(facts: ImageFacts, params: CapabilitiesParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image drops ALL capabilities and adds back none but `allowed_add`."""
    return _decide(facts, params, _capabilities(params.allowed_add), "stripped of Linux capabilities")


_LEAST_PRIVILEGE: tuple[tuple[str, Judgement], ...] = (
    ("non-root", _non_root), ("unprivileged", _not_privileged), ("no escalation", _no_escalation),
    ("capabilities", _capabilities(())))


def _least_privilege(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    results = [(judge(running)) for _, judge in _LEAST_PRIVILEGE]
    failing = [(why, spots) for ok, why, spots in results if not ok]
    chosen = failing or [(why, spots) for _, why, spots in results]
    return not failing, ", ".join(why for why, _ in chosen), [e for _, spots in chosen for e in spots]


@check("deployment_least_privilege", NonRootWithoutEscalationParams,
       consults=("config.user", "filesystem.accounts", "filesystem.setuid", "filesystem.setgid", *_WORKLOAD_FACTS))
def deployment_least_privilege(facts: ImageFacts, params: NonRootWithoutEscalationParams,
                               ctx: CheckContext) -> CheckOutcome:
    """The image's own least privilege (`non_root_without_escalation`) and, when manifests are supplied, the
    deployment's: non-root, unprivileged, no privilege escalation, ALL capabilities dropped. Without a
    manifest the image's verdict alone."""
    image = non_root_without_escalation(facts, params, ctx)
    if not facts.workloads or not running_containers(facts):
        return image
    deployed = _decide(facts, DeploymentParams(), _least_privilege, "run with least privilege")
    evidence = [*deployed.evidence, *image.evidence]
    details = {**image.details, **deployed.details}
    if deployed.verdict is Verdict.NOT_SATISFIED or image.verdict is Verdict.NOT_SATISFIED:
        return outcome(Verdict.NOT_SATISFIED, f"{deployed.reason} {image.reason}", evidence, **details)
    return CheckOutcome(image.verdict, f"{deployed.reason} {image.reason}", tuple(dict.fromkeys(evidence)), details)


# -- isolation and integrity -----------------------------------------------------------------------------

def _read_only_root(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    security = running.container.security
    spot = security.where.get("readOnlyRootFilesystem")
    if security.read_only_root_filesystem:
        return True, "sets readOnlyRootFilesystem true", _spots(spot)
    if security.read_only_root_filesystem is False:
        return False, "sets readOnlyRootFilesystem false", _spots(spot)
    return False, "does not set readOnlyRootFilesystem (Kubernetes' default is a writable root)", \
        container_spot(running)


@check("k8s_read_only_root_filesystem", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_read_only_root_filesystem(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets readOnlyRootFilesystem true."""
    return _decide(facts, params, _read_only_root, "given a read-only root filesystem")


def _seccomp(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    profile, spot = effective(running, "seccomp_profile", "seccompProfile")
    if profile in ("RuntimeDefault", "Localhost"):
        return True, f"runs under the {profile} seccomp profile", _spots(spot)
    if profile:
        return False, f"sets seccompProfile {profile}", _spots(spot)
    return False, ("sets no seccompProfile (Kubernetes' default is Unconfined unless the kubelet's SeccompDefault "
                   "is on)"), container_spot(running)


@check("k8s_seccomp_profile", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_seccomp_profile(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image has seccompProfile RuntimeDefault or Localhost (own or pod's)."""
    return _decide(facts, params, _seccomp, "confined by a seccomp profile")


def _host_resources(workload: ManifestWorkload) -> tuple[bool, str, list[Evidence]]:
    shared = [(key, flag) for key, flag in (("hostNetwork", workload.host_network), ("hostPID", workload.host_pid),
                                            ("hostIPC", workload.host_ipc)) if flag]
    problems = [f"sets {key} true" for key, _ in shared]
    problems += [f"mounts hostPath {path or '(no path)'} (volume {name})" for name, path in workload.host_path_volumes]
    spots = [workload.where[key] for key, _ in shared if key in workload.where]
    spots += [workload.where[f"volumes.{name}"] for name, _ in workload.host_path_volumes
              if f"volumes.{name}" in workload.where]
    if problems:
        return False, ", ".join(problems), spots
    return True, "shares no host namespace and mounts no hostPath volume", _spots(workload.evidence)


@check("k8s_no_host_resources", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_no_host_resources(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No pod running the image shares the host's network, PID or IPC namespace or mounts a hostPath."""
    return _decide_pods(facts, params, _host_resources, "kept off the host's namespaces and filesystem")


def _limits(resources: Iterable[str]) -> Judgement:
    wanted = list(resources)

    def judge(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
        limits = running.container.limits
        missing = [r for r in wanted if r not in limits]
        if missing:
            return False, f"sets no {' or '.join(missing)} limit", \
                _spots(running.container.where.get("resources")) or container_spot(running)
        shown = ", ".join(f"{r} {limits[r]}" for r in wanted)
        return True, f"limits {shown}", _spots(*(running.container.where.get(f"limits.{r}") for r in wanted))

    return judge


@check("k8s_resource_limits", ResourceLimitsParams, consults=_WORKLOAD_FACTS)
def k8s_resource_limits(facts: ImageFacts, params: ResourceLimitsParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets resources.limits for each of `resources` (cpu, memory)."""
    return _decide(facts, params, _limits(params.resources), "limited in the resources it may consume")


def _by_digest(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    spot = _spots(running.container.where.get("image"))
    if running.matched_by == "digest":
        return True, f"pulls {running.container.image} by the assessed digest", spot
    if "@" in running.container.image:
        return False, (f"pulls {running.container.image}, a digest that cannot be compared (the assessed image's "
                       "digest is not known)"), spot
    return False, f"pulls {running.container.image} by tag, which can move to another build", spot


@check("k8s_image_by_digest", DeploymentParams, consults=_WORKLOAD_FACTS)
def k8s_image_by_digest(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image pulls it by the assessed image's digest."""
    return _decide(facts, params, _by_digest, "pinned to the assessed image by digest")


# -- service account token and network policy --------------------------------------------------------------

def _token(facts: ImageFacts) -> Callable[[ManifestWorkload], tuple[bool, str, list[Evidence]]]:
    def judge(workload: ManifestWorkload) -> tuple[bool, str, list[Evidence]]:
        spot = workload.where.get("automountServiceAccountToken")
        if workload.automount_service_account_token is not None:
            mounted = workload.automount_service_account_token
            return not mounted, f"sets automountServiceAccountToken {str(mounted).lower()}", _spots(spot)
        account = workload.service_account_name or "default"
        named = [a for a in facts.service_accounts if a.name == account and a.namespace == workload.namespace
                 and a.automount_service_account_token is not None]
        if named:
            mounted = bool(named[0].automount_service_account_token)
            return not mounted, (f"leaves token mounting to ServiceAccount {account}, which sets "
                                 f"automountServiceAccountToken {str(mounted).lower()}"), _spots(named[0].evidence)
        return False, (f"does not set automountServiceAccountToken false (nor does ServiceAccount {account} in the "
                       "manifests): Kubernetes mounts the API token"), _spots(workload.evidence)

    return judge


@check("k8s_service_account_token", DeploymentParams, consults=(*_WORKLOAD_FACTS, "service_accounts"))
def k8s_service_account_token(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No pod running the image mounts a service account token (pod setting, else its ServiceAccount's)."""
    return _decide_pods(facts, params, _token(facts), "kept from the Kubernetes API token")


def _network(facts: ImageFacts) -> Callable[[ManifestWorkload], tuple[bool, str, list[Evidence]]]:
    def judge(workload: ManifestWorkload) -> tuple[bool, str, list[Evidence]]:
        chosen = [p for p in facts.network_policies
                  if same_namespace(p, workload) is not False and selects(p, workload.pod_labels)]
        certain = [p for p in chosen if same_namespace(p, workload)]
        directions = set().union(*(isolated_directions(p) for p in certain)) if certain else set()
        spots = _spots(*(p.evidence for p in certain)) or _spots(workload.evidence)
        names = listing(p.name for p in certain)
        if directions >= {"Ingress", "Egress"}:
            return True, f"is isolated for ingress and egress by NetworkPolicy {names}", spots
        if directions:
            missing = "egress" if "Ingress" in directions else "ingress"
            return False, f"is isolated by NetworkPolicy {names}, but not for {missing}", spots
        return False, "is selected by no NetworkPolicy of its namespace (all traffic allowed)", spots

    return judge


@check("k8s_network_policy", DeploymentParams, consults=(*_WORKLOAD_FACTS, "network_policies"))
def k8s_network_policy(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """A NetworkPolicy in the manifests selects the pods running the image and isolates them for ingress and
    egress. No NetworkPolicy supplied at all → manual; a policy whose namespace is not written while the
    workload's is (or the reverse) is not counted."""
    if facts.workloads and running_containers(facts) and not facts.network_policies:
        return manual("The supplied manifests hold no NetworkPolicy; supply the policies of the namespace the image "
                      "runs in (kubectl get networkpolicy -o yaml) or review them in the cluster.",
                      [w.evidence for w in facts.workloads if w.evidence][:5])
    return _decide_pods(facts, params, _network(facts), "isolated by a network policy")
