"""Toil rules: routine work that needs a person or another team."""
