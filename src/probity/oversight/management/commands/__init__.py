"""Oversight management commands (`probity export ...`)."""
