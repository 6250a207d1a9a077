"""Readiness rules: a loop capability the team cannot use."""
