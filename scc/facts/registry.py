"""The reader registry: every input format scc reads, in the order their ``sniff`` is tried.

The first reader that claims a document reads it, so the order is a decision: a container
(OCI layout, root filesystem) before the files inside it, in-toto before the SBOMs and
predicates it can wrap, specific JSON shapes before generic ones (CycloneDX JSON before SARIF
before scanner JSON), and the image config, whose shape is the loosest, last. A new reader is
one module exposing ``READER`` and one line here.
"""
from __future__ import annotations

import importlib

from scc.facts.interface import Reader

READER_MODULES: tuple[str, ...] = (
    "scc.facts.image.image_layout",       # oci-image: a directory or tar holding index.json / manifest.json
    "scc.facts.image.rootfs",             # rootfs-directory
    "scc.facts.image.rootfs_tar",         # rootfs-tar: docker export, one layer
    "scc.facts.provenance.intoto",        # in-toto statements, DSSE, Sigstore bundles, JSON lines
    "scc.facts.provenance.buildx_imagetools",
    "scc.facts.vex.csaf_vex",
    "scc.facts.sbom.cyclonedx_xml",
    "scc.facts.vex.openvex",
    "scc.facts.sbom.spdx_json",
    "scc.facts.sbom.spdx_tagvalue",
    "scc.facts.sbom.spdx3",
    "scc.facts.sbom.syft_json",
    "scc.facts.scans.xccdf_results",
    "scc.facts.sbom.cyclonedx_json",
    "scc.facts.scans.sarif",
    "scc.facts.scans.grype",
    "scc.facts.scans.trivy",
    "scc.facts.deploy.kubernetes",        # Kubernetes manifests: YAML streams, or JSON with apiVersion + kind
    "scc.facts.image.image_config",       # the loosest shape: tried last
)


def registered_readers() -> tuple[Reader, ...]:
    """The READER of every registered module, in sniffing order."""
    readers = []
    for name in READER_MODULES:
        reader = getattr(importlib.import_module(name), "READER", None)
        if not isinstance(reader, Reader):
            raise TypeError(f"{name} is registered as a reader but defines no READER")
        readers.append(reader)
    return tuple(readers)
