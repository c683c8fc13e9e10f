"""The notebooks srmkit renders, shipped with the package (installed as ``srmkit.notebooks``).

Open them in JupyterLab from here; ``srmkit report`` executes the same files.
"""
