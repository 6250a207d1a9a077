"""Closure rules: what keeps the environment from being closed."""
