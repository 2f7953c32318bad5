"""Read-only probing of the host: facts (with their sources) and preflight checks."""
