"""Deployment checks on each pod that runs the assessed image (NSA/CISA Kubernetes Hardening Guidance; the
CTR SRG privileged-resources requirement): host namespaces and paths, the service account token, network
policy. How judgements become a verdict is scc.engine.checks.deployment_support.
"""
from __future__ import annotations

from collections.abc import Callable

from scc.engine.checks import CheckContext, check
from scc.engine.checks.deployment_support import WORKLOAD_FACTS, DeploymentParams, cited, decide_pods
from scc.engine.checks.support import listing, manual
from scc.engine.manifests import isolated_directions, running_containers, same_namespace, selects
from scc.engine.model import CheckOutcome
from scc.facts.model import Evidence, ImageFacts, ManifestWorkload


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
    return True, "shares no host namespace and mounts no hostPath volume", cited(workload.evidence)


@check("k8s_no_host_resources", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_no_host_resources(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No pod running the image shares the host's network, PID or IPC namespace or mounts a hostPath."""
    return decide_pods(facts, params, _host_resources, "kept off the host's namespaces and filesystem")


# -- service account token and network policy --------------------------------------------------------------

def _token(facts: ImageFacts) -> Callable[[ManifestWorkload], tuple[bool, str, list[Evidence]]]:
    def judge(workload: ManifestWorkload) -> tuple[bool, str, list[Evidence]]:
        spot = workload.where.get("automountServiceAccountToken")
        if workload.automount_service_account_token is not None:
            mounted = workload.automount_service_account_token
            return not mounted, f"sets automountServiceAccountToken {str(mounted).lower()}", cited(spot)
        account = workload.service_account_name or "default"
        named = [a for a in facts.service_accounts if a.name == account and a.namespace == workload.namespace
                 and a.automount_service_account_token is not None]
        if named:
            mounted = bool(named[0].automount_service_account_token)
            return not mounted, (f"leaves token mounting to ServiceAccount {account}, which sets "
                                 f"automountServiceAccountToken {str(mounted).lower()}"), cited(named[0].evidence)
        return False, (f"does not set automountServiceAccountToken false (nor does ServiceAccount {account} in the "
                       "manifests): Kubernetes mounts the API token"), cited(workload.evidence)

    return judge


@check("k8s_service_account_token", DeploymentParams, consults=(*WORKLOAD_FACTS, "service_accounts"))
def k8s_service_account_token(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """No pod running the image mounts a service account token (pod setting, else its ServiceAccount's)."""
    return decide_pods(facts, params, _token(facts), "kept from the Kubernetes API token")


def _network(facts: ImageFacts) -> Callable[[ManifestWorkload], tuple[bool, str, list[Evidence]]]:
    def judge(workload: ManifestWorkload) -> tuple[bool, str, list[Evidence]]:
        chosen = [p for p in facts.network_policies
                  if same_namespace(p, workload) is not False and selects(p, workload.pod_labels)]
        certain = [p for p in chosen if same_namespace(p, workload)]
        directions = set().union(*(isolated_directions(p) for p in certain)) if certain else set()
        spots = cited(*(p.evidence for p in certain)) or cited(workload.evidence)
        names = listing(p.name for p in certain)
        if directions >= {"Ingress", "Egress"}:
            return True, f"is isolated for ingress and egress by NetworkPolicy {names}", spots
        if directions:
            missing = "egress" if "Ingress" in directions else "ingress"
            return False, f"is isolated by NetworkPolicy {names}, but not for {missing}", spots
        return False, "is selected by no NetworkPolicy of its namespace (all traffic allowed)", spots

    return judge


@check("k8s_network_policy", DeploymentParams, consults=(*WORKLOAD_FACTS, "network_policies"))
def k8s_network_policy(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """A NetworkPolicy in the manifests selects the pods running the image and isolates them for ingress and
    egress. No NetworkPolicy supplied at all → manual; a policy whose namespace is not written while the
    workload's is (or the reverse) is not counted."""
    if facts.workloads and running_containers(facts) and not facts.network_policies:
        return manual("The supplied manifests hold no NetworkPolicy; supply the policies of the namespace the image "
                      "runs in (kubectl get networkpolicy -o yaml) or review them in the cluster.",
                      [w.evidence for w in facts.workloads if w.evidence][:5])
    return decide_pods(facts, params, _network(facts), "isolated by a network policy")


#: namespaces Kubernetes creates; a workload placed in one shares it with everything else put there
DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _namespace(workload: ManifestWorkload) -> tuple[bool | None, str, list[Evidence]]:
    spot = cited(workload.where.get("namespace"), workload.evidence)[:1]
    if not workload.namespace:
        return None, "writes no namespace (it runs in whichever namespace it is applied to)", spot
    if workload.namespace in DEFAULT_NAMESPACES:
        return False, f"runs in the {workload.namespace} namespace, which Kubernetes creates", spot
    return True, f"runs in its own namespace {workload.namespace}", spot


@check("k8s_dedicated_namespace", DeploymentParams, consults=WORKLOAD_FACTS)
def k8s_dedicated_namespace(facts: ImageFacts, params: DeploymentParams, ctx: CheckContext) -> CheckOutcome:
    """Every workload running the image is placed in a namespace of its own, not default, kube-system,
    kube-public or kube-node-lease; a manifest that writes no namespace → manual."""
    return decide_pods(facts, params, _namespace, "placed in a dedicated namespace")
