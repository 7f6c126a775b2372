"""Where images come from: the image, its base image and the deployment manifests' images against the
organisation's registry allow-list (``--registry-policy FILE``, scc.registry_policy).

No policy (or an expired one) decides nothing about sources: manual, saying what to check. A digest is a
fact of its own: an image named by digest is pinned whatever the policy says; one named by tag is judged
against the policy's ``require-digest``. A base image that cannot be determined is never "allowed".
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import capped, gather, listing, manual, outcome, plural
from scc.engine.image_sources import (
    Admission,
    NamedImage,
    admit,
    assessed_image,
    base_images,
    manifest_images,
)
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Evidence, ImageFacts
from scc.imageref import InvalidReference
from scc.registry_policy import AllowEntry, RegistryPolicy

EVIDENCE_CAP = 50
_NO_POLICY = "No registry allow-list was given (scc --registry-policy FILE)"


def _policy(ctx: CheckContext, subject: str, evidence: Iterable[Evidence] = ()
            ) -> tuple[RegistryPolicy | None, CheckOutcome | None]:
    """The policy in force, or the manual outcome saying why none is (not given, or expired); ``evidence``
    is that of the images the outcome speaks of."""
    policy = ctx.registry_policy
    if policy is None:
        return None, manual(f"{_NO_POLICY}, so where {subject} comes from is not judged; a person checks it "
                            "against the organisation's approved registries.", evidence)
    if policy.expires is not None and policy.expires < ctx.now.date():
        approver = f" (approved by {policy.approved_by})" if policy.approved_by else ""
        return None, manual(f"The registry policy {policy.source}{approver} expired on {policy.expires.isoformat()}, "
                            f"so it no longer decides where {subject} comes from; renew it.",
                            [policy.at("expires"), *evidence])
    return policy, None


def _sources_policy(ctx: CheckContext, subject: str, evidence: Iterable[Evidence] = ()
                    ) -> tuple[RegistryPolicy | None, CheckOutcome | None]:
    """``_policy``, and manual when the policy in force restricts no registry (an admission policy that
    only requires digests)."""
    evidence = list(evidence)
    policy, undecided = _policy(ctx, subject, evidence)
    if policy is not None and not policy.restricts_sources:
        return None, manual(f"The registry policy {policy.described} requires digests but does not restrict which "
                            f"registries {subject} may come from; a person checks it against the organisation's "
                            f"approved registries.{_limits(policy)}", [policy.at(policy.digest_manifests_at), *evidence])
    return policy, undecided


def _limits(policy: RegistryPolicy) -> str:
    """What an admission policy does not enforce, as sentences to append to a reason ('' for none)."""
    return "".join(f" {limit}" for limit in policy.limits)


def _digest_requirement(policy: RegistryPolicy, image: NamedImage | None, role: str) -> Evidence | None:
    """Where ``policy`` requires ``image`` (role image or manifest) pinned by digest; None when it does not."""
    if image is None:
        return policy.digest_required(None, "", role)
    try:
        reference = image.reference()
    except InvalidReference:
        reference = None
    return policy.digest_required(reference, image.written, role)


def _first(evidence: Iterable[Evidence], limit: int = EVIDENCE_CAP) -> list[Evidence]:
    """The first ``limit`` distinct pieces of evidence: a cluster's manifests may name thousands of images."""
    return list(dict.fromkeys(evidence))[:limit]


def _refused_first(judged: list[Admission]) -> list[Evidence]:
    """The evidence of the images refused, then of those admitted (so a cap never drops a finding's)."""
    ordered = sorted(judged, key=lambda item: item.admitted)
    return [ev for item in ordered for ev in item.evidence]


def _allowed_names(entries: tuple[AllowEntry, ...]) -> str:
    return listing([e.text for e in entries]) or "nothing (an empty allow-list)"


def _refusal(item: Admission) -> str:
    if item.reference is None:
        return f"{item.image.label}: {item.problem}"
    return f"{item.image.label} (repository {item.reference.name})"


