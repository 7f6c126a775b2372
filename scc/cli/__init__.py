"""The ``scc`` command line: ``app`` holds the assessment commands, ``content`` the content and rules groups."""
from scc.cli.app import cli, main

__all__ = ["cli", "main"]
