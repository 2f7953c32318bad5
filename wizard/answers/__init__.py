"""Answers: one question catalog, defaults detected from the host, validation, the answers YAML."""
