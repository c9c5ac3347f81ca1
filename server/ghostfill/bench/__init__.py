"""Benchmarks behind `ghostfill bench`: each prints figures, none asserts a time."""
