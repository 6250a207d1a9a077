"""Azure ML rules."""
