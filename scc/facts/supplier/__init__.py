"""Readers of what others say about the suppliers of the image's components (OpenSSF Scorecard results)."""
