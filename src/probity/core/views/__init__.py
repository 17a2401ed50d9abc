"""Core views: thin wrappers over services and queries."""
