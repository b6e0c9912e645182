"""Benchmarks: ``python -m bench [NAME …]`` prints one JSON line per figure."""
