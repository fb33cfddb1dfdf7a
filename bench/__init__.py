"""Benchmarks run by hand, never in CI (see bench/README.md). A package, so the scripts can share
``bench.run`` whatever else is on the path."""
