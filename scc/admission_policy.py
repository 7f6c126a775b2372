"""Admission policies as a registry allow-list: the policies platforms enforce, read by ``--registry-policy``.

scc.registry_policy hands over a file whose documents carry ``apiVersion`` and ``kind``; each document is
one of:

* a Kyverno ``ClusterPolicy`` / ``Policy`` (kyverno.io/v1): every ``image`` field of a rule's
  ``validate.pattern`` / ``anyPattern`` (``"eu.foo.io/* | bar.io/*"``: ``|`` separates alternatives,
  ``*`` matches any characters, ``/`` included, ``?`` one) is compared with the image as the pod writes
  it; a pattern whose every alternative is ``*@*``-like requires digests instead. ``verifyImages``
  entries require digests for the images their ``imageReferences`` name (``verifyDigest``, true by
  default) but refuse no other image, so they are not an allow-list;
* a Gatekeeper ``K8sAllowedRepos`` constraint (constraints.gatekeeper.sh): ``spec.parameters.repos``
  are plain string prefixes of the image as written (the template's ``startswith``), so
  ``registry.example.mil`` admits ``registry.example.mil.evil.example/x`` too; scc matches as Gatekeeper
  does and says so wherever such a match decides;
* a Sigstore policy-controller ``ClusterImagePolicy`` (policy.sigstore.dev): ``spec.images[].glob``,
  ``*`` not crossing ``/``, ``**`` crossing it, against go-containerregistry's fully qualified name
  (``index.docker.io/library/nginx:latest``) and then the name as written (pkg/apis/glob).

Several rules or constraints each apply, so an image must pass each of them (``AllowEntry.group``); the
globs of all ClusterImagePolicies form one list (policy-controller refuses an image matching none only
under its default ``no-match-policy: deny``). What a policy does not enforce (audit mode, exclusions, a
deny-list rule scc does not translate, signatures it requires) is kept as ``RegistryPolicy.limits`` for
the verdicts to say. Any other kind, or a pattern scc cannot honour (a ``{{ variable }}``), is an
InputError naming the file, the document and the kind or the path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scc.errors import InputError
from scc.facts.model import Evidence
from scc.registry_model import GATEKEEPER, KYVERNO, SIGSTORE, AllowEntry, RegistryPolicy, lookalike
from scc.yamlsafe import YamlDocument

__all__ = ["translate"]

_SUPPORTED = ("Kyverno ClusterPolicy/Policy (kyverno.io), Gatekeeper K8sAllowedRepos (constraints.gatekeeper.sh), "
              "Sigstore ClusterImagePolicy (policy.sigstore.dev), or scc's own 'registry-policy: 1' file")
_ANCHOR = re.compile(r"[=^X+<]?\((.*)\)")                  # Kyverno's =(key), ^(key), X(key), +(key), <(key)
_DIGEST_ONLY = re.compile(r"[*?]*@.*")                     # "*@*", "*@sha256:*": any image, by digest
_OPERATOR = re.compile(r"^[!<>]|&")                        # negation, comparison, AND: not an allow-list
_VALID_GLOB = re.compile(r"[a-zA-Z0-9\-_:/*.]+")           # policy-controller's validGlob
_AUDIT = ("audit",)


@dataclass
class _Translation:
    """What the documents of one file add up to (built while reading, then frozen into a RegistryPolicy)."""

    source: str
    sha256: str
    entries: list[AllowEntry] = field(default_factory=list)
    digest_all: list[str] = field(default_factory=list)       # YAML paths requiring every image pinned
    digest_scope: list[AllowEntry] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)

    def evidence(self, pointer: str) -> Evidence:
        return Evidence(self.source, self.sha256, pointer)

    def error(self, where: str, problem: str) -> InputError:
        return InputError(self.source, f"{where}: {problem}")


def translate(source: str, sha256: str, documents: list[YamlDocument]) -> RegistryPolicy:
    """The allow-list the admission policies in ``documents`` enforce, in scc's model."""
    work = _Translation(source, sha256)
    for document in documents:
        _document(work, document)
    if not work.entries and not work.digest_all and not work.digest_scope:
        raise InputError(source, f"no rule of {', '.join(work.origins)} restricts where images come from or "
                                 "requires digests, so it is no registry policy")
    first_allow = work.entries[0].evidence.pointer if work.entries else ""
    first_digest = work.digest_all[0] if work.digest_all else ""
    return RegistryPolicy(
        source=source, sha256=sha256, repositories=tuple(work.entries),
        require_digest_image=bool(work.digest_all), require_digest_manifests=bool(work.digest_all),
        origin=" and ".join(dict.fromkeys(work.origins)), allow_at=_parent(first_allow),
        digest_image_at=first_digest, digest_manifests_at=first_digest, digest_scope=tuple(work.digest_scope),
        restricts_sources=bool(work.entries), judges_base_images=False, limits=tuple(dict.fromkeys(work.limits)))


