"""Private endpoint rules."""
