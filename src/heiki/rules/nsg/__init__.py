"""NSG rules."""
