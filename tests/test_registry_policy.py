"""The registry allow-list: reference grammar, the policy file, the checks and rules, the CLI end to end."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLE, REPO, run_scc
from imagebuild import file, layer_tar, write_oci_layout

from scc.engine.checks import CheckContext, registry
from scc.engine.model import CheckOutcome, Verdict
from scc.errors import InputError
from scc.facts import read_inputs
from scc.facts.model import (
    BaseImageAnnotation,
    Evidence,
    ImageConfig,
    ImageFacts,
    ImageIdentity,
    ManifestImage,
    Provenance,
)
from scc.imageref import InvalidReference, parse_reference
from scc.registry_policy import RegistryPolicy, load_registry_policy

DATA = REPO / "tests" / "data" / "registry"
POLICY = DATA / "registry-policy.yaml"
TAGS_POLICY = DATA / "tags-allowed-policy.yaml"
PROVENANCE = DATA / "buildkit-provenance.intoto.json"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32
IMAGE_EVIDENCE = Evidence("image/index.json", "f" * 64, "/manifests/0")


# -- the reference grammar (distribution/reference) ----------------------------------------------
@pytest.mark.parametrize("text, registry, repository, tag, digest", [
    ("nginx", "docker.io", "library/nginx", "", ""),
    ("nginx:1.25", "docker.io", "library/nginx", "1.25", ""),
    ("library/nginx", "docker.io", "library/nginx", "", ""),
    ("docker.io/nginx", "docker.io", "library/nginx", "", ""),
    ("index.docker.io/library/nginx:latest", "docker.io", "library/nginx", "latest", ""),
    ("bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", ""),
    ("localhost/app", "localhost", "app", "", ""),
    ("localhost:5000/team/app:1", "localhost:5000", "team/app", "1", ""),
    ("registry:5000/ns/app:1.2", "registry:5000", "ns/app", "1.2", ""),       # a ':' makes it a registry
    ("app:5000", "docker.io", "library/app", "5000", ""),                       # ... unless it is the tag
    ("Registry.Example.MIL/hardened/ubi9:9.4", "registry.example.mil", "hardened/ubi9", "9.4", ""),
    ("[::1]:5000/x/y", "[::1]:5000", "x/y", "", ""),
    (f"ghcr.io/org/app@{DIGEST}", "ghcr.io", "org/app", "", DIGEST),
    (f"quay.io/org/app:v2@{DIGEST}", "quay.io", "org/app", "v2", DIGEST),      # both kept; the digest wins on pull
])
def test_references_normalise_as_the_runtime_reads_them(text, registry, repository, tag, digest):
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert ref.pinned is bool(digest)
    assert parse_reference(str(ref)) == ref       # the normal form reads back as itself


@pytest.mark.parametrize("text, problem", [
    ("", "at least one component"),
    ("Nginx", "must be lowercase"),
    ("docker.io/Team/app", "must be lowercase"),
    ("a" * 64, "64-byte hexadecimal"),
    ("nginx@sha256:abc", "invalid reference format"),
    ("nginx@md5:" + "a" * 32, "unsupported digest algorithm"),
    ("nginx@sha256:" + "a" * 63, "invalid checksum digest length"),
    ("nginx@sha256:" + "A" * 64, "invalid digest"),
    ("app:tag with space", "invalid reference format"),
])
def test_what_is_not_a_reference_is_refused_with_the_grammars_reason(text, problem):
    with pytest.raises(InvalidReference, match=problem):
        parse_reference(text)


def test_host_and_port_are_split_from_the_registry():
    ref = parse_reference("Registry.Example.mil:8443/a/b")
    assert (ref.host, ref.port, ref.name) == ("registry.example.mil", "8443", "registry.example.mil:8443/a/b")


# -- the policy file ---------------------------------------------------------------------------
def _policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "registry-policy.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_example_policy_loads_with_every_entry_located():
    policy = load_registry_policy(POLICY)
    assert [e.text for e in policy.registries] == ["registry.example.mil"]
    assert [e.text for e in policy.repositories] == ["registry1.dso.mil/ironbank/*", "docker.io/library/alpine"]
    assert [e.evidence.pointer for e in policy.repositories] == ["allow.repositories[0]", "allow.repositories[1]"]
    assert policy.base_images[1].digests == ("sha256:4f3d2b1a0c9e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f",)
    assert (policy.require_digest_image, policy.require_digest_manifests, policy.require_digest_base_images) == (
        True, True, True)
    assert policy.approved_by == "J. Smith, ISSM" and policy.expires is not None and policy.expires.isoformat() == "2027-06-30"
    import hashlib
    assert policy.sha256 == hashlib.sha256(POLICY.read_bytes()).hexdigest()
    assert policy.at("allow").cite() == f"{POLICY}#allow"


@pytest.mark.parametrize("pattern, admitted, refused", [
    ("registry.example.mil/hardened/*", ["registry.example.mil/hardened/ubi9", "registry.example.mil/hardened/a/b"],
     ["registry.example.mil/hardened", "registry.example.mil/hardened-evil/x", "registry.example.mil.evil.com/hardened/x",
      "evil.com/registry.example.mil/hardened/x"]),
    ("docker.io/library/alpine", ["docker.io/library/alpine"], ["docker.io/library/alpine2", "docker.io/library/alpine/x"]),
    ("ghcr.io/example/app-*", ["ghcr.io/example/app-api", "ghcr.io/example/app-"], ["ghcr.io/example/app-api/sub",
                                                                                 "ghcr.io/example/other"]),
    ("Index.Docker.IO/library/*", ["docker.io/library/nginx"], ["docker.io/bitnami/nginx"]),
    ("quay.io/*", ["quay.io/a", "quay.io/a/b/c"], ["quay.io.evil/a"]),
])
def test_patterns_match_whole_path_components(tmp_path, pattern, admitted, refused):
    policy = load_registry_policy(_policy(tmp_path, f"registry-policy: 1\nallow:\n  repositories: [{pattern!r}]\n"))
    assert [n for n in admitted if policy.allowing(n)] == admitted
    assert [n for n in refused if policy.allowing(n)] == []


def test_a_registry_entry_admits_its_host_and_port_only():
    policy = load_registry_policy(TAGS_POLICY)
    assert policy.allowing("localhost:5000/team/app") is not None
    assert policy.allowing("localhost/team/app") is None
    assert policy.allowing("registry.example.mil:5000/app") is None
    assert policy.allowing("registry.example.mil/any/depth/app") is not None


@pytest.mark.parametrize("body, problem", [
    ("- a\n- b\n", "a registry policy is a mapping starting with 'registry-policy: 1'"),
    ("registry-policy: 2\nallow: {}\n", "registry-policy: expected schema version 1, not 2"),
    ("registry-policy: true\nallow: {}\n", "expected schema version 1, not True"),
    ("allow: {}\n", "expected schema version 1, not None"),
    ("registry-policy: 1\n", "allow: must be a mapping (it is required)"),
    ("registry-policy: 1\nallow: {}\nallowed: {}\n", "the top level: unknown key 'allowed'"),
    ("registry-policy: 1\nallow: {registry: [a.io]}\n", "allow: unknown key 'registry'"),
    ("registry-policy: 1\nallow: {repositories: [nginx]}\n", "allow.repositories[0]: 'nginx' must name its registry first"),
    ("registry-policy: 1\nallow: {repositories: ['library/*']}\n", "must name its registry first"),
    ("registry-policy: 1\nallow: {repositories: ['docker.io/library/nginx:1.25']}\n", "no tag or digest"),
    ("registry-policy: 1\nallow: {repositories: ['docker.io/Library/*']}\n", "is not a repository pattern"),
    ("registry-policy: 1\nallow: {registries: ['registry.example.mil/team']}\n", "is not a registry host[:port]"),
    ("registry-policy: 1\nallow: {registries: [registry]}\n", "is not a registry host[:port]"),
    ("registry-policy: 1\nallow: {registries: registry.example.mil}\n", "allow.registries: must be a list"),
    ("registry-policy: 1\nallow: {}\nrequire-digest: {image: yes please}\n", "require-digest.image: must be true or false"),
    ("registry-policy: 1\nallow: {}\nrequire-digest: {images: true}\n", "require-digest: unknown key 'images'"),
    ("registry-policy: 1\nallow: {}\nbase-images: [{repository: docker.io/library/debian, digests: [latest]}]\n",
     "base-images[0].digests[0]: 'latest' is not a digest"),
    ("registry-policy: 1\nallow: {}\nbase-images: [{repo: docker.io/library/debian}]\n", "base-images[0]: unknown key 'repo'"),
    ("registry-policy: 1\nallow: {}\nexpires: 2027-02-30\n", "expires: 2027-02-30 is not a real date"),
    ("registry-policy: 1\nallow: {}\nexpires: next year\n", "expires: must be a date (YYYY-MM-DD)"),
    ("registry-policy: 1\nallow: {}\napproved-by: [a, b]\n", "approved-by: must be text, not list"),
    ("registry-policy: 1\nallow: &a {registries: [a.io]}\nbase: *a\n", "YAML anchors (&a) are not accepted"),
    ("registry-policy: 1\nallow: {}\nallow: {}\n", "key 'allow' is given twice"),
    ("registry-policy: 1\nallow: " + "[" * 5000, "nested more than 64 levels deep"),
])
def test_a_malformed_policy_is_one_error_naming_the_file(tmp_path, body, problem):
    path = _policy(tmp_path, body)
    with pytest.raises(InputError) as error:
        load_registry_policy(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_a_policy_that_is_not_text_or_too_large_is_refused(tmp_path):
    binary = tmp_path / "policy.bin"
    binary.write_bytes(b"registry-policy: 1\nallow: {}\n\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_registry_policy(binary)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"registry-policy: 1\n" + b"#" * (2 << 20))
    with pytest.raises(InputError, match="larger than 1 MiB"):
        load_registry_policy(huge)
    with pytest.raises(InputError, match="cannot read registry policy"):
        load_registry_policy(tmp_path / "missing.yaml")


# -- the checks ----------------------------------------------------------------------------------
def _run(name: str, facts: ImageFacts, policy: RegistryPolicy | None, now: datetime = NOW) -> CheckOutcome:
    spec = registry()[name]
    return spec.function(facts, spec.params(), CheckContext(now=now, registry_policy=policy))


def _image(name: str = "registry.example.mil/platform/api", tag: str = "1.0", digest: str = DIGEST) -> ImageFacts:
    return ImageFacts(identity=ImageIdentity(name=name, tag=tag, digest=digest, evidence=(IMAGE_EVIDENCE,)))


def _manifests(*references: str) -> ImageFacts:
    facts = _image()
    facts.manifest_images = [
        ManifestImage(ref, f"Deployment/prod/api-{i}", "api", Evidence("deploy.yaml", "e" * 64,
                                                                       f"/{i}/spec/template/spec/containers/0/image"))
        for i, ref in enumerate(references)]
    return facts


def _pointers(result: CheckOutcome) -> set[str]:
    return {e.cite() for e in result.evidence}


def test_image_registry_allowed_cites_the_policy_entry_and_the_image_fact():
    result = _run("image_source_allowed", _image(), load_registry_policy(POLICY))
    assert result.verdict is Verdict.SATISFIED
    assert {IMAGE_EVIDENCE.cite(), f"{POLICY}#allow.registries[0]"} <= _pointers(result)
    assert next(e for e in result.evidence if e.source == str(POLICY)).sha256 == load_registry_policy(POLICY).sha256


def test_image_from_another_registry_is_not_satisfied():
    result = _run("image_source_allowed", _image("docker.io/bitnami/nginx"), load_registry_policy(POLICY))
    assert result.verdict is Verdict.NOT_SATISFIED
    assert "docker.io/bitnami/nginx is on no entry" in result.reason
    assert {IMAGE_EVIDENCE.cite(), f"{POLICY}#allow"} <= _pointers(result)


def test_a_familiar_hub_name_is_judged_by_its_full_name():
    policy = load_registry_policy(POLICY)
    assert _run("image_source_allowed", _image("alpine", "3.20"), policy).verdict is Verdict.SATISFIED
    assert _run("image_source_allowed", _image("alpinelinux/alpine", "3.20"), policy).verdict is Verdict.NOT_SATISFIED


def test_without_a_policy_or_a_name_where_the_image_comes_from_is_manual():
    without = _run("image_source_allowed", _image(), None)
    assert without.verdict is Verdict.MANUAL and "--registry-policy" in without.reason
    assert _pointers(without) == {IMAGE_EVIDENCE.cite()}
    unnamed = _run("image_source_allowed", ImageFacts(), load_registry_policy(POLICY))
    assert unnamed.verdict is Verdict.MANUAL and "No input names" in unnamed.reason


def test_an_expired_policy_decides_nothing(tmp_path):
    path = _policy(tmp_path, POLICY.read_text().replace("2027-06-30", "2026-01-31"))
    result = _run("image_source_allowed", _image(), load_registry_policy(path))
    assert result.verdict is Verdict.MANUAL and "expired on 2026-01-31" in result.reason
    assert f"{path}#expires" in _pointers(result)


def test_image_digest_is_a_fact_and_its_absence_is_judged_against_the_policy():
    policy = load_registry_policy(POLICY)
    assert _run("image_digest_pinned", _image(), None).verdict is Verdict.SATISFIED
    unpinned = _image(digest="")
    required = _run("image_digest_pinned", unpinned, policy)
    assert required.verdict is Verdict.NOT_SATISFIED and f"{POLICY}#require-digest.image" in _pointers(required)
    assert _run("image_digest_pinned", unpinned, load_registry_policy(TAGS_POLICY)).verdict is Verdict.NOT_APPLICABLE
    assert _run("image_digest_pinned", unpinned, None).verdict is Verdict.MANUAL


def _with_base(name: str, digest: str = "", pointer: str = "blobs/sha256/00#/annotations") -> ImageFacts:
    facts = _image()
    facts.base_image_annotations = [BaseImageAnnotation(name, digest, (Evidence("image", "a" * 64, pointer),))]
    return facts


def test_base_image_allowed_from_the_manifest_annotation():
    result = _run("base_image_allowed", _with_base("registry1.dso.mil/ironbank/redhat/ubi/ubi9:9.4", DIGEST),
                  load_registry_policy(POLICY))
    assert result.verdict is Verdict.SATISFIED
    assert {"image#blobs/sha256/00#/annotations", f"{POLICY}#base-images[0]"} <= _pointers(result)


def test_base_image_outside_the_base_images_is_not_satisfied_even_on_an_allowed_registry():
    result = _run("base_image_allowed", _with_base("registry.example.mil/team/scratchpad:1", DIGEST),
                  load_registry_policy(POLICY))
    assert result.verdict is Verdict.NOT_SATISFIED and f"{POLICY}#base-images" in _pointers(result)


def test_base_image_digests_listed_by_the_policy_are_enforced():
    policy = load_registry_policy(POLICY)
    allowed = policy.base_images[1].digests[0]
    name = "registry.example.mil/hardened/debian:12"
    assert _run("base_image_allowed", _with_base(name, allowed), policy).verdict is Verdict.SATISFIED
    wrong = _run("base_image_allowed", _with_base(name, OTHER_DIGEST), policy)
    assert wrong.verdict is Verdict.NOT_SATISFIED and "not a digest base-images[1] allows" in wrong.reason
    unknown = _run("base_image_allowed", _with_base(name), policy)
    assert unknown.verdict is Verdict.PARTIAL and "without a digest" in unknown.reason


def test_base_image_without_digest_is_partial_where_the_policy_requires_one():
    result = _run("base_image_allowed", _with_base("registry1.dso.mil/ironbank/redhat/ubi/ubi9:9.4"),
                  load_registry_policy(POLICY))
    assert result.verdict is Verdict.PARTIAL and "require-digest.base-images" in result.reason
    judged_by_allow = _run("base_image_allowed", _with_base("docker.io/library/debian:12"),
                           load_registry_policy(TAGS_POLICY))      # no base-images: the allow list applies
    assert judged_by_allow.verdict is Verdict.SATISFIED and f"{TAGS_POLICY}#allow.repositories[0]" in _pointers(
        judged_by_allow)


def test_an_undetermined_base_image_is_never_allowed():
    result = _run("base_image_allowed", _image(), load_registry_policy(POLICY))
    assert result.verdict is Verdict.MANUAL and "not recorded" in result.reason and "FROM" in result.reason
    unreadable = _run("base_image_allowed", _with_base("Not A Reference"), load_registry_policy(POLICY))
    assert unreadable.verdict is Verdict.NOT_SATISFIED and "not an image reference" in unreadable.reason


def test_base_image_from_a_config_label_points_at_the_label():
    facts = _image()
    facts.config = ImageConfig(labels={"org.opencontainers.image.base.name": "docker.io/library/alpine:3.20"},
                               field_evidence={"labels": Evidence("config.json", "c" * 64, "/config/Labels")})
    result = _run("base_image_allowed", facts, load_registry_policy(TAGS_POLICY))
    assert result.verdict is Verdict.SATISFIED
    assert "config.json#/config/Labels/org.opencontainers.image.base.name" in _pointers(result)


def test_buildkit_materials_are_every_build_stage_and_the_frontend():
    facts = read_inputs([str(PROVENANCE)])
    facts.identity = _image().identity
    facts.identity = replace(facts.identity, digest="sha256:13999cd3aa55da2aedcc598aeacde8d219b4a9f5b1a554929c20f3e2a543651d")
    result = _run("base_image_allowed", facts, load_registry_policy(POLICY))
    assert result.verdict is Verdict.NOT_SATISFIED
    assert "golang:1.22 (repository docker.io/library/golang)" in result.reason
    assert result.reason.startswith("1 base image not allowed")       # the Iron Bank UBI and the frontend are
    assert f"{PROVENANCE}#/predicate/materials/2" in _pointers(result)
    assert result.details["refused"]["count"] == 1


def test_materials_of_provenance_about_another_image_cap_the_verdict():
    facts = _image(digest=OTHER_DIGEST)
    facts.provenance = [Provenance("https://slsa.dev/provenance/v0.2", slsa_version="0.2",
                                   materials=("pkg:docker/alpine@3.20 " + DIGEST,),
                                   subjects=(f"registry.example.mil/other@{DIGEST}",),
                                   evidence=(Evidence("prov.json", "b" * 64, "/predicate"),))]
    result = _run("base_image_allowed", facts, load_registry_policy(TAGS_POLICY))
    assert result.verdict is Verdict.PARTIAL and "does not name this image's digest" in result.reason
    assert "prov.json#/predicate/materials/0" in _pointers(result)


def test_oci_purl_materials_are_read_with_their_repository_url():
    facts = _image(digest="")
    facts.provenance = [Provenance("https://slsa.dev/provenance/v1", slsa_version="1.0",
                                   materials=("pkg:oci/debian@sha256%3A" + "ab" * 32 +
                                              "?repository_url=registry.example.mil/hardened/debian",),
                                   evidence=(Evidence("prov.json", "b" * 64, "/predicate"),))]
    result = _run("base_image_allowed", facts, load_registry_policy(TAGS_POLICY))
    assert result.verdict is Verdict.SATISFIED and "registry.example.mil/hardened/debian" in result.reason
    assert "prov.json#/predicate/buildDefinition/resolvedDependencies/0" in _pointers(result)


def test_manifest_images_allowed_and_refused():
    policy = load_registry_policy(POLICY)
    good = _run("manifest_images_allowed", _manifests(f"registry.example.mil/platform/api@{DIGEST}", "alpine:3.20"),
                policy)
    assert good.verdict is Verdict.SATISFIED
    assert {"deploy.yaml#/0/spec/template/spec/containers/0/image", f"{POLICY}#allow.repositories[1]"} <= _pointers(good)
    bad = _run("manifest_images_allowed", _manifests("alpine:3.20", "quay.io/evil/miner:latest", "BAD REF"), policy)
    assert bad.verdict is Verdict.NOT_SATISFIED
    assert "quay.io/evil/miner:latest (Deployment/prod/api-1 container api)" in bad.reason
    assert "BAD REF" in bad.reason and bad.details["refused"]["count"] == 2


def test_manifest_images_manual_without_manifests_or_policy():
    assert _run("manifest_images_allowed", _image(), load_registry_policy(POLICY)).verdict is Verdict.MANUAL
    without = _run("manifest_images_allowed", _manifests("alpine:3.20"), None)
    assert without.verdict is Verdict.MANUAL and "deploy.yaml#/0/spec/template/spec/containers/0/image" in _pointers(without)


def test_manifest_pinning_is_a_fact_and_tags_are_judged_by_the_policy():
    pinned = _manifests(f"registry.example.mil/platform/api@{DIGEST}", f"alpine:3.20@{OTHER_DIGEST}")
    assert _run("manifest_images_pinned", pinned, None).verdict is Verdict.SATISFIED
    tagged = _manifests(f"registry.example.mil/platform/api@{DIGEST}", "alpine:3.20")
    required = _run("manifest_images_pinned", tagged, load_registry_policy(POLICY))
    assert required.verdict is Verdict.NOT_SATISFIED and "alpine:3.20 (Deployment/prod/api-1" in required.reason
    assert f"{POLICY}#require-digest.manifests" in _pointers(required)
    assert _run("manifest_images_pinned", tagged, load_registry_policy(TAGS_POLICY)).verdict is Verdict.NOT_APPLICABLE
    assert _run("manifest_images_pinned", tagged, None).verdict is Verdict.MANUAL
    assert _run("manifest_images_pinned", _image(), None).verdict is Verdict.MANUAL


def test_the_srg_allow_list_rule_is_manual_at_best_and_a_finding_when_images_fall_outside():
    policy = load_registry_policy(POLICY)
    assert _run("registry_allow_list", _image(), None).verdict is Verdict.NOT_APPLICABLE
    within = _run("registry_allow_list", _manifests("alpine:3.20"), policy)
    assert within.verdict is Verdict.MANUAL and "deny-all, permit-by-exception" in within.reason
    assert "approved by J. Smith, ISSM" in within.reason
    outside = _run("registry_allow_list", _manifests("quay.io/evil/miner:latest"), policy)
    assert outside.verdict is Verdict.NOT_SATISFIED and f"{POLICY}#allow" in _pointers(outside)


# -- the OCI layout reader records the base annotations ----------------------------------------------
def test_oci_layout_manifest_base_annotations_are_recorded(tmp_path):
    layout = tmp_path / "layout"
    layout.mkdir()
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    digest = write_oci_layout(layout, [layer_tar([file("etc/os-release", b"ID=debian\n")])],
                              name="registry.example.mil/platform/api:1.0",
                              manifest_annotations={"org.opencontainers.image.base.name": "debian:bookworm-slim",
                                                    "org.opencontainers.image.base.digest": DIGEST})
    facts = read_inputs([str(layout)])
    (annotation,) = facts.base_image_annotations
    assert (annotation.name, annotation.digest) == ("debian:bookworm-slim", DIGEST)
    hexdigest = digest.split(":")[1]
    assert annotation.evidence[0].pointer == f"blobs/sha256/{hexdigest}#/annotations/org.opencontainers.image.base.name"
    result = _run("base_image_allowed", facts, load_registry_policy(TAGS_POLICY))
    assert result.verdict is Verdict.SATISFIED and "debian:bookworm-slim" in result.reason


# -- through scc.assess and the CLI -----------------------------------------------------------------
def _example_inputs() -> list[str]:
    return [str(EXAMPLE), str(PROVENANCE)]


def test_assess_carries_the_policy_and_hashes_it(no_content):
    import scc

    assessment = scc.assess(_example_inputs(), registry_policy=str(POLICY))
    assert assessment.policy.registry_policy == load_registry_policy(POLICY)
    (record,) = [f for f in assessment.policy.files if f.role == "registry-policy"]
    assert record.sha256 == load_registry_policy(POLICY).sha256
    verdicts = {r.rule.id: r.verdict for r in assessment.rule_results}
    assert verdicts["registry-image-allowed"] is Verdict.SATISFIED
    assert verdicts["registry-base-image-allowed"] is Verdict.NOT_SATISFIED      # the golang build stage
    assert verdicts["SRG-APP-000386-CTR-000920"] is Verdict.MANUAL
    without = scc.assess(_example_inputs())
    assert {r.rule.id: r.verdict for r in without.rule_results}["registry-image-allowed"] is Verdict.MANUAL


@pytest.mark.parametrize("command", ["package", "gate"])
def test_a_bad_policy_is_one_line_and_exit_2_before_any_output(capsys, tmp_path, command):
    path = _policy(tmp_path, "registry-policy: 1\nallow: {repositories: [nginx]}\n")
    out = tmp_path / "ato"
    extra = ["--out", str(out)] if command == "package" else ["--max-open-critical", "1000"]
    code, _out, err = run_scc(capsys, command, str(EXAMPLE / "grype.json"), "--registry-policy", str(path), *extra)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"scc: error: {path}: allow.repositories[0]: ")
    assert not out.exists()


def test_package_end_to_end_is_byte_identical_with_the_same_policy(capsys, tmp_path, no_content):
    packages = []
    for run in ("one", "two"):
        out = tmp_path / run
        code, _stdout, err = run_scc(capsys, "package", *_example_inputs(), "--registry-policy", str(POLICY),
                                     "--formats", "oscal-ar,ckl", "--out", str(out), "-q", "-j", "1")
        assert code == 0, err
        packages.append(out)
    names = sorted(p.name for p in packages[0].iterdir())
    assert names == ["checklist.ckl", "manifest.json", "oscal-assessment-results.json"]
    for name in names:
        assert (packages[0] / name).read_bytes() == (packages[1] / name).read_bytes(), name
    manifest = json.loads((packages[0] / "manifest.json").read_text())
    assert manifest["provenance"]["registry-policy"] == {
        "role": "registry-policy", "name": str(POLICY), "file": str(POLICY),
        "sha256": load_registry_policy(POLICY).sha256}
    results = (packages[0] / "oscal-assessment-results.json").read_text()
    assert "golang:1.22 (repository docker.io/library/golang)" in results


def test_batch_refuses_a_bad_policy_before_any_image_runs(capsys, tmp_path):
    import shutil

    catalog = tmp_path / "catalog"
    (catalog / "api").mkdir(parents=True)
    shutil.copy(EXAMPLE / "grype.json", catalog / "api")
    path = _policy(tmp_path, "registry-policy: 1\nallow: {registries: [registry.example.mil/team]}\n")
    out = tmp_path / "out"
    code, _out, err = run_scc(capsys, "batch", str(catalog), "--registry-policy", str(path), "--out", str(out))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"scc: error: {path}: allow.registries[0]: ")
    assert not out.exists()


def test_evidence_is_capped_and_never_drops_the_refused_image():
    facts = _manifests(*[f"registry.example.mil/team/app{i}@{DIGEST}" for i in range(2000)], "quay.io/evil/miner:1")
    result = _run("manifest_images_allowed", facts, load_registry_policy(POLICY))
    assert result.verdict is Verdict.NOT_SATISFIED and result.details["refused"]["count"] == 1
    assert len(result.evidence) <= 51
    assert {f"{POLICY}#allow", "deploy.yaml#/2000/spec/template/spec/containers/0/image"} <= _pointers(result)
    unpinned = _run("manifest_images_pinned", facts, load_registry_policy(POLICY))
    assert unpinned.verdict is Verdict.NOT_SATISFIED and len(unpinned.evidence) <= 51
    assert "deploy.yaml#/2000/spec/template/spec/containers/0/image" in _pointers(unpinned)


def test_images_the_kubernetes_reader_records_are_judged(no_content):
    """The Kubernetes manifest reader's ManifestImage facts (a Helm rendering) through scc.assess."""
    import scc

    manifest = REPO / "tests" / "data" / "kubernetes" / "helm-demo-api.yaml"
    assessment = scc.assess([str(EXAMPLE), str(manifest)], registry_policy=str(POLICY))
    results = {r.rule.id: r for r in assessment.rule_results}
    allowed = results["registry-manifest-images-allowed"]
    assert allowed.verdict is Verdict.NOT_SATISFIED      # the fluent-bit sidecar comes from Docker Hub
    assert "docker.io/fluent/fluent-bit:3.0.4 (Deployment/demo/demo-api container log-shipper)" in allowed.reason
    cited = {e.cite() for e in allowed.evidence}
    assert f"{manifest}#doc 3: /spec/template/spec/containers/1/image" in cited and f"{POLICY}#allow" in cited
    pinned = results["registry-manifest-images-pinned"]
    assert pinned.verdict is Verdict.NOT_SATISFIED and "log-shipper" in pinned.reason and "migrate" not in pinned.reason
    assert results["SRG-APP-000386-CTR-000920"].verdict is Verdict.NOT_SATISFIED
