"""The method srmkit follows (``method.md``), shipped with the package as ``srmkit.docs``: the
design document prints it as an appendix."""
