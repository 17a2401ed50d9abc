"""Oversight services: every write of the programs, one module per part."""