def _document(work: _Translation, document: YamlDocument) -> None:
    where = f"doc {document.index}"
    data = document.data
    api, kind = (data.get("apiVersion"), data.get("kind")) if isinstance(data, dict) else (None, None)
    if not isinstance(api, str) or not isinstance(kind, str):
        raise work.error(where, "not a Kubernetes object (apiVersion and kind); a registry policy file is "
                                f"one of: {_SUPPORTED}")
    group = api.partition("/")[0]
    name = _name(data)
    if group == "kyverno.io" and kind in ("ClusterPolicy", "Policy"):
        work.origins.append(f"Kyverno {kind} {name}")
        _kyverno(work, where, data, kind, name)
    elif group == "constraints.gatekeeper.sh" and kind == "K8sAllowedRepos":
        work.origins.append(f"Gatekeeper K8sAllowedRepos {name}")
        _gatekeeper(work, where, data, name)
    elif group == "policy.sigstore.dev" and kind == "ClusterImagePolicy":
        work.origins.append(f"Sigstore ClusterImagePolicy {name}")
        _sigstore(work, where, data, name)
    elif kind == "K8sDisallowedRepos":
        raise work.error(where, f"K8sDisallowedRepos ({api}) is a deny-list, which admits every registry it does "
                                "not name; scc judges against allow-lists (K8sAllowedRepos, or allow: in scc's file)")
    else:
        raise work.error(where, f"{kind} ({api}) is not a registry policy scc reads; it reads {_SUPPORTED}")


