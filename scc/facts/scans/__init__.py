"""Scan readers: Grype, Trivy, SARIF, XCCDF results/ARF, and the vocabulary they share."""
