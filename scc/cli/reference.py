"""The complete ``scc`` command tree, with the optional groups registered, for documentation generators
(mkdocs-click renders docs/cli.md from it, so the CLI reference cannot drift from the code)."""
from scc.cli.app import _register_optional_groups, cli

_register_optional_groups()   # idempotent: the same groups `scc` itself registers at start-up

__all__ = ["cli"]
