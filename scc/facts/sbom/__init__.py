"""SBOM readers: CycloneDX (JSON, XML), SPDX 2 (JSON, tag-value), SPDX 3 JSON-LD, syft JSON."""
