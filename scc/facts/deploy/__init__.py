"""Readers of deployment descriptions: how the image is run (Kubernetes manifests)."""
