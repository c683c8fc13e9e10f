"""``python -m srmkit``: the same command line as ``srmkit``."""

from srmkit.cli import main

main()
