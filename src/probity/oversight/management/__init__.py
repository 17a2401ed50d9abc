"""Oversight management commands."""