@check("image_source_allowed", CheckParams, consults=("identity.name", "identity.tag"))
def image_source_allowed(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The assessed image's registry and repository are on the allow-list."""
    image = assessed_image(facts)
    if image is None:
        return manual("No input names the image's registry and repository (image config, OCI layout "
                      "annotation or SBOM), so where it comes from cannot be judged.")
    policy, undecided = _sources_policy(ctx, image.text, image.evidence)
    if policy is None:
        return undecided or manual(_NO_POLICY)
    item = admit(image, policy)
    if item.reference is None:
        return manual(f"The image is named {image.text!r}, which is not an image reference ({item.problem}); "
                      "check which registry it was pulled from.", image.evidence)
    if item.entry is not None and item.caveat:
        return outcome(Verdict.PARTIAL, f"{item.reference.name} is admitted by the registry allow-list "
                       f"{policy.described}, but {item.caveat}.{_limits(policy)}", item.evidence,
                       entry=item.entry.text)
    if item.entry is not None:
        return outcome(Verdict.SATISFIED, f"{item.reference.name} is admitted by the registry allow-list "
                       f"({item.entry.text}, {policy.described} {item.entry.evidence.pointer}).{_limits(policy)}",
                       item.evidence, entry=item.entry.text)
    return outcome(Verdict.NOT_SATISFIED, f"{item.reference.name} is on no entry of the registry allow-list "
                   f"{policy.described} (allowed: {_allowed_names(policy.entries)}).",
                   [*image.evidence, policy.at(policy.allow_at)], repository=item.reference.name)


@check("image_digest_pinned", CheckParams, consults=("identity.digest",))
def image_digest_pinned(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The assessed image is identified by its digest (required or not by the policy's require-digest.image)."""
    identity = facts.identity
    if identity.digest:
        return outcome(Verdict.SATISFIED, f"The image is identified by digest {identity.digest}, so this "
                       "assessment is bound to exactly those bytes whatever its tag points at later.",
                       identity.evidence[:3], digest=identity.digest)
    policy, undecided = _policy(ctx, "the image")
    if policy is None:
        if ctx.registry_policy is not None and undecided is not None:    # given but expired
            return undecided
        return manual("No input gives the image's digest (an OCI layout, a scan or SBOM of the pushed image), "
                      "and no registry policy says whether one is required.", identity.evidence[:3])
    required = _digest_requirement(policy, assessed_image(facts), "image")
    if required is None:
        return outcome(Verdict.NOT_APPLICABLE, f"No input gives the image's digest, and the registry policy "
                       f"{policy.described} does not require one{_where(policy.digest_image_at)}.",
                       [policy.at(policy.digest_image_at)])
    return outcome(Verdict.NOT_SATISFIED, f"No input gives the image's digest, which the registry policy "
                   f"{policy.described} requires ({required.pointer}); supply the OCI layout or a scan of the "
                   "pushed image.", [*identity.evidence[:3], required])


def _where(pointer: str) -> str:
    return f" ({pointer})" if pointer else ""


@dataclass(frozen=True)
class BaseImageParams(CheckParams):
    """Parameters of `base_image_allowed`: the purl types of provenance materials that are container images."""

    material_purl_types: list[str] = field(default_factory=lambda: ["docker", "oci"])


@check("base_image_allowed", BaseImageParams,
       consults=("base_image_annotations", "config.labels", "provenance", "identity.digest"))
def base_image_allowed(facts: ImageFacts, params: BaseImageParams, ctx: CheckContext) -> CheckOutcome:
    """Every base (and build-stage) image the facts name is an allowed base image, pinned where required."""
    found = base_images(facts, tuple(params.material_purl_types))
    if not found:
        return manual("The base image is not recorded: no org.opencontainers.image.base.name annotation or "
                      "label, and no container image among the provenance materials; check the Dockerfile's "
                      "FROM lines against the allowed base images.")
    policy, undecided = _policy(ctx, f"the base image ({listing([f.label for f in found])})",
                                gather(found))
    if policy is None:
        return undecided or manual(_NO_POLICY)
    if not policy.judges_base_images:
        return manual(f"The registry policy {policy.described} governs the images pods run, not the base images a "
                      f"build starts from, so {listing([f.label for f in found])} is not judged against it; a person "
                      "checks the Dockerfile's FROM lines against the approved base images (or gives scc's own "
                      "registry-policy file, whose base-images: list judges them).", _first(gather(found)))
    entries = tuple(b.repository for b in policy.base_images) or policy.entries
    digests = {b.repository: b.digests for b in policy.base_images if b.digests}
    refused: list[str] = []
    unsure: list[str] = []
    flagged: list[Evidence] = []       # the evidence of refused and doubtful images comes first
    admitted: list[Evidence] = []
    for image in found:
        item = admit(image, policy, entries)
        problem = _base_problem(item, digests, policy.require_digest_base_images)
        if problem[0]:
            refused.append(problem[0])
        elif problem[1]:
            unsure.append(problem[1])
        (flagged if any(problem) else admitted).extend(item.evidence)
    evidence = [*flagged, *admitted]
    where = "base-images" if policy.base_images else "allow"
    if refused:
        return outcome(Verdict.NOT_SATISFIED, f"{plural(len(refused), 'base image')} not allowed by "
                       f"{policy.described} ({where}: {_allowed_names(entries)}): {listing(refused)}.",
                       _first([policy.at(where), *evidence]), refused=capped(refused))
    if unsure:
        return outcome(Verdict.PARTIAL, f"The base images are on the allow-list, but {listing(unsure)}; check "
                       "the build's FROM lines and the pulled digests.", _first(evidence), unsure=capped(unsure))
    return outcome(Verdict.SATISFIED, f"Every base image the build recorded is allowed by {policy.described} "
                   f"({where}): {listing([f.label for f in found])}.", _first(evidence))


def _base_problem(item: Admission, digests: dict[AllowEntry, tuple[str, ...]], require_digest: bool
                  ) -> tuple[str, str]:
    """(why the base image is refused, why it is doubtful): ('', '') when it is allowed."""
    image, pinned = item.image, item.reference.digest if item.reference else ""
    if item.entry is None:
        return _refusal(item), ""
    if item.entry in digests and pinned and pinned not in digests[item.entry]:
        return f"{image.label} at {pinned}, not a digest {item.entry.evidence.pointer} allows", ""
    if item.entry in digests and not pinned:
        return "", (f"{image.label} is recorded without a digest, and {item.entry.evidence.pointer} allows only "
                    "listed digests")
    if require_digest and not pinned:
        return "", f"{image.label} is recorded without a digest (require-digest.base-images)"
    if not image.about_this_image:
        return "", f"{image.label} comes from provenance that does not name this image's digest"
    return "", ""


@check("manifest_images_allowed", CheckParams, consults=("manifest_images",))
def manifest_images_allowed(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """Every image the deployment manifests name is on the allow-list."""
    named = manifest_images(facts)
    if not named:
        return manual("No deployment manifest was given, so the images the workloads run are not judged; "
                      "supply the Kubernetes manifests (or Helm output) that deploy this image.")
    policy, undecided = _sources_policy(ctx, f"the {plural(len(named), 'image')} of the deployment manifests",
                                        gather(named))
    if policy is None:
        return undecided or manual(_NO_POLICY)
    judged = [admit(image, policy) for image in named]
    refused = [_refusal(item) for item in judged if not item.admitted]
    loose = [item.caveat for item in judged if item.admitted and item.caveat]
    evidence = _first(_refused_first(judged))
    if refused:
        return outcome(Verdict.NOT_SATISFIED, f"{plural(len(refused), 'manifest image')} not admitted by the "
                       f"registry allow-list {policy.described} (allowed: {_allowed_names(policy.entries)}): "
                       f"{listing(refused)}.", _first([policy.at(policy.allow_at), *evidence]), refused=capped(refused))
    if loose:
        return outcome(Verdict.PARTIAL, f"Every one of the {plural(len(named), 'image')} the deployment manifests "
                       f"name is admitted by the registry allow-list {policy.described}, but {listing(loose, 3)}."
                       f"{_limits(policy)}", evidence, loose=capped(loose))
    return outcome(Verdict.SATISFIED, f"Every one of the {plural(len(named), 'image')} the deployment manifests "
                   f"name is admitted by the registry allow-list {policy.described}.{_limits(policy)}", evidence)


@check("manifest_images_pinned", CheckParams, consults=("manifest_images",))
def manifest_images_pinned(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """Every image the deployment manifests name is pinned by digest (judged against require-digest.manifests)."""
    named = manifest_images(facts)
    if not named:
        return manual("No deployment manifest was given, so whether the workloads pull images by digest is "
                      "not known; supply the manifests that deploy this image.")
    unpinned = []
    for image in named:
        try:
            pinned = image.reference().pinned
        except ValueError:
            pinned = False
        if not pinned:
            unpinned.append(image.label)
    tagged = set(unpinned)
    evidence = _first(ev for image in sorted(named, key=lambda n: n.label not in tagged) for ev in image.evidence)
    if not unpinned:
        return outcome(Verdict.SATISFIED, f"Every one of the {plural(len(named), 'image')} the deployment "
                       "manifests name is pinned by digest.", evidence)
    policy, undecided = _policy(ctx, "the manifest images")
    if policy is None:
        if ctx.registry_policy is not None and undecided is not None:    # given but expired
            return undecided
        return manual(f"{plural(len(unpinned), 'manifest image')} named by tag, not digest: {listing(unpinned)}; "
                      "whether tags are acceptable is the organisation's policy (require-digest.manifests).",
                      evidence, unpinned=capped(unpinned))
    requirements = {image.label: _digest_requirement(policy, image, "manifest")
                    for image in named if image.label in tagged}
    required = [label for label in unpinned if requirements.get(label) is not None]
    if not required:
        return outcome(Verdict.NOT_APPLICABLE, f"{plural(len(unpinned), 'manifest image')} named by tag; the "
                       f"registry policy {policy.described} does not require digests"
                       f"{' for them' if policy.digest_scope else ''}"
                       f"{_where(policy.digest_manifests_at)}.{_limits(policy)}",
                       [policy.at(policy.digest_manifests_at)], unpinned=capped(unpinned))
    cited = [ev for label in required if (ev := requirements[label]) is not None]
    return outcome(Verdict.NOT_SATISFIED, f"{plural(len(required), 'manifest image')} named by tag, not digest, "
                   f"which the registry policy {policy.described} requires ({listing(e.pointer for e in cited)}): "
                   f"{listing(required)}.{_limits(policy)}", _first([*cited, *evidence]),
                   unpinned=capped(required))


@dataclass(frozen=True)
class RegistryAllowListParams(CheckParams):
    """Parameters of `registry_allow_list`: the not-applicable reason when no allow-list is given."""

    reason_without_policy: str = ""


@check("registry_allow_list", RegistryAllowListParams, consults=("identity.name", "manifest_images"))
def registry_allow_list(facts: ImageFacts, params: RegistryAllowListParams, ctx: CheckContext) -> CheckOutcome:
    """The organisation's deny-all, permit-by-exception allow-list admits the image and the manifests' images;
    that the registry and the platform enforce it is the platform's part (manual at best)."""
    if ctx.registry_policy is None:
        return outcome(Verdict.NOT_APPLICABLE, params.reason_without_policy or
                       "The registry's permit-by-exception policy is configured on the platform, not in an image.")
    policy, undecided = _sources_policy(ctx, "the images")
    if policy is None:
        return undecided or manual(_NO_POLICY)
    image = assessed_image(facts)
    judged = [admit(n, policy) for n in ([image] if image else []) + manifest_images(facts)]
    refused = [_refusal(item) for item in judged if not item.admitted]
    evidence = _first([policy.at(policy.allow_at), *_refused_first(judged)])
    if refused:
        return outcome(Verdict.NOT_SATISFIED, f"The allow-list {policy.described} does not permit "
                       f"{listing(refused)}, which this system uses: either the platform does not enforce it "
                       f"or the images were admitted by exception.{_limits(policy)}", evidence, refused=capped(refused))
    approver = f", approved by {policy.approved_by}," if policy.approved_by else ""
    loose = listing((item.caveat for item in judged if item.caveat), 3)
    return manual(f"The allow-list {policy.described}{approver} permits {plural(len(judged), 'image')} this system "
                  "uses; confirm the registry and the platform's admission control deny every image it does not "
                  f"list (deny-all, permit-by-exception).{f' Note: {loose}.' if loose else ''}{_limits(policy)}",
                  evidence)
