"""Finding rules: one rule per file, registered by ID; the engine turns violations into findings."""
