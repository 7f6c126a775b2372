"""The image itself: OCI layout, docker save, root filesystems, layers, and facts read from its files."""
