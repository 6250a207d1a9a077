"""Analyses: pure, deterministic functions over the frozen model and the catalog (no I/O)."""
