"""Attestations: in-toto/DSSE envelopes, SLSA provenance, buildx output, signatures and keys."""
