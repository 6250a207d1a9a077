"""Exfiltration rules: what the traces show can leave the environment."""
