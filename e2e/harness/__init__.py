"""Pieces shared by the end-to-end tests and the benchmarks: the real server, Chromium."""
