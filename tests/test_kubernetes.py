"""Kubernetes manifests: the reader (YAML streams, Lists, Helm and kustomize output, JSON), image matching,
the deployment checks both ways with their YAML-path evidence, hostile YAML, and a CLI package run."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scc.engine.checks import CheckContext, registry
from scc.engine.manifests import image_match, parse_reference, running_containers
from scc.engine.model import Verdict
from scc.errors import InputError
from scc.facts import expand_inputs, read_input
from scc.facts.deploy import kubernetes
from scc.facts.model import ImageFacts, ImageIdentity
from scc.facts.source import InputDocument
from tests.conftest import EXAMPLE, REPO, run_scc

DATA = REPO / "tests" / "data" / "kubernetes"
DIGEST = "sha256:13999cd3aa55da2aedcc598aeacde8d219b4a9f5b1a554929c20f3e2a543651d"
DEMO = ImageIdentity(name="registry.example.mil/platform/demo-api", tag="1.4.2", digest=DIGEST)
CTX = CheckContext(now=datetime(2026, 12, 1, tzinfo=UTC))
K8S_CHECKS = ("k8s_run_as_non_root", "k8s_not_privileged", "k8s_no_privilege_escalation", "k8s_capabilities_dropped",
              "k8s_read_only_root_filesystem", "k8s_no_host_resources", "k8s_seccomp_profile", "k8s_resource_limits",
              "k8s_image_by_digest", "k8s_service_account_token", "k8s_network_policy", "k8s_dedicated_namespace")


def manifest_facts(path: Path, identity: ImageIdentity = DEMO) -> ImageFacts:
    facts = read_input(str(path))[1]
    facts.identity = identity
    return facts


def judge(name: str, facts: ImageFacts, **params: object):
    spec = registry()[name]
    return spec.function(facts, spec.params(**params), CTX)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- reading ------------------------------------------------------------------------------------------------

def test_helm_stream_records_workload_containers_and_policies() -> None:
    facts = manifest_facts(DATA / "helm-demo-api.yaml")
    (workload,) = facts.workloads
    assert workload.ref == "Deployment/demo/demo-api"
    assert workload.template == "demo-api/templates/deployment.yaml"
    assert workload.evidence.pointer == "doc 3: /spec/template/spec"
    roles = {c.name: c.role for c in workload.containers}
    assert roles == {"demo-api": "container", "log-shipper": "container", "migrate": "init"}
    api = next(c for c in workload.containers if c.name == "demo-api")
    assert api.security.capabilities_drop == ("ALL",)
    assert api.security.where["readOnlyRootFilesystem"].pointer == \
        "doc 3: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem"
    assert api.limits == {"cpu": "500m"} and api.requests == {"cpu": "100m", "memory": "128Mi"}
    assert workload.security.seccomp_profile == "RuntimeDefault" and workload.security.run_as_user == 10001
    assert [p.name for p in facts.network_policies] == ["default-deny-all", "demo-api-allow-http"]
    assert facts.service_accounts[0].automount_service_account_token is False
    assert {(m.reference, m.container) for m in facts.manifest_images} == {
        (f"registry.example.mil/platform/demo-api@{DIGEST}", "demo-api"),
        (f"registry.example.mil/platform/demo-api@{DIGEST}", "migrate"),
        ("docker.io/fluent/fluent-bit:3.0.4", "log-shipper")}
    assert all(m.workload == "Deployment/demo/demo-api" and m.evidence.pointer.endswith("/image")
               for m in facts.manifest_images)
    assert dict(facts.inputs[0].counts)["objects"] == 5 and facts.inputs[0].format == "kubernetes-manifest"


def test_kubectl_list_items_are_read_with_their_item_path() -> None:
    facts = manifest_facts(DATA / "kubectl-list.yaml")
    (workload,) = facts.workloads
    assert workload.host_network is True
    assert workload.host_path_volumes == (("host-etc", "/etc"),)
    assert workload.where["volumes.host-etc"].pointer == "doc 1: /items/0/spec/template/spec/volumes/0/hostPath"
    assert workload.containers[0].security.capabilities_add == ("NET_ADMIN", "CAP_SYS_TIME")


def test_kustomize_output_reads_cronjob_and_job_nesting() -> None:
    facts = manifest_facts(DATA / "kustomize-jobs.yaml")
    cron, job = facts.workloads
    assert (cron.kind, cron.evidence.pointer) == ("CronJob", "doc 2: /spec/jobTemplate/spec/template/spec")
    assert cron.pod_labels == {"app": "report"} and cron.template == ""
    assert (job.kind, job.evidence.pointer) == ("Job", "doc 3: /spec/template/spec")
    assert facts.network_policies[0].match_expressions == (("app", "In", ("report",)),)


def test_json_manifest_has_plain_json_pointers(tmp_path: Path) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
           "spec": {"containers": [{"name": "c", "image": "registry.example.mil/platform/demo-api:1.4.2",
                                    "securityContext": {"privileged": True}}]}}
    facts = manifest_facts(write(tmp_path, "pod.json", json.dumps(pod)))
    container = facts.workloads[0].containers[0]
    assert container.security.where["privileged"].pointer == "/spec/containers/0/securityContext/privileged"
    assert facts.workloads[0].pod_labels == {"a": "b"}


def test_sniff_claims_manifests_only(tmp_path: Path) -> None:
    assert kubernetes.READER.sniff(InputDocument(DATA / "helm-demo-api.yaml"))
    assert not kubernetes.READER.sniff(InputDocument(EXAMPLE / "overrides.yaml"))
    assert not kubernetes.READER.sniff(InputDocument(write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\n")))
    assert not kubernetes.READER.sniff(InputDocument(EXAMPLE / "image-config.json"))


def test_a_folder_takes_manifest_yaml_and_passes_over_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_bytes((DATA / "helm-demo-api.yaml").read_bytes())
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n", encoding="utf-8")
    inputs, notes = expand_inputs([str(tmp_path)])
    assert inputs == [str(tmp_path / "deploy.yaml")]
    assert any("values.yaml: passed over" in n for n in notes)


# -- image matching --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("reference", "repository", "tag", "digest"), [
    ("nginx", "docker.io/library/nginx", "", ""),
    ("nginx:1.27", "docker.io/library/nginx", "1.27", ""),
    ("bitnami/redis:7@sha256:ABC", "docker.io/bitnami/redis", "7", "sha256:abc"),
    ("Registry.Example:5000/a/b:2", "registry.example:5000/a/b", "2", ""),
    ("localhost/app", "localhost/app", "", ""),
])
def test_parse_reference_fills_docker_defaults(reference: str, repository: str, tag: str, digest: str) -> None:
    parsed = parse_reference(reference)
    assert (parsed.repository, parsed.tag, parsed.digest) == (repository, tag, digest)


@pytest.mark.parametrize(("reference", "expected"), [
    (f"registry.example.mil/platform/demo-api@{DIGEST}", "digest"),
    (f"other.example/x@{DIGEST}", "digest"),                     # the digest is the image, wherever it is pulled
    ("registry.example.mil/platform/demo-api@sha256:" + "0" * 64, ""),
    ("registry.example.mil/platform/demo-api:1.4.2", "name"),
    ("registry.example.mil/platform/demo-api:1.4.1", ""),
    ("registry.example.mil/platform/demo-api", ""),              # latest is not 1.4.2
    ("docker.io/library/busybox:1.36", ""),
])
def test_image_match_by_digest_then_name(reference: str, expected: str) -> None:
    assert image_match(reference, DEMO) == expected


def test_image_match_by_name_when_the_digest_is_not_known() -> None:
    identity = replace(DEMO, digest="")
    assert image_match(f"registry.example.mil/platform/demo-api@{DIGEST}", identity) == "name"


def test_only_containers_running_the_image_are_judged() -> None:
    facts = manifest_facts(DATA / "helm-demo-api.yaml")
    assert sorted(r.container.name for r in running_containers(facts)) == ["demo-api", "migrate"]


# -- checks both ways --------------------------------------------------------------------------------------------

HELM_SATISFIED = {
    "k8s_run_as_non_root": "doc 3: /spec/template/spec/securityContext/runAsNonRoot",
    "k8s_not_privileged": "doc 3: /spec/template/spec/containers/0",
    "k8s_no_privilege_escalation": "doc 3: /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation",
    "k8s_capabilities_dropped": "doc 3: /spec/template/spec/containers/0/securityContext/capabilities/drop",
    "k8s_read_only_root_filesystem": "doc 3: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem",
    "k8s_no_host_resources": "doc 3: /spec/template/spec",
    "k8s_seccomp_profile": "doc 3: /spec/template/spec/securityContext/seccompProfile/type",
    "k8s_image_by_digest": "doc 3: /spec/template/spec/containers/0/image",
    "k8s_service_account_token": "doc 1: /automountServiceAccountToken",
    "k8s_network_policy": "doc 4: /",
}
LIST_NOT_SATISFIED = {
    "k8s_run_as_non_root": "doc 1: /items/0/spec/template/spec/containers/0",
    "k8s_not_privileged": "doc 1: /items/0/spec/template/spec/containers/0/securityContext/privileged",
    "k8s_no_privilege_escalation": "doc 1: /items/0/spec/template/spec/containers/0",
    "k8s_capabilities_dropped": "doc 1: /items/0/spec/template/spec/containers/0",
    "k8s_read_only_root_filesystem": "doc 1: /items/0/spec/template/spec/containers/0",
    "k8s_no_host_resources": "doc 1: /items/0/spec/template/spec/hostNetwork",
    "k8s_seccomp_profile": "doc 1: /items/0/spec/template/spec/containers/0",
    "k8s_resource_limits": "doc 1: /items/0/spec/template/spec/containers/0/resources",
    "k8s_image_by_digest": "doc 1: /items/0/spec/template/spec/containers/0/image",
    "k8s_service_account_token": "doc 1: /items/0/spec/template/spec",
}


@pytest.mark.parametrize("name", sorted(HELM_SATISFIED))
def test_hardened_helm_deployment_satisfies(name: str) -> None:
    result = judge(name, manifest_facts(DATA / "helm-demo-api.yaml"))
    assert result.verdict is Verdict.SATISFIED, result.reason
    assert HELM_SATISFIED[name] in [e.pointer for e in result.evidence]
    assert all(e.source.endswith("helm-demo-api.yaml") and len(e.sha256) == 64 for e in result.evidence)


@pytest.mark.parametrize("name", sorted(LIST_NOT_SATISFIED))
def test_weak_deployment_is_not_satisfied(name: str) -> None:
    result = judge(name, manifest_facts(DATA / "kubectl-list.yaml"))
    assert result.verdict is Verdict.NOT_SATISFIED, result.reason
    assert LIST_NOT_SATISFIED[name] in [e.pointer for e in result.evidence]
    assert "Deployment/default/demo-api" in result.reason


def test_missing_memory_limit_is_the_helm_deployments_weakness() -> None:
    result = judge("k8s_resource_limits", manifest_facts(DATA / "helm-demo-api.yaml"))
    assert result.verdict is Verdict.NOT_SATISFIED
    assert "container demo-api sets no memory limit" in result.reason
    assert [e.pointer for e in result.evidence] == ["doc 3: /spec/template/spec/containers/0/resources"]


def test_cronjob_root_user_unconfined_seccomp_and_ingress_only_policy() -> None:
    facts = manifest_facts(DATA / "kustomize-jobs.yaml")
    root = judge("k8s_run_as_non_root", facts)
    assert root.verdict is Verdict.NOT_SATISFIED and "runAsUser 0" in root.reason
    seccomp = judge("k8s_seccomp_profile", facts)
    assert seccomp.verdict is Verdict.NOT_SATISFIED and "Unconfined" in seccomp.reason
    network = judge("k8s_network_policy", facts)
    assert network.verdict is Verdict.NOT_SATISFIED and "not for egress" in network.reason
    assert "recognised by repository and tag only" in judge("k8s_resource_limits", facts).reason


def test_capabilities_allowed_to_be_added_back() -> None:
    facts = manifest_facts(DATA / "kubectl-list.yaml")
    workload = facts.workloads[0]
    container = workload.containers[0]
    security = replace(container.security, capabilities_drop=("ALL",))
    facts.workloads = [replace(workload, containers=(replace(container, security=security),))]
    assert judge("k8s_capabilities_dropped", facts).verdict is Verdict.NOT_SATISFIED
    allowed = judge("k8s_capabilities_dropped", facts, allowed_add=["net_admin", "SYS_TIME"])
    assert allowed.verdict is Verdict.SATISFIED and "adds back only NET_ADMIN, CAP_SYS_TIME" in allowed.reason


@pytest.mark.parametrize("name", K8S_CHECKS)
def test_without_a_manifest_every_deployment_check_is_manual(name: str) -> None:
    result = judge(name, ImageFacts(identity=DEMO))
    assert result.verdict is Verdict.MANUAL and "No Kubernetes deployment manifest" in result.reason


@pytest.mark.parametrize("name", K8S_CHECKS)
def test_manifests_that_do_not_run_the_image_are_manual(name: str) -> None:
    facts = manifest_facts(DATA / "helm-demo-api.yaml", identity=ImageIdentity(name="docker.io/library/nginx"))
    result = judge(name, facts)
    assert result.verdict is Verdict.MANUAL and "runs the assessed image" in result.reason


def test_no_network_policy_supplied_is_manual() -> None:
    result = judge("k8s_network_policy", manifest_facts(DATA / "kubectl-list.yaml"))
    assert result.verdict is Verdict.MANUAL and "no NetworkPolicy" in result.reason


def test_srg_rows_cap_a_clean_manifest_at_manual_and_keep_the_image_verdict_without_one() -> None:
    facts = manifest_facts(DATA / "helm-demo-api.yaml")
    capped = judge("k8s_no_host_resources", facts, best_verdict="manual", limit="Review admission.")
    assert capped.verdict is Verdict.MANUAL and capped.reason.endswith("Review admission.")
    plain = ImageFacts(identity=DEMO)
    image_only = registry()["non_root_without_escalation"]
    expected = image_only.function(plain, image_only.params(best_verdict="manual"), CTX)
    assert judge("deployment_least_privilege", plain, best_verdict="manual") == expected
    weak = judge("deployment_least_privilege", manifest_facts(DATA / "kubectl-list.yaml"), best_verdict="manual")
    assert weak.verdict is Verdict.NOT_SATISFIED and "sets privileged true" in weak.reason


# -- hostile and malformed YAML -----------------------------------------------------------------------------

BOMB = "apiVersion: v1\nkind: Pod\nmetadata:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a]\n"


@pytest.mark.parametrize(("text", "problem"), [
    (BOMB, "YAML anchors (&a) are not accepted"),
    ("apiVersion: v1\nkind: Pod\n---\n- just\n- a list\n", "doc 2: /: expected a Kubernetes object"),
    ("apiVersion: v1\nkind: Pod\nspec:\n  containers: {name: c}\n", "doc 1: /spec/containers: expected a list"),
    ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: 'yes'\n",
     "doc 1: /spec/containers/0/securityContext/privileged: expected true or false, got text"),
    ("apiVersion: v1\nkind: Pod\nspec:\n  hostPID: 1\n", "doc 1: /spec/hostPID: expected true or false"),
    ("apiVersion: v1\nkind: Pod\nkind: Pod\n", "key 'kind' is given twice"),
    ("apiVersion: v1\nkind: Pod\nspec: " + "[" * 200 + "]" * 200 + "\n", "nested more than"),
])
def test_hostile_or_malformed_yaml_is_one_line_error(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError) as raised:
        read_input(str(path))
    message = str(raised.value)
    assert problem in message and "bad.yaml" in message and "\n" not in message


def test_huge_stream_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubernetes, "MAX_MANIFEST_BYTES", 4096)
    path = write(tmp_path, "big.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n"
                 + "".join(f"    k{i}: v\n" for i in range(1000)))
    with pytest.raises(InputError, match="larger than"):
        read_input(str(path))


def test_documents_that_are_not_objects_are_noted_and_empty_ones_skipped(tmp_path: Path) -> None:
    text = "---\n# Source: c/templates/x.yaml\n---\nfoo: bar\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n"
    facts = read_input(str(write(tmp_path, "mixed.yaml", text)))[1]
    assert any("doc 2: /: not a Kubernetes object" in n for n in facts.notes)
    assert any("holds no Pod-bearing object" in n for n in facts.notes)
    assert facts.service_accounts[0].evidence.pointer == "doc 3: /"


# -- through the CLI ----------------------------------------------------------------------------------------

def test_scc_package_reads_the_manifest(capsys: pytest.CaptureFixture[str], tmp_path: Path, no_content: None) -> None:
    out = tmp_path / "pkg"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE / "image"), str(DATA / "helm-demo-api.yaml"),
                              "--formats", "hdf", "--out", str(out), "--quiet")
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(i.get("format") == "kubernetes-manifest" for i in manifest["inputs"]), manifest["inputs"]
    hdf = (out / "hdf.json").read_text(encoding="utf-8")
    assert "doc 3: /spec/template/spec/containers/0/resources" in hdf


def test_scc_package_refuses_hostile_manifest(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              no_content: None) -> None:
    bad = write(tmp_path, "bomb.yaml", BOMB)
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE / "image"), str(bad), "--out", str(tmp_path / "p"))
    assert code == 2 and "bomb.yaml" in err and "anchors" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p").exists()


def test_namespace_default_is_a_finding_and_unset_is_manual(tmp_path: Path) -> None:
    assert judge("k8s_dedicated_namespace", manifest_facts(DATA / "kubectl-list.yaml")).verdict is Verdict.NOT_SATISFIED
    own = judge("k8s_dedicated_namespace", manifest_facts(DATA / "helm-demo-api.yaml"))
    assert own.verdict is Verdict.SATISFIED and [e.pointer for e in own.evidence] == ["doc 3: /metadata/namespace"]
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: " \
          "registry.example.mil/platform/demo-api:1.4.2\n"
    unset = judge("k8s_dedicated_namespace", manifest_facts(write(tmp_path, "pod.yaml", pod)))
    assert unset.verdict is Verdict.MANUAL and "writes no namespace" in unset.reason


def test_stream_of_too_many_documents_is_refused() -> None:
    from scc.yamlsafe import YamlRefused, load_all_text

    assert [d.index for d in load_all_text("a: 1\n---\nb: 2\n")] == [1, 2]
    with pytest.raises(YamlRefused, match="more than 3 YAML documents"):
        load_all_text("a: 1\n---\n" * 5, max_documents=3)


def test_limits_set_on_the_cronjob_satisfy_and_the_pod_token_setting_wins(tmp_path: Path) -> None:
    facts = manifest_facts(DATA / "kustomize-jobs.yaml")
    limits = judge("k8s_resource_limits", facts)
    assert limits.verdict is Verdict.SATISFIED and "limits cpu 1, memory 256Mi" in limits.reason
    text = (DATA / "helm-demo-api.yaml").read_text(encoding="utf-8").replace(
        "      serviceAccountName: demo-api\n", "      serviceAccountName: demo-api\n      automountServiceAccountToken: true\n")
    token = judge("k8s_service_account_token", manifest_facts(write(tmp_path, "token.yaml", text)))
    assert token.verdict is Verdict.NOT_SATISFIED
    assert [e.pointer for e in token.evidence] == ["doc 3: /spec/template/spec/automountServiceAccountToken"]
