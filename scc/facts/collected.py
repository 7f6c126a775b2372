"""The facts scc's readers collect: the registry `scc rules lint` holds every rule's check against.

A check declares what it consults (``@check(name, consults=(...))``): a top-level ImageFacts field
("components"), a field of the image config or identity ("config.user", "identity.digest"), or a
FilesystemFacts field ("filesystem.pam_auth"). A config_file_setting rule also names image paths,
which must be among the files the filesystem reader turns into ``config_files`` entries. Anything
else is a rule that would always see nothing, and lint fails on it.
"""
from __future__ import annotations

from dataclasses import fields

from scc.facts.image.fs_scan import COLLECTED_FIELDS as FILESYSTEM_FIELDS
from scc.facts.image.fs_scan import CONFIG_FILE_FACTS
from scc.facts.model import ImageConfig, ImageIdentity

#: ImageFacts fields and the readers that fill them
IMAGE_FACTS: dict[str, str] = {
    "identity": "image config / OCI layout / docker save / SBOM / scan readers",
    "components": "SBOM readers, scan package lists, image filesystem package databases",
    "findings": "vulnerability scan readers (Grype, Trivy, CycloneDX VEX/VDR, SARIF): ids, aliases, CWEs and "
                "advisory databases as written (which are malicious packages is scc.engine.malicious's decision)",
    "config": "image config readers (docker inspect, OCI config, OCI layout, docker save)",
    "scans": "vulnerability and configuration scan readers",
    "sboms": "SBOM readers (CycloneDX, SPDX, Syft)",
    "vex": "VEX readers (OpenVEX, CSAF, CycloneDX)",
    "provenance": "in-toto / SLSA attestation readers",
    "signatures": "signature bundle readers (cosign, DSSE)",
    "filesystem": "image filesystem readers (OCI layout, docker save, root filesystem directory or tar)",
    "fips_modules": "image filesystem readers (scc.facts.image.fips) and SBOM package names",
    "xccdf_results": "XCCDF / ARF result readers",
    "secrets": "Trivy JSON / SARIF secret results",
    "misconfigurations": "Trivy JSON / SARIF misconfiguration results",
    "base_image_annotations": "OCI layout reader (org.opencontainers.image.base.name / .base.digest annotations)",
    "manifest_images": "Kubernetes manifest reader (every container's image reference)",
    "workloads": "Kubernetes manifest reader (Pod-bearing objects: pod settings, containers, securityContext)",
    "network_policies": "Kubernetes manifest reader (NetworkPolicy objects)",
    "service_accounts": "Kubernetes manifest reader (ServiceAccount objects)",
    "attestations": "in-toto reader and OCI layout referrers: every statement of the image's attestation set",
    "attested_fips_modules": "vendor FIPS compliance attestations (Docker Hardened Images)",
    "test_results": "in-toto test-result and Docker Scout test attestations",
    "scorecards": "OpenSSF Scorecard JSON results (scc.facts.supplier.scorecard)",
}
_NESTED = {"config": {f.name for f in fields(ImageConfig)}, "identity": {f.name for f in fields(ImageIdentity)},
           "filesystem": set(FILESYSTEM_FIELDS)}


def collected(name: str) -> bool:
    """Whether some reader collects the fact ``name`` ("components", "config.user", "filesystem.pam_auth")."""
    head, _, tail = name.partition(".")
    if head not in IMAGE_FACTS:
        return False
    return not tail or tail in _NESTED.get(head, set())


def collected_config_file(path: str) -> bool:
    """Whether the filesystem reader records ``path`` (an absolute image path) in ``config_files``."""
    return path in CONFIG_FILE_FACTS


def config_file_paths() -> list[str]:
    return sorted(CONFIG_FILE_FACTS)
