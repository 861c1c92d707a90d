"""Benchmark harness for kinde-iac: ``python bench/run.py`` (or ``make bench``). See docs/performance.md."""