def _name(data: dict[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) and name else "(unnamed)"


def _mapping(work: _Translation, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise work.error(where, "must be a mapping")
    return value


def _items(work: _Translation, where: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise work.error(where, "must be a list")
    return value


def _string(work: _Translation, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise work.error(where, f"must be a non-empty string, not {repr(value)[:60]}")
    return value.strip()


# -- Kyverno ----------------------------------------------------------------------------------------
def _kyverno(work: _Translation, where: str, data: dict[str, Any], kind: str, name: str) -> None:
    spec = _mapping(work, f"{where}: spec", data.get("spec"))
    audit = str(spec.get("validationFailureAction", "")).lower() in _AUDIT
    if kind == "Policy":
        namespace = _mapping(work, f"{where}: metadata", data.get("metadata")).get("namespace") or "its namespace"
        work.limits.append(f"The Kyverno Policy {name} applies in {namespace} only.")
    for i, rule in enumerate(_items(work, f"{where}: spec.rules", spec.get("rules"))):
        at = f"{where}: spec.rules[{i}]"
        rule = _mapping(work, at, rule)
        label = f"rule {rule.get('name') or i} of the Kyverno {kind} {name}"
        validate = _mapping(work, f"{at}.validate", rule.get("validate"))
        rule_audit = str(validate.get("failureAction", "")).lower() in _AUDIT if validate else False
        read = _kyverno_validate(work, at, validate, label) + _kyverno_verify(work, at, rule, label)
        if read and (audit or rule_audit):
            work.limits.append(f"The {label} is in Audit mode: Kyverno reports the pods it would refuse and "
                               "admits them.")
        if read and rule.get("exclude"):
            work.limits.append(f"The {label} excludes some resources (exclude:), which it does not check.")
        if not read and "image" in repr(rule).lower():
            work.limits.append(f"The {label} speaks of images in a form scc does not read (only validate "
                               "pattern/anyPattern image fields and verifyImages), so scc judges without it.")


def _kyverno_validate(work: _Translation, at: str, validate: dict[str, Any], label: str) -> int:
    """Read the image fields of a validate rule; the number of them translated."""
    if "pattern" in validate:
        patterns = [(f"{at}.validate.pattern", validate["pattern"])]
    else:
        patterns = [(f"{at}.validate.anyPattern[{j}]", p)
                    for j, p in enumerate(_items(work, f"{at}.validate.anyPattern", validate.get("anyPattern")))]
    fields = [found for path, pattern in patterns for found in _image_fields(pattern, path)]
    # one pattern: each image field must hold (AND); anyPattern: any of its patterns may (one group)
    one_group = "anyPattern" in validate and "pattern" not in validate
    return sum(_kyverno_image(work, path, text, label, group=at if one_group else f"{at}:{text}")
               for path, text in fields)


def _image_fields(node: Any, path: str) -> list[tuple[str, Any]]:
    """Every ``image`` field of a Kyverno pattern (anchors such as ``=(initContainers)`` read through)."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            bare = _ANCHOR.fullmatch(str(key))
            name = bare.group(1) if bare else str(key)
            if name == "image" and not isinstance(value, (dict, list)):
                found.append((f"{path}.{key}", value))
            else:
                found.extend(_image_fields(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for j, item in enumerate(node):
            found.extend(_image_fields(item, f"{path}[{j}]"))
    return found


def _kyverno_image(work: _Translation, path: str, value: Any, label: str, group: str) -> bool:
    """Translate one image field: allow entries, a digest requirement, or (an operator) a limit; whether
    it was translated."""
    text = _string(work, path, value)
    if "{{" in text:
        raise work.error(path, f"{text!r} takes its value from a variable scc cannot resolve; write the registries "
                               "into the pattern (or into scc's registry-policy file)")
    alternatives = [a.strip() for a in text.split("|") if a.strip()]
    if not alternatives:
        raise work.error(path, f"{text!r} holds no pattern")
    if any(_OPERATOR.search(a) for a in alternatives):
        work.limits.append(f"The {label} pattern {text!r} ({path}) negates or compares rather than lists "
                           "allowed images; scc does not translate it and judges without it.")
        return False
    if all("@" in a for a in alternatives):
        work.digest_all.append(path)
    if all(_DIGEST_ONLY.fullmatch(a) for a in alternatives):
        return True                           # "*@*": any registry, by digest
    for alternative in alternatives:
        work.entries.append(AllowEntry(alternative, work.evidence(path), kind=KYVERNO, group=group))
    return True


def _kyverno_verify(work: _Translation, at: str, rule: dict[str, Any], label: str) -> int:
    """Read a rule's verifyImages: the digests it requires; the number of entries read."""
    entries = _items(work, f"{at}.verifyImages", rule.get("verifyImages"))
    for j, entry in enumerate(entries):
        where = f"{at}.verifyImages[{j}]"
        entry = _mapping(work, where, entry)
        if "imageReferences" in entry:
            patterns = [(f"{where}.imageReferences[{k}]", _string(work, f"{where}.imageReferences[{k}]", r))
                        for k, r in enumerate(_items(work, f"{where}.imageReferences", entry["imageReferences"]))]
        else:                                     # the pre-1.7 form: one image pattern
            patterns = [(f"{where}.image", _string(work, f"{where}.image", entry.get("image")))]
        work.limits.append(f"The {label} verifies the signatures of {', '.join(p for _w, p in patterns)} but "
                           "refuses no other image, so scc does not read it as an allow-list; the signatures "
                           "themselves are judged by si7-signature-verified.")
        if entry.get("verifyDigest", True) is True:
            work.digest_scope.extend(AllowEntry(p, work.evidence(w), kind=KYVERNO) for w, p in patterns)
            if entry.get("mutateDigest", True) is True:
                work.limits.append(f"The {label} rewrites tags to digests at admission (mutateDigest), so the "
                                   "running pod is pinned even where the manifest names a tag; scc judges the "
                                   "manifest as written.")
    return len(entries)


# -- Gatekeeper -------------------------------------------------------------------------------------
def _gatekeeper(work: _Translation, where: str, data: dict[str, Any], name: str) -> None:
    spec = _mapping(work, f"{where}: spec", data.get("spec"))
    parameters = _mapping(work, f"{where}: spec.parameters", spec.get("parameters"))
    repos = _items(work, f"{where}: spec.parameters.repos", parameters.get("repos"))
    label = f"Gatekeeper K8sAllowedRepos {name}"
    if not repos:
        raise work.error(f"{where}: spec.parameters.repos", f"the {label} lists no repository, so Gatekeeper "
                                                            "refuses every image; write the allowed prefixes")
    for k, repo in enumerate(repos):
        path = f"{where}: spec.parameters.repos[{k}]"
        text = _string(work, path, repo)
        work.entries.append(AllowEntry(text, work.evidence(path), kind=GATEKEEPER, group=f"{where}: gatekeeper"))
        if not text.endswith("/"):
            work.limits.append(f"Gatekeeper compares plain string prefixes, so {text!r} ({path}) also admits "
                               f"{lookalike(text)}; its library advises ending a prefix with '/'.")
    action = str(spec.get("enforcementAction", "deny")).lower()
    if action != "deny":
        work.limits.append(f"The {label} has enforcementAction {action}: Gatekeeper reports the pods it would "
                           "refuse and admits them.")
    match = _mapping(work, f"{where}: spec.match", spec.get("match"))
    if match.get("namespaces") or match.get("excludedNamespaces") or match.get("labelSelector") \
            or match.get("namespaceSelector"):
        work.limits.append(f"The {label} applies to the namespaces its spec.match selects only.")


# -- Sigstore policy-controller ---------------------------------------------------------------------
def _sigstore(work: _Translation, where: str, data: dict[str, Any], name: str) -> None:
    spec = _mapping(work, f"{where}: spec", data.get("spec"))
    label = f"Sigstore ClusterImagePolicy {name}"
    images = _items(work, f"{where}: spec.images", spec.get("images"))
    if not images:
        raise work.error(f"{where}: spec.images", f"the {label} matches no image (spec.images is empty)")
    for k, image in enumerate(images):
        path = f"{where}: spec.images[{k}].glob"
        glob = _string(work, path, _mapping(work, f"{where}: spec.images[{k}]", image).get("glob"))
        glob = {"*": "index.docker.io/library/*", "*/*": "index.docker.io/*/*"}.get(glob, glob)  # as it rewrites
        if not _VALID_GLOB.fullmatch(glob):
            raise work.error(path, f"{glob!r} is not a glob policy-controller accepts (letters, digits, '-_:/.*')")
        work.entries.append(AllowEntry(glob, work.evidence(path), kind=SIGSTORE, group="sigstore"))
    if str(spec.get("mode", "enforce")).lower() == "warn":
        work.limits.append(f"The {label} is in warn mode: policy-controller warns and admits.")
    work.limits.append("policy-controller refuses an image that matches no ClusterImagePolicy only when its "
                       "no-match-policy is deny (the default) and only in namespaces labelled "
                       "policy.sigstore.dev/include=true; an image that matches is admitted only with a valid "
                       "signature from the policy's authorities (judged by si7-signature-verified).")


def _parent(pointer: str) -> str:
    """'doc 1: spec.parameters.repos[0]' -> 'doc 1: spec.parameters.repos' (the list cited for a refusal)."""
    return re.sub(r"\[\d+\](\.glob)?$", "", pointer)
