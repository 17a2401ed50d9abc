"""Investigations' services: every state change, in one transaction, permission-checked and audited."""
