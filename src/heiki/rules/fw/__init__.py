"""Azure Firewall rules."""
