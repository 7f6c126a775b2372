"""The shipped example's deployment manifest (examples/demo-image/deployment.yaml), read with the rest of the
example folder: it runs the assessed image by digest, hardened, and leaves out the memory limit on purpose."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from conftest import EXAMPLE

from scc.engine.checks import CheckContext, registry
from scc.engine.model import Verdict
from scc.facts import read_inputs
from scc.facts.model import ImageFacts

MANIFEST = EXAMPLE / "deployment.yaml"
CONTAINER = "doc 3: /spec/template/spec/containers/0"


@pytest.fixture(scope="module")
def facts() -> ImageFacts:
    return read_inputs([str(EXAMPLE)])


def judge(name: str, facts: ImageFacts):
    spec = registry()[name]
    return spec.function(facts, spec.params(), CheckContext(now=datetime(2026, 12, 1, tzinfo=UTC)))


def test_the_manifest_runs_the_example_image_by_its_digest(facts: ImageFacts) -> None:
    deployment = list(yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")))[2]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"{facts.identity.name}@{facts.identity.digest}"
    verdict = judge("k8s_image_by_digest", facts)
    assert verdict.verdict is Verdict.SATISFIED
    assert [e.pointer for e in verdict.evidence] == [f"{CONTAINER}/image"]


@pytest.mark.parametrize(("check", "pointer"), [
    ("k8s_run_as_non_root", "doc 3: /spec/template/spec/securityContext/runAsNonRoot"),
    ("k8s_not_privileged", f"{CONTAINER}/securityContext/privileged"),
    ("k8s_no_privilege_escalation", f"{CONTAINER}/securityContext/allowPrivilegeEscalation"),
    ("k8s_capabilities_dropped", f"{CONTAINER}/securityContext/capabilities/drop"),
    ("k8s_read_only_root_filesystem", f"{CONTAINER}/securityContext/readOnlyRootFilesystem"),
    ("k8s_seccomp_profile", "doc 3: /spec/template/spec/securityContext/seccompProfile/type"),
    ("k8s_service_account_token", "doc 3: /spec/template/spec/automountServiceAccountToken"),
    ("k8s_no_host_resources", "doc 3: /spec/template/spec"),
    ("k8s_dedicated_namespace", "doc 3: /metadata/namespace"),
])
def test_the_hardened_settings_are_satisfied_where_the_manifest_writes_them(facts: ImageFacts, check: str,
                                                                             pointer: str) -> None:
    verdict = judge(check, facts)
    assert verdict.verdict is Verdict.SATISFIED, verdict.reason
    assert pointer in [e.pointer for e in verdict.evidence]
    assert all(e.source.endswith("deployment.yaml") for e in verdict.evidence)


def test_the_default_deny_and_allow_policies_isolate_both_ways(facts: ImageFacts) -> None:
    verdict = judge("k8s_network_policy", facts)
    assert verdict.verdict is Verdict.SATISFIED
    assert "default-deny-all" in verdict.reason
    assert [e.pointer for e in verdict.evidence] == ["doc 4: /", "doc 5: /", "doc 6: /"]


def test_the_missing_memory_limit_is_the_examples_weakness(facts: ImageFacts) -> None:
    deployment = list(yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")))[2]
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert "memory" not in resources["limits"] and "memory" in resources["requests"]
    verdict = judge("k8s_resource_limits", facts)
    assert verdict.verdict is Verdict.NOT_SATISFIED and "sets no memory limit" in verdict.reason
    assert [e.pointer for e in verdict.evidence] == [f"{CONTAINER}/resources"]


@pytest.mark.parametrize(("control", "person_check"), [
    ("sc-7", "network plugin enforces NetworkPolicy"),
    ("ac-4", "network plugin enforces NetworkPolicy"),
    ("cm-2", "rest of the baseline configuration"),
])
def test_a_manifest_alone_never_satisfies_what_the_cluster_must_enforce(control: str, person_check: str) -> None:
    """Policies as written and a pinned digest are part of SC-7, AC-4 and CM-2: the rule pack caps them at partial
    and the statement names what a person must confirm, though the checks themselves pass."""
    import scc

    assessment = scc.assess([str(EXAMPLE)])
    result = assessment.control_result(control)
    assert result is not None
    assert result.verdict is Verdict.PARTIAL
    deployment = [r for r in result.rule_results if r.rule.id in ("k8s-network-policy", "k8s-image-by-digest")]
    assert deployment and all(r.verdict is Verdict.PARTIAL for r in deployment)
    assert any(person_check in " ".join(r.statement.split()) for r in deployment)
