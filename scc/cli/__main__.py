"""``python -m scc.cli``."""
from scc.cli.app import main

main()
