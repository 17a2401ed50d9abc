"""Probity: the system of record for an Office of Professional Responsibility."""
