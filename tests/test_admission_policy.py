"""Admission policies as the registry allow-list: Kyverno, Gatekeeper K8sAllowedRepos, Sigstore ClusterImagePolicy.

Each format is read from a realistic file (tests/data/registry/admission), matched as its own tool matches
(Kyverno's '*' crossing '/', Gatekeeper's plain prefixes, policy-controller's globs), and judged by the
engine's checks, which must never claim more than the admission policy enforces.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO, run_scc

from scc.engine.checks import CheckContext, registry
from scc.engine.model import CheckOutcome, Verdict
from scc.errors import InputError
from scc.facts.model import BaseImageAnnotation, Evidence, ImageFacts, ImageIdentity, ManifestImage
from scc.imageref import parse_reference
from scc.registry_model import GATEKEEPER, KYVERNO, SIGSTORE, RegistryPolicy
from scc.registry_policy import load_registry_policy

DATA = REPO / "tests" / "data" / "registry" / "admission"
KYVERNO_POLICIES = DATA / "kyverno-restrict-and-digest.yaml"
KYVERNO_SAMPLE = DATA / "kyverno-sample-audit.yaml"
KYVERNO_VERIFY = DATA / "kyverno-verify-images.yaml"
GATEKEEPER_REPOS = DATA / "gatekeeper-allowed-repos.yaml"
GATEKEEPER_SAMPLE = DATA / "gatekeeper-library-sample.yaml"
SIGSTORE_CIP = DATA / "sigstore-cluster-image-policy.yaml"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
DIGEST = "sha256:" + "ab" * 32
IMAGE_EVIDENCE = Evidence("image/index.json", "f" * 64, "/manifests/0")
CONTAINERS = "spec.rules[0].validate.pattern.spec.containers[0].image"


def _run(name: str, facts: ImageFacts, policy: RegistryPolicy | None) -> CheckOutcome:
    spec = registry()[name]
    return spec.function(facts, spec.params(), CheckContext(now=NOW, registry_policy=policy))


def _image(name: str, tag: str = "1.0", digest: str = DIGEST) -> ImageFacts:
    return ImageFacts(identity=ImageIdentity(name=name, tag=tag, digest=digest, evidence=(IMAGE_EVIDENCE,)))


def _manifests(*references: str, image: str = "registry.example.mil/platform/api") -> ImageFacts:
    facts = _image(image)
    facts.manifest_images = [
        ManifestImage(ref, f"Deployment/prod/api-{i}", "api",
                      Evidence("deploy.yaml", "e" * 64, f"doc {i + 1}: /spec/template/spec/containers/0/image"))
        for i, ref in enumerate(references)]
    return facts


def _admitted(policy: RegistryPolicy, written: str) -> list[str]:
    return [e.text for e in policy.admitting(parse_reference(written), written)]


def _cited(result: CheckOutcome) -> set[str]:
    return {e.cite() for e in result.evidence}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "admission.yaml"
    path.write_text(body, encoding="utf-8")
    return path


# -- reading each format ------------------------------------------------------------------------------
def test_kyverno_policies_translate_with_each_pattern_located():
    policy = load_registry_policy(KYVERNO_POLICIES)
    assert policy.origin == ("Kyverno ClusterPolicy restrict-image-registries and "
                             "Kyverno ClusterPolicy require-image-digest")
    assert policy.sha256 == hashlib.sha256(KYVERNO_POLICIES.read_bytes()).hexdigest()
    assert {e.kind for e in policy.entries} == {KYVERNO}
    assert [(e.text, e.evidence.pointer) for e in policy.entries if "containers[0]" in e.evidence.pointer
            and "=(" not in e.evidence.pointer] == [
        ("registry.example.mil/*", f"doc 1: {CONTAINERS}"), ("registry1.dso.mil/ironbank/*", f"doc 1: {CONTAINERS}")]
    assert {e.evidence.pointer for e in policy.entries} >= {
        "doc 1: spec.rules[0].validate.pattern.spec.=(initContainers)[0].image",
        "doc 1: spec.rules[0].validate.pattern.spec.=(ephemeralContainers)[0].image"}
    # "*@*" is a digest requirement, not an allow-list entry admitting every pinned image
    assert (policy.require_digest_image, policy.require_digest_manifests) == (True, True)
    assert policy.digest_manifests_at == f"doc 2: {CONTAINERS}"
    assert policy.restricts_sources and not policy.judges_base_images and policy.limits == ()


def test_the_published_kyverno_sample_keeps_audit_mode_and_the_rule_it_cannot_translate():
    policy = load_registry_policy(KYVERNO_SAMPLE)
    assert [e.text for e in policy.entries] == ["eu.foo.io/*", "bar.io/*"]
    assert not policy.require_digest_manifests
    limits = " ".join(policy.limits)
    assert "validate-registries of the Kyverno ClusterPolicy restrict-image-registries is in Audit mode" in limits
    assert "'!*:latest'" in limits and "scc does not translate it" in limits
    assert "disallow-latest of the Kyverno ClusterPolicy restrict-image-registries is in Audit" not in limits


def test_kyverno_verify_images_require_digests_for_the_images_they_name_and_allow_no_list():
    policy = load_registry_policy(KYVERNO_VERIFY)
    assert policy.entries == () and not policy.restricts_sources
    (scope,) = policy.digest_scope
    assert (scope.text, scope.evidence.pointer) == ("registry.example.mil/platform/*",
                                                   "doc 1: spec.rules[0].verifyImages[0].imageReferences[0]")
    assert "refuses no other image" in " ".join(policy.limits)
    assert "mutateDigest" in " ".join(policy.limits)


def test_gatekeeper_constraint_translates_to_plain_prefixes_and_warns_of_the_bypass():
    policy = load_registry_policy(GATEKEEPER_REPOS)
    assert [(e.kind, e.text, e.evidence.pointer) for e in policy.entries] == [
        (GATEKEEPER, "registry.example.mil", "doc 1: spec.parameters.repos[0]"),
        (GATEKEEPER, "docker.io/library/", "doc 1: spec.parameters.repos[1]")]
    assert policy.allow_at == "doc 1: spec.parameters.repos"
    (limit,) = policy.limits           # only the prefix without a trailing '/'
    assert "'registry.example.mil'" in limit and "registry.example.mil.evil.example/x" in limit


def test_gatekeeper_library_sample_in_dry_run_says_it_enforces_nothing():
    policy = load_registry_policy(GATEKEEPER_SAMPLE)
    assert [e.text for e in policy.entries] == ["openpolicyagent/"]
    limits = " ".join(policy.limits)
    assert "enforcementAction dryrun" in limits and "namespaces its spec.match selects" in limits


def test_sigstore_cluster_image_policies_form_one_glob_list():
    policy = load_registry_policy(SIGSTORE_CIP)
    assert [(e.kind, e.text, e.evidence.pointer) for e in policy.entries] == [
        (SIGSTORE, "registry.example.mil/platform/*", "doc 1: spec.images[0].glob"),
        (SIGSTORE, "registry1.dso.mil/ironbank/**", "doc 2: spec.images[0].glob"),
        (SIGSTORE, "index.docker.io/library/*", "doc 2: spec.images[1].glob")]   # '*' as policy-controller reads it
    assert "no-match-policy is deny" in " ".join(policy.limits)


# -- each tool's matching -------------------------------------------------------------------------------
@pytest.mark.parametrize("written, kyverno, scc", [
    ("ghcr.io/example/app-api:1", True, True),
    ("ghcr.io/example/app-api/sub:1", True, False),      # Kyverno's '*' crosses '/'; scc's does not
    ("ghcr.io/example/other:1", False, False),
])
def test_kyverno_star_crosses_slashes_where_scc_patterns_do_not(tmp_path, written, kyverno, scc):
    admission = load_registry_policy(_write(tmp_path, KYVERNO_SAMPLE.read_text().replace(
        "eu.foo.io/* | bar.io/*", "ghcr.io/example/app-*")))
    own = tmp_path / "own.yaml"
    own.write_text("registry-policy: 1\nallow: {repositories: ['ghcr.io/example/app-*']}\n")
    assert bool(_admitted(admission, written)) is kyverno
    assert bool(_admitted(load_registry_policy(own), written)) is scc


def test_kyverno_compares_the_image_as_the_pod_writes_it():
    policy = load_registry_policy(KYVERNO_POLICIES)
    assert _admitted(policy, "registry1.dso.mil/ironbank/redhat/ubi/ubi9:9.4") == ["registry1.dso.mil/ironbank/*"]
    assert _admitted(policy, "registry.example.mil.evil.example/x:1") == []      # the '/' after the host holds
    assert _admitted(policy, "Registry.Example.MIL/platform/api:1") == []        # no normalisation: as written


def test_gatekeeper_prefix_admits_look_alike_hosts_as_gatekeeper_does():
    policy = load_registry_policy(GATEKEEPER_REPOS)
    assert _admitted(policy, "registry.example.mil.evil.example/miner:1") == ["registry.example.mil"]
    assert _admitted(policy, "docker.io/library/nginx:1.27") == ["docker.io/library/"]
    assert _admitted(policy, "docker.io/library-evil/nginx:1") == []            # the trailing '/' holds
    assert _admitted(policy, "nginx:1.27") == []              # Gatekeeper sees 'nginx', not docker.io/library/nginx


@pytest.mark.parametrize("written, admitted", [
    ("registry.example.mil/platform/api:1.0", ["registry.example.mil/platform/*"]),
    ("registry.example.mil/platform/team/api:1.0", []),                     # '*' stops at '/'
    ("registry1.dso.mil/ironbank/redhat/ubi/ubi9:9.4", ["registry1.dso.mil/ironbank/**"]),   # '**' does not
    ("nginx", ["index.docker.io/library/*"]),                              # index.docker.io/library/nginx:latest
    ("docker.io/library/nginx:1.27", ["index.docker.io/library/*"]),
    ("bitnami/nginx:1.27", []),
])
def test_sigstore_globs_match_the_fully_qualified_name(written, admitted):
    assert _admitted(load_registry_policy(SIGSTORE_CIP), written) == admitted


def test_several_constraints_must_each_admit_an_image(tmp_path):
    both = GATEKEEPER_REPOS.read_text() + "---\n" + GATEKEEPER_REPOS.read_text().replace(
        "repo-is-program-registry", "platform-only").replace('"registry.example.mil"', '"registry.example.mil/platform/"')
    policy = load_registry_policy(_write(tmp_path, both))
    assert [e.text for e in policy.admitting(parse_reference("registry.example.mil/platform/api"),
                                             "registry.example.mil/platform/api:1")] == [
        "registry.example.mil", "registry.example.mil/platform/"]
    assert _admitted(policy, "registry.example.mil/team/api:1") == []       # the second constraint refuses it


# -- errors ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, problem", [
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: clusterregistries}\ndata: {registries: a.io}\n",
     "doc 1: ConfigMap (v1) is not a registry policy scc reads; it reads Kyverno ClusterPolicy/Policy"),
    (("apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDisallowedRepos\nmetadata: {name: x}\n"
     "spec: {parameters: {repos: [quay.io/]}}\n"), "doc 1: K8sDisallowedRepos (constraints.gatekeeper.sh/v1beta1) is a deny-list"),
    ("apiVersion: policies.kyverno.io/v1alpha1\nkind: ValidatingPolicy\nmetadata: {name: x}\nspec: {}\n",
     "doc 1: ValidatingPolicy (policies.kyverno.io/v1alpha1) is not a registry policy scc reads"),
    (GATEKEEPER_REPOS.read_text() + "---\n- just\n- a list\n", "doc 2: not a Kubernetes object (apiVersion and kind)"),
    (KYVERNO_SAMPLE.read_text().replace('"eu.foo.io/* | bar.io/*"', '"{{ clusterregistries.data.registries }}"'),
     "takes its value from a variable scc cannot resolve"),
    (KYVERNO_SAMPLE.read_text().replace('"eu.foo.io/* | bar.io/*"', '" | "'), "image: '|' holds no pattern"),
    (SIGSTORE_CIP.read_text().replace('"registry.example.mil/platform/*"', '"registry.example.mil/[a-z]+"'),
     "doc 1: spec.images[0].glob: 'registry.example.mil/[a-z]+' is not a glob policy-controller accepts"),
    (GATEKEEPER_REPOS.read_text().replace('      - "registry.example.mil"\n      - "docker.io/library/"\n', "      []\n")
     .replace("repos:\n", "repos:"), "lists no repository, so Gatekeeper refuses every image"),
    (("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: require-labels}\nspec:\n  rules:\n"
     "  - name: check-for-labels\n    validate: {pattern: {metadata: {labels: {app.kubernetes.io/name: '?*'}}}}\n"),
     "no rule of Kyverno ClusterPolicy require-labels restricts where images come from"),
    ("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\nspec: {rules: {a: 1}}\n",
     "doc 1: spec.rules: must be a list"),
    ("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: &m {name: x}\nspec: {rules: []}\n",
     "YAML anchors (&m) are not accepted"),
])
def test_what_scc_cannot_read_is_one_line_naming_the_file(tmp_path, body, problem):
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as error:
        load_registry_policy(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_an_unknown_kind_stops_the_cli_with_exit_2_before_any_output(capsys, tmp_path):
    path = _write(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE / "grype.json"), "--registry-policy", str(path),
                              "--out", str(out))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"scc: error: {path}: doc 1: ConfigMap (v1) is not a registry policy scc reads")
    assert not out.exists()


# -- the verdicts they lead to ------------------------------------------------------------------------------
def test_kyverno_allow_list_decides_the_image_and_cites_the_pattern():
    policy = load_registry_policy(KYVERNO_POLICIES)
    allowed = _run("image_source_allowed", _image("registry.example.mil/platform/api"), policy)
    assert allowed.verdict is Verdict.SATISFIED
    assert f"{KYVERNO_POLICIES}#doc 1: spec.rules[0].validate.pattern.spec.=(ephemeralContainers)[0].image" in _cited(
        allowed)
    refused = _run("image_source_allowed", _image("quay.io/evil/miner"), policy)
    assert refused.verdict is Verdict.NOT_SATISFIED
    assert "Kyverno ClusterPolicy restrict-image-registries" in refused.reason


def test_a_gatekeeper_prefix_bypass_is_partial_never_satisfied():
    policy = load_registry_policy(GATEKEEPER_REPOS)
    exact = _run("image_source_allowed", _image("registry.example.mil/platform/api"), policy)
    assert exact.verdict is Verdict.SATISFIED and "registry.example.mil.evil.example/x" in exact.reason   # the limit
    bypass = _run("image_source_allowed", _image("registry.example.mil.evil.example/miner"), policy)
    assert bypass.verdict is Verdict.PARTIAL
    assert "only because Gatekeeper compares plain string prefixes" in bypass.reason
    assert f"{GATEKEEPER_REPOS}#doc 1: spec.parameters.repos[0]" in _cited(bypass)
    manifests = _run("manifest_images_allowed", _manifests("registry.example.mil/platform/api:1",
                                                           "registry.example.mil.evil.example/miner:1"), policy)
    assert manifests.verdict is Verdict.PARTIAL and manifests.details["loose"]["count"] == 1
    hub = _run("manifest_images_allowed", _manifests("nginx:1.27"), policy)
    assert hub.verdict is Verdict.NOT_SATISFIED and f"{GATEKEEPER_REPOS}#doc 1: spec.parameters.repos" in _cited(hub)


def test_kyverno_digest_pattern_decides_pinning():
    policy = load_registry_policy(KYVERNO_POLICIES)
    unpinned = _run("image_digest_pinned", _image("registry.example.mil/platform/api", digest=""), policy)
    assert unpinned.verdict is Verdict.NOT_SATISFIED and f"{KYVERNO_POLICIES}#doc 2: {CONTAINERS}" in _cited(unpinned)
    tagged = _run("manifest_images_pinned", _manifests(f"registry.example.mil/platform/api@{DIGEST}",
                                                       "registry.example.mil/platform/worker:2"), policy)
    assert tagged.verdict is Verdict.NOT_SATISFIED and "worker:2" in tagged.reason
    assert f"{KYVERNO_POLICIES}#doc 2: {CONTAINERS}" in _cited(tagged)


def test_verify_images_digests_apply_to_the_images_they_name_only():
    policy = load_registry_policy(KYVERNO_VERIFY)
    facts = _manifests("registry.example.mil/platform/api:1", "docker.io/library/redis:7")
    pinned = _run("manifest_images_pinned", facts, policy)
    assert pinned.verdict is Verdict.NOT_SATISFIED
    assert pinned.details["unpinned"]["names"] == ["registry.example.mil/platform/api:1 (Deployment/prod/api-0 container api)"]
    assert f"{KYVERNO_VERIFY}#doc 1: spec.rules[0].verifyImages[0].imageReferences[0]" in _cited(pinned)
    assert "mutateDigest" in pinned.reason
    others = _run("manifest_images_pinned", _manifests("docker.io/library/redis:7"), policy)
    assert others.verdict is Verdict.NOT_APPLICABLE
    sources = _run("manifest_images_allowed", facts, policy)          # verifyImages is no allow-list
    assert sources.verdict is Verdict.MANUAL and "does not restrict which registries" in sources.reason
    assert _run("image_source_allowed", _image("quay.io/evil/miner"), policy).verdict is Verdict.MANUAL


def test_an_admission_policy_does_not_judge_base_images():
    facts = _image("registry.example.mil/platform/api")
    facts.base_image_annotations = [BaseImageAnnotation("golang:1.22", DIGEST, (Evidence("img", "a" * 64, "/a"),))]
    result = _run("base_image_allowed", facts, load_registry_policy(KYVERNO_POLICIES))
    assert result.verdict is Verdict.MANUAL and "not the base images a build starts from" in result.reason


def test_the_srg_rule_says_what_the_admission_policy_does_not_enforce():
    sample = load_registry_policy(KYVERNO_SAMPLE)
    within = _run("registry_allow_list", _manifests("eu.foo.io/team/api:1", image="bar.io/team/api"), sample)
    assert within.verdict is Verdict.MANUAL and "Audit mode" in within.reason
    outside = _run("registry_allow_list", _manifests("eu.foo.io/team/api:1"), sample)
    assert outside.verdict is Verdict.NOT_SATISFIED and "Audit mode" in outside.reason
    signed = _run("registry_allow_list", _manifests("registry.example.mil/platform/api:1"),
                  load_registry_policy(SIGSTORE_CIP))
    assert signed.verdict is Verdict.MANUAL and "no-match-policy is deny" in signed.reason
    unsigned = _run("registry_allow_list", _manifests("quay.io/evil/miner:1"), load_registry_policy(SIGSTORE_CIP))
    assert unsigned.verdict is Verdict.NOT_SATISFIED


def test_package_with_an_admission_policy_records_and_cites_it(capsys, tmp_path, no_content):
    out = tmp_path / "ato"
    manifest = REPO / "tests" / "data" / "kubernetes" / "helm-demo-api.yaml"
    code, _stdout, err = run_scc(capsys, "package", str(EXAMPLE), str(manifest), "--registry-policy",
                                 str(KYVERNO_POLICIES), "--formats", "oscal-ar", "--out", str(out), "-q", "-j", "1")
    assert code == 0, err
    record = json.loads((out / "manifest.json").read_text())["provenance"]["registry-policy"]
    assert record["sha256"] == hashlib.sha256(KYVERNO_POLICIES.read_bytes()).hexdigest()
    results = (out / "oscal-assessment-results.json").read_text()
    assert "Kyverno ClusterPolicy restrict-image-registries" in results
    assert "docker.io/fluent/fluent-bit:3.0.4" in results       # the Docker Hub sidecar is outside the allow-list


def test_any_pattern_alternatives_form_one_list_and_deployment_patterns_are_read(tmp_path):
    body = ("apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: trusted-registries}\nspec:\n"
            "  validationFailureAction: Enforce\n  rules:\n  - name: any-registry\n    validate:\n      anyPattern:\n"
            "      - spec: {template: {spec: {containers: [{image: 'gcr.io/myproject/*'}]}}}\n"
            "      - spec: {template: {spec: {containers: [{image: 'docker.io/library/*'}]}}}\n"
            "  - name: digests-for-cgr\n    validate:\n      foreach:\n"
            "      - list: \"request.object.spec.containers[?starts_with(image, 'cgr.dev')]\"\n"
            "        pattern: {image: '*@*'}\n")
    policy = load_registry_policy(_write(tmp_path, body))
    assert [(e.text, e.evidence.pointer) for e in policy.entries] == [
        ("gcr.io/myproject/*", "doc 1: spec.rules[0].validate.anyPattern[0].spec.template.spec.containers[0].image"),
        ("docker.io/library/*", "doc 1: spec.rules[0].validate.anyPattern[1].spec.template.spec.containers[0].image")]
    assert _admitted(policy, "docker.io/library/nginx:1.27") == ["docker.io/library/*"]   # either pattern will do
    assert not policy.require_digest_manifests                  # the foreach rule is not read, and says so
    assert "rule digests-for-cgr of the Kyverno ClusterPolicy trusted-registries speaks of images in a form" in (
        " ".join(policy.limits))


def test_a_digest_only_policy_leaves_sources_manual_and_decides_pinning(tmp_path):
    digest_only = KYVERNO_POLICIES.read_text().split("---\n", 1)[1]
    policy = load_registry_policy(_write(tmp_path, digest_only))
    assert not policy.restricts_sources and policy.digest_image_at == f"doc 1: {CONTAINERS}"
    sources = _run("image_source_allowed", _image("quay.io/evil/miner"), policy)
    assert sources.verdict is Verdict.MANUAL and "does not restrict which registries" in sources.reason
    pinned = _run("image_digest_pinned", _image("quay.io/evil/miner", digest=""), policy)
    assert pinned.verdict is Verdict.NOT_SATISFIED
