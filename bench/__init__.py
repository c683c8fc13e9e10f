"""srmkit benchmarks: run with `make bench` (python -m bench)."""
