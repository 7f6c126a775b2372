"""Deployment checks on each container that runs the assessed image (NSA/CISA Kubernetes Hardening
Guidance; the CTR SRG least-privilege requirement): user, privilege, escalation, capabilities, root
filesystem, seccomp, resource limits, image digest.

A setting left to Kubernetes' default is judged as that default (root allowed, privilege escalation
allowed, writable root, seccomp Unconfined, no limits); how judgements become a verdict is
scc.engine.checks.deployment_support.
"""
from __future__ import annotations

from collections.abc import Iterable

from scc.engine.checks import CheckContext, check
from scc.engine.checks.deployment_support import (
    WORKLOAD_FACTS,
    CapabilitiesParams,
    DeploymentParams,
    Judgement,
    ResourceLimitsParams,
    cited,
    decide,
)
from scc.engine.checks.privilege import NonRootWithoutEscalationParams, non_root_without_escalation
from scc.engine.checks.support import listing, outcome
from scc.engine.manifests import RunningContainer, container_spot, effective, running_containers
from scc.engine.model import CheckOutcome, Verdict
from scc.facts.model import Evidence, ImageFacts

# -- least privilege -------------------------------------------------------------------------------------

def _non_root(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    user, user_at = effective(running, "run_as_user", "runAsUser")
    non_root, non_root_at = effective(running, "run_as_non_root", "runAsNonRoot")
    if user == 0:
        return False, "sets runAsUser 0 (root)", cited(user_at)
    if non_root is True:
        return True, "sets runAsNonRoot true (the kubelet refuses to start it as uid 0)", cited(non_root_at, user_at)
    if isinstance(user, int):
        return True, f"sets runAsUser {user}", cited(user_at)
    if non_root is False:
        return False, "sets runAsNonRoot false and no runAsUser", cited(non_root_at)
    return False, "sets neither runAsNonRoot nor runAsUser (Kubernetes starts it as the image's user, root allowed)", \
        container_spot(running)


@check("k8s_run_as_non_root", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_run_as_non_root(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets runAsNonRoot true or a non-zero runAsUser (own or pod's)."""
    return decide(facts, params, _non_root, "required to run as a non-root user")


def _not_privileged(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    security = running.container.security
    if security.privileged:
        return False, "sets privileged true", cited(security.where.get("privileged"))
    if security.privileged is False:
        return True, "sets privileged false", cited(security.where.get("privileged"))
    return True, "does not set privileged (Kubernetes' default is false)", container_spot(running)


@check("k8s_not_privileged", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_not_privileged(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No container running the image is privileged."""
    return decide(facts, params, _not_privileged, "run unprivileged")


def _no_escalation(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    security = running.container.security
    spot = security.where.get("allowPrivilegeEscalation")
    if security.allow_privilege_escalation is False:
        return True, "sets allowPrivilegeEscalation false", cited(spot)
    if security.allow_privilege_escalation:
        return False, "sets allowPrivilegeEscalation true", cited(spot)
    return False, "does not set allowPrivilegeEscalation false (Kubernetes' default allows escalation)", \
        container_spot(running)


@check("k8s_no_privilege_escalation", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_no_privilege_escalation(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets allowPrivilegeEscalation false."""
    return decide(facts, params, _no_escalation, "denied privilege escalation")


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
            return False, "does not drop ALL capabilities", cited(drop_at) or container_spot(running)
        if added:
            return False, f"adds {listing(added)}", cited(add_at)
        kept = f", adds back only {listing(security.capabilities_add)}" if security.capabilities_add else ""
        return True, f"drops ALL capabilities{kept}", cited(drop_at, add_at)

    return judge


@check("k8s_capabilities_dropped", CapabilitiesParams, consults=WORKLOAD_FACTS)
def k8s_capabilities_dropped(facts: ImageFacts, params: CapabilitiesParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image drops ALL capabilities and adds back none but `allowed_add`."""
    return decide(facts, params, _capabilities(params.allowed_add), "stripped of Linux capabilities")


_LEAST_PRIVILEGE: tuple[tuple[str, Judgement], ...] = (
    ("non-root", _non_root), ("unprivileged", _not_privileged), ("no escalation", _no_escalation),
    ("capabilities", _capabilities(())))


def _least_privilege(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    results = [(judge(running)) for _, judge in _LEAST_PRIVILEGE]
    failing = [(why, spots) for ok, why, spots in results if not ok]
    chosen = failing or [(why, spots) for _, why, spots in results]
    return not failing, ", ".join(why for why, _ in chosen), [e for _, spots in chosen for e in spots]


@check("deployment_least_privilege", NonRootWithoutEscalationParams,
       consults=("config.user", "filesystem.accounts", "filesystem.setuid", "filesystem.setgid", *WORKLOAD_FACTS))
def deployment_least_privilege(facts: ImageFacts, params: NonRootWithoutEscalationParams,
                               ctx: CheckContext) -> CheckOutcome:
    """The image's own least privilege (`non_root_without_escalation`) and, when manifests are supplied, the
    deployment's: non-root, unprivileged, no privilege escalation, ALL capabilities dropped. Without a
    manifest the image's verdict alone."""
    image = non_root_without_escalation(facts, params, ctx)
    if not facts.workloads or not running_containers(facts):
        return image
    deployed = decide(facts, DeploymentParams(), _least_privilege, "run with least privilege")
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
        return True, "sets readOnlyRootFilesystem true", cited(spot)
    if security.read_only_root_filesystem is False:
        return False, "sets readOnlyRootFilesystem false", cited(spot)
    return False, "does not set readOnlyRootFilesystem (Kubernetes' default is a writable root)", \
        container_spot(running)


@check("k8s_read_only_root_filesystem", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_read_only_root_filesystem(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets readOnlyRootFilesystem true."""
    return decide(facts, params, _read_only_root, "given a read-only root filesystem")


def _seccomp(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    profile, spot = effective(running, "seccomp_profile", "seccompProfile")
    if profile in ("RuntimeDefault", "Localhost"):
        return True, f"runs under the {profile} seccomp profile", cited(spot)
    if profile:
        return False, f"sets seccompProfile {profile}", cited(spot)
    return False, ("sets no seccompProfile (Kubernetes' default is Unconfined unless the kubelet's SeccompDefault "
                   "is on)"), container_spot(running)


@check("k8s_seccomp_profile", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_seccomp_profile(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image has seccompProfile RuntimeDefault or Localhost (own or pod's)."""
    return decide(facts, params, _seccomp, "confined by a seccomp profile")


def _limits(resources: Iterable[str]) -> Judgement:
    wanted = list(resources)

    def judge(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
        limits = running.container.limits
        missing = [r for r in wanted if r not in limits]
        if missing:
            return False, f"sets no {' or '.join(missing)} limit", \
                cited(running.container.where.get("resources")) or container_spot(running)
        shown = ", ".join(f"{r} {limits[r]}" for r in wanted)
        return True, f"limits {shown}", cited(*(running.container.where.get(f"limits.{r}") for r in wanted))

    return judge


@check("k8s_resource_limits", ResourceLimitsParams, consults=WORKLOAD_FACTS)
def k8s_resource_limits(facts: ImageFacts, params: ResourceLimitsParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image sets resources.limits for each of `resources` (cpu, memory)."""
    return decide(facts, params, _limits(params.resources), "limited in the resources it may consume")


def _by_digest(running: RunningContainer) -> tuple[bool, str, list[Evidence]]:
    spot = cited(running.container.where.get("image"))
    if running.matched_by == "digest":
        return True, f"pulls {running.container.image} by the assessed digest", spot
    if "@" in running.container.image:
        return False, (f"pulls {running.container.image}, a digest that cannot be compared (the assessed image's "
                       "digest is not known)"), spot
    return False, f"pulls {running.container.image} by tag, which can move to another build", spot


@check("k8s_image_by_digest", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_image_by_digest(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every container running the image pulls it by the assessed image's digest."""
    return decide(facts, params, _by_digest, "pinned to the assessed image by digest")
