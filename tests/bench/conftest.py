"""Benchmarks are run by tests/bench/run, never collected by the main pytest run."""

collect_ignore_glob = ["*.py"]
