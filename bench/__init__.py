"""Helpwell's benchmarks at 1,000,000 tickets: `seed.py` loads the data, `run.py` measures it.

See docs/benchmarks.md for the commands and the latest figures.
"""
